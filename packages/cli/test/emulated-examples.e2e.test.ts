import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { headlessBrowserCommand, installExampleAgent, invokeWithDeviceCode, makeTempDir, runCli, waitForSection, type TempDir } from '@opperator/testing';

// The examples as users get them, on the real presets (provider 'github',
// 'google', 'microsoft'), run by the daemon against the sandbox's emulators of
// those providers through the one visible switch: OPPERATOR_EMULATE in the
// agent's env. Access tokens live 4 s, so the dead-grant path shows quickly.

const TOKEN_TTL_S = 4;
let server: RunningAuthorizationServer;
let home: TempDir;
let confidential: SandboxClient;
let publicClient: SandboxClient;
const env = () => ({ OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file', BROWSER: headlessBrowserCommand() });
const cli = (...args: string[]) => runCli(args, { env: env() });
const setSecret = (name: string, value: string) => runCli(['secret', 'set', name], { env: env(), input: value });
const sectionShows = (agent: string, id: string, text: string, timeoutMs = 20_000) => waitForSection(agent, id, text, { env: env(), timeoutMs });
const invokeJson = async (agent: string, command: string) => {
  const run = await cli('agent', 'invoke', agent, command, '--json');
  return { ...run, result: run.code === 0 ? (JSON.parse(run.stdout) as Record<string, unknown>) : undefined };
};

beforeAll(async () => {
  server = await startAuthorizationServer({ emulate: ['github', 'google', 'microsoft'], accessTokenTtlSeconds: TOKEN_TTL_S, devicePollIntervalSeconds: 1 });
  [confidential, publicClient] = server.clients as [SandboxClient, SandboxClient];
  home = await makeTempDir('opperator-emulated-');
  const emulate = { OPPERATOR_EMULATE: server.issuer };
  await installExampleAgent(home.path, { example: 'github-notifications', secrets: ['github_notifications_client_id'], env: emulate });
  await installExampleAgent(home.path, { example: 'invoice-monitor', secrets: ['invoice_monitor_gmail_client_id', 'invoice_monitor_gmail_client_secret'], env: emulate });
  expect((await cli('daemon', 'start')).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await cli('daemon', 'stop');
  await server?.close();
  await home?.remove();
});

const deviceSignIn = (agent: string, command: string, login: string) =>
  invokeWithDeviceCode(agent, command, { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' }, { login });

describe('examples/github-notifications on emulated GitHub', () => {
  it('signs in with the device flow (GitHub\'s 200 answers), names the account, reads notifications; the section says Emulated', async () => {
    await setSecret('github_notifications_client_id', publicClient.clientId);
    expect((await cli('agent', 'start', 'github-notifications')).code).toBe(0);
    await sectionShows('github-notifications', 'oauth_github', 'authorize_github');
    const signIn = await deviceSignIn('github-notifications', 'authorize_github', 'octocat');
    expect(signIn.code, signIn.stderr).toBe(0);
    expect(signIn.shownUrl).toBe(`${server.issuer}/emulate/github.com/login/device`);
    expect(JSON.parse(signIn.stdout)).toMatchObject({ account: 'octocat' });
    const section = await sectionShows('github-notifications', 'oauth_github', '✓ Authenticated');
    expect(section).toContain('octocat');
    expect(section).toContain(`Emulated</c> at ${server.issuer}`);
    const check = await invokeJson('github-notifications', 'check_notifications');
    expect(check.code, check.stderr).toBe(0);
    expect(check.result).toMatchObject({ unread: expect.any(Number) });
  }, 90_000);

  it('doctor names the agents that run against an emulator', async () => {
    const doctor = await cli('doctor');
    expect(doctor.stdout).toContain(`emulated:  github-notifications → ${server.issuer}`);
    expect(doctor.stdout).toContain(`emulated:  invoice-monitor → ${server.issuer}`);
  });

  it('a revoked grant: the API call fails naming the command, the section shows ✗; signing in again works', async () => {
    server.emulators.github!.revokeGrants({ account: 'octocat' });
    const failing = await invokeJson('github-notifications', 'check_notifications');
    expect(failing.code).toBe(6);
    expect(failing.stderr).toContain('Run: opperator auth login github-notifications github');
    expect(await sectionShows('github-notifications', 'oauth_github', '✗ Token Expired')).toContain('authorize_github');
    expect((await deviceSignIn('github-notifications', 'authorize_github', 'octocat')).code).toBe(0);
    await sectionShows('github-notifications', 'oauth_github', '✓ Authenticated');
    expect((await invokeJson('github-notifications', 'check_notifications')).code).toBe(0);
  }, 90_000);
});

describe('examples/invoice-monitor on emulated Google', () => {
  it('signs in through the loopback flow and reads Gmail through @googleapis/gmail', async () => {
    await setSecret('invoice_monitor_gmail_client_id', confidential.clientId);
    await setSecret('invoice_monitor_gmail_client_secret', confidential.clientSecret!);
    expect((await cli('agent', 'start', 'invoice-monitor')).code).toBe(0);
    const signIn = await invokeJson('invoice-monitor', 'authorize_gmail');
    expect(signIn.code, signIn.stderr).toBe(0);
    expect(signIn.result).toMatchObject({ account: 'demo@sandbox.test' });
    const section = await sectionShows('invoice-monitor', 'oauth_gmail', '✓ Authenticated');
    expect(section).not.toContain('Not granted');
    const check = await invokeJson('invoice-monitor', 'check_invoices');
    expect(check.code, check.stderr).toBe(0);
    expect(check.result).toMatchObject({ unread: expect.any(Number) });
  }, 90_000);

  it('a revoked grant: ✗ Token Expired once the 4-s token needs a refresh; signing in again works', async () => {
    server.emulators.google!.revokeGrants();
    expect(await sectionShows('invoice-monitor', 'oauth_gmail', '✗ Token Expired', 30_000)).toContain('authorize_gmail');
    expect((await invokeJson('invoice-monitor', 'check_invoices')).code).toBe(6);
    expect((await invokeJson('invoice-monitor', 'authorize_gmail')).code).toBe(0);
    await sectionShows('invoice-monitor', 'oauth_gmail', '✓ Authenticated');
    expect((await invokeJson('invoice-monitor', 'check_invoices')).code).toBe(0);
  }, 90_000);
});

describe('a bootstrapped Microsoft agent on emulated Entra ID', () => {
  it('signs in and calls Graph /me; MFA demanded at refresh shows ✗, and signing in again works', async () => {
    const bootstrap = await cli('agent', 'bootstrap', 'graph-me', '--provider', 'microsoft');
    expect(bootstrap.code, bootstrap.stderr).toBe(0);
    // The user's one switch: OPPERATOR_EMULATE in the agent's env.
    const file = join(home.path, 'agents.yaml');
    const config = parse(await readFile(file, 'utf8')) as { agents: Array<{ name: string; env?: Record<string, string> }> };
    config.agents.find((agent) => agent.name === 'graph-me')!.env = { OPPERATOR_EMULATE: server.issuer };
    await writeFile(file, stringify(config));
    await setSecret('graph_me_microsoft_client_id', confidential.clientId);
    await setSecret('graph_me_microsoft_client_secret', confidential.clientSecret!);
    expect((await cli('agent', 'start', 'graph-me')).code).toBe(0);

    const signIn = await invokeJson('graph-me', 'authorize_microsoft');
    expect(signIn.code, signIn.stderr).toBe(0);
    await sectionShows('graph-me', 'oauth_microsoft', '✓ Authenticated');
    const whoami = await invokeJson('graph-me', 'whoami');
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(whoami.result).toMatchObject({ displayName: 'demo' });

    server.emulators.microsoft!.requireMfa();
    expect(await sectionShows('graph-me', 'oauth_microsoft', '✗ Token Expired', 30_000)).toContain('authorize_microsoft');
    expect((await invokeJson('graph-me', 'authorize_microsoft')).code).toBe(0);
    await sectionShows('graph-me', 'oauth_microsoft', '✓ Authenticated');
    expect((await invokeJson('graph-me', 'whoami')).code).toBe(0);
  }, 120_000);
});
