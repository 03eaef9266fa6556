import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { headlessBrowserCommand, invokeWithDeviceCode, installExampleAgent, makeTempDir, redeemRefreshToken, runCli, waitForSection, type TempDir } from '@opperator/testing';

// The guide's story with the examples as users get them, through the real CLI
// and daemon: examples/invoice-monitor against a sandbox whose access tokens
// live 4 s (Chromium completes the login via BROWSER), and
// examples/github-notifications signing in with the device flow.

const TOKEN_TTL_S = 4;
let server: RunningAuthorizationServer;
let home: TempDir;
let confidential: SandboxClient;
let publicClient: SandboxClient;
const env = () => ({ OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file', BROWSER: headlessBrowserCommand() });
const cli = (...args: string[]) => runCli(args, { env: env() });
const monitorDir = () => join(home.path, 'agents', 'invoice-monitor');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sections update themselves a moment after each change: poll until `text` shows. */
const sectionShows = (agent: string, id: string, text: string, timeoutMs = 15_000) => waitForSection(agent, id, text, { env: env(), timeoutMs });
async function logLines(agent: string, text: string): Promise<string[]> {
  const { stdout } = await cli('agent', 'logs', agent, '-n', '10000', '--json');
  return stdout.split('\n').filter((line) => line.includes(text));
}
async function checkInvoices() {
  const run = await cli('agent', 'invoke', 'invoice-monitor', 'check_invoices', '--json');
  return { ...run, result: run.code === 0 ? (JSON.parse(run.stdout) as { unread: number; messageIds: string[] }) : undefined };
}
beforeAll(async () => {
  server = await startAuthorizationServer({ accessTokenTtlSeconds: TOKEN_TTL_S, devicePollIntervalSeconds: 1 });
  [confidential, publicClient] = server.clients as [SandboxClient, SandboxClient];
  home = await makeTempDir('opperator-story-');
  await installExampleAgent(home.path, {
    example: 'invoice-monitor',
    secrets: ['invoice_monitor_gmail_client_id', 'invoice_monitor_gmail_client_secret'],
    env: { INVOICE_MONITOR_PROVIDER: server.issuer },
  });
  await installExampleAgent(home.path, { example: 'github-notifications', secrets: ['github_notifications_client_id'], env: { GITHUB_NOTIFICATIONS_PROVIDER: server.issuer } });
  expect((await cli('daemon', 'start')).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await cli('daemon', 'stop');
  await server?.close();
  await home?.remove();
});

describe('examples/invoice-monitor against the sandbox', () => {
  it('without secrets: the section says Missing with the command, authorize and API calls fail with the fix, the agent keeps running', async () => {
    expect((await cli('agent', 'start', 'invoice-monitor')).code).toBe(0);
    const content = await sectionShows('invoice-monitor', 'oauth_gmail', 'Missing');
    expect(content).toContain('⚠ Not Authenticated');
    expect(content).toContain('opperator secret set invoice_monitor_gmail_client_id');

    const authorize = await cli('agent', 'invoke', 'invoice-monitor', 'authorize_gmail');
    expect(authorize.code).toBe(6);
    expect(authorize.stderr).toContain('opperator secret set invoice_monitor_gmail_client_id');
    const check = await checkInvoices();
    expect(check.code).toBe(6);
    expect(check.stderr).toContain('opperator secret set invoice_monitor_gmail_client_id');

    const list = JSON.parse((await cli('agent', 'list', '--json')).stdout) as Array<{ name: string; state: string; restarts: number }>;
    expect(list.find((a) => a.name === 'invoice-monitor')).toMatchObject({ state: 'running', restarts: 0 });
  }, 60_000);

  it('with secrets set: authorize signs in through the browser, token.json is 0600, the section shows the account', async () => {
    await runCli(['secret', 'set', 'invoice_monitor_gmail_client_id'], { env: env(), input: confidential.clientId });
    await runCli(['secret', 'set', 'invoice_monitor_gmail_client_secret'], { env: env(), input: confidential.clientSecret! });
    const run = await cli('agent', 'invoke', 'invoice-monitor', 'authorize_gmail', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ account: 'demo@sandbox.test' });
    expect(run.stderr).toMatch(/Listening on port \d+/);

    expect((await stat(join(monitorDir(), 'token.json'))).mode & 0o777).toBe(0o600);
    const content = await sectionShows('invoice-monitor', 'oauth_gmail', '✓ Authenticated');
    expect(content).toContain('✓ Authenticated');
    expect(content).toContain('demo@sandbox.test');
    const check = await checkInvoices();
    expect(check.result).toMatchObject({ unread: 3 });
    expect(await sectionShows('invoice-monitor', 'inbox', '3</b> unread')).toContain('3</b> unread');
  }, 90_000);

  it('access tokens expire every 4 s: API calls keep succeeding, with one refresh per token lifetime', async () => {
    const before = (await logLines('invoice-monitor', 'gmail: access token refreshed')).length;
    const started = Date.now();
    const results: Array<number | undefined> = [];
    // Three token lifetimes, and enough calls to span them however slow the machine is.
    while (Date.now() - started < 3 * TOKEN_TTL_S * 1000 || results.length < 6) {
      results.push((await checkInvoices()).result?.unread);
      await sleep(700);
    }
    const elapsedS = (Date.now() - started) / 1000;
    const refreshes = (await logLines('invoice-monitor', 'gmail: access token refreshed')).length - before;
    expect(results.every((unread) => unread === 3)).toBe(true);
    // A token is refreshed once a quarter of its life is left: one refresh per 3 s here, never one per call.
    expect(refreshes).toBeGreaterThanOrEqual(Math.floor(elapsedS / TOKEN_TTL_S));
    expect(refreshes).toBeLessThanOrEqual(Math.ceil(elapsedS / (TOKEN_TTL_S * 0.75)) + 1);
    expect(refreshes).toBeLessThan(results.length);
  }, 60_000);

  it('a grant revoked at the sandbox: the section shows Token Expired with the command, and authorizing again works', async () => {
    expect(await server.revokeGrants()).toBeGreaterThan(0);
    const expired = await sectionShows('invoice-monitor', 'oauth_gmail', '✗ Token Expired', 20_000);
    expect(expired).toContain('✗ Token Expired');
    expect(expired).toContain('authorize_gmail');
    const failing = await checkInvoices();
    expect(failing.code).toBe(6);
    expect(failing.stderr).toContain('Run: opperator auth login invoice-monitor gmail');

    const again = await cli('agent', 'invoke', 'invoice-monitor', 'authorize_gmail', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(await sectionShows('invoice-monitor', 'oauth_gmail', '✓ Authenticated')).toContain('✓ Authenticated');
    expect((await checkInvoices()).result).toMatchObject({ unread: 3 });
  }, 90_000);

  it('sign_out_gmail revokes the grant at the sandbox and deletes token.json', async () => {
    const { refreshToken } = JSON.parse(await readFile(join(monitorDir(), 'token.json'), 'utf8')) as { refreshToken: string };
    const run = await cli('agent', 'invoke', 'invoice-monitor', 'sign_out_gmail', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ revoked: true, cleared: true });
    await expect(stat(join(monitorDir(), 'token.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await redeemRefreshToken(server, refreshToken)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await sectionShows('invoice-monitor', 'oauth_gmail', '⚠ Not Authenticated')).toContain('authorize_gmail');
  }, 60_000);
});

describe('examples/github-notifications: the device flow', () => {
  it('shows a code, Chromium enters it at the sandbox, then the notifications come from the API', async () => {
    await runCli(['secret', 'set', 'github_notifications_client_id'], { env: env(), input: publicClient.clientId });
    expect((await cli('agent', 'start', 'github-notifications')).code).toBe(0);
    await sectionShows('github-notifications', 'oauth_github', 'authorize_github');

    // No BROWSER here: the device flow never opens one; the user types the code.
    const { code, stdout, stderr } = await invokeWithDeviceCode('github-notifications', 'authorize_github', { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' }, { login: 'octocat' });
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ account: 'octocat@sandbox.test' });

    expect(await sectionShows('github-notifications', 'oauth_github', '✓ Authenticated')).toContain('octocat@sandbox.test');
    const check = await cli('agent', 'invoke', 'github-notifications', 'check_notifications', '--json');
    expect(check.code, check.stderr).toBe(0);
    const result = JSON.parse(check.stdout) as { unread: number; titles: string[] };
    expect(result.unread).toBeGreaterThan(0);
    expect(result.titles).toHaveLength(result.unread);
  }, 90_000);
});
