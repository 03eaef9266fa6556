import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { headlessBrowserCommand, makeAgentHome, runCli, waitForSection, type TempDir } from '@opperator/testing';

// `opperator auth` (issue 16, "opperator auth") through the built CLI, a real
// daemon, real agents and a local oidc-provider signed into by headless
// Chromium: every sign-in state in `auth status --json`, login, incremental
// scopes, a token the sandbox's API accepts, logout, and no token value in
// any output but `auth token`'s.

let server: RunningAuthorizationServer;
let home: TempDir;
let client: SandboxClient;
const env = () => ({ OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file', BROWSER: headlessBrowserCommand() });
const cli = (...args: string[]) => runCli(args, { env: env() });

const agentSource = (options: { name: string; provider: string; scopes: string[]; id: string; secret: string }) => `import { Agent } from '@opperator/sdk';
export default class A extends Agent {
  initialize() {
    this.useOAuth({ name: ${JSON.stringify(options.name)}, provider: ${options.provider}, scopes: ${JSON.stringify(options.scopes)}, clientIdSecret: ${JSON.stringify(options.id)}, clientSecretSecret: ${JSON.stringify(options.secret)} });
  }
}
`;

interface Row {
  agent: string;
  name: string;
  status: string;
  tokenState?: string;
  provider?: string;
  emulated?: boolean;
  emulator?: string;
  account?: string;
  expiresAt?: string;
  scopes?: string[];
  missingSecrets?: Array<{ name: string }>;
  next?: string;
  agentState?: string;
}

async function authStatus(): Promise<{ code: number | null; rows: Row[]; stdout: string; stderr: string }> {
  const run = await cli('auth', 'status', '--json');
  return { code: run.code, rows: JSON.parse(run.stdout) as Row[], stdout: run.stdout, stderr: run.stderr };
}

async function waitForStatus(agent: string, status: string, timeoutMs = 30_000): Promise<Row> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = (await authStatus()).rows.find((r) => r.agent === agent);
    if (row?.status === status) return row;
    if (Date.now() > deadline) throw new Error(`${agent} never reached ${status}; last: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

beforeAll(async () => {
  server = await startAuthorizationServer({ emulate: ['google'] });
  [client] = server.clients as [SandboxClient];
  const issuer = JSON.stringify(server.issuer);
  home = await makeAgentHome([
    // Signs in without the demo API's scope at first, so `auth refresh --scopes email` has something to add.
    { name: 'mail', source: agentSource({ name: 'sandbox', provider: issuer, scopes: ['openid', 'offline_access'], id: 'sb_client_id', secret: 'sb_client_secret' }), yaml: 'secrets: [sb_client_id, sb_client_secret]' },
    { name: 'nosecrets', source: agentSource({ name: 'work', provider: issuer, scopes: ['openid'], id: 'unset_client_id', secret: 'unset_client_secret' }), yaml: 'secrets: [unset_client_id, unset_client_secret]' },
    // Google through the sandbox's emulator address: the preset needs no discovery, so its status is known offline.
    { name: 'emu', source: agentSource({ name: 'gmail', provider: "'google'", scopes: ['openid', 'email'], id: 'g_client_id', secret: 'g_client_secret' }), yaml: `secrets: [g_client_id, g_client_secret]\nenv: { OPPERATOR_EMULATE: ${JSON.stringify(server.issuer)} }` },
    { name: 'plain', source: "import { Agent } from '@opperator/sdk';\nexport default class P extends Agent { initialize() { this.registerCommand('hello', () => 'hi'); } }\n" },
  ]);
  await runCli(['secret', 'set', 'sb_client_id'], { env: env(), input: client.clientId });
  await runCli(['secret', 'set', 'sb_client_secret'], { env: env(), input: client.clientSecret! });
  // The emulated Google knows the sandbox's confidential client.
  await runCli(['secret', 'set', 'g_client_id'], { env: env(), input: client.clientId });
  await runCli(['secret', 'set', 'g_client_secret'], { env: env(), input: client.clientSecret! });
  expect((await cli('daemon', 'start')).code).toBe(0);
  for (const agent of ['mail', 'nosecrets', 'emu', 'plain']) expect((await cli('agent', 'start', agent)).code).toBe(0);
}, 90_000);

afterAll(async () => {
  await cli('daemon', 'stop');
  await server?.close();
  await home?.remove();
});

describe('opperator auth', () => {
  it('status lists every sign-in with its state, emulated or real, and the fix; an agent without sign-ins is not listed; exit 5 when one needs attention', async () => {
    await waitForStatus('nosecrets', 'credentials-missing');
    const { code, rows } = await authStatus();
    expect(code).toBe(5);
    expect(rows.map((r) => `${r.agent}/${r.name}`).sort()).toEqual(['emu/gmail', 'mail/sandbox', 'nosecrets/work']);
    expect(rows.find((r) => r.agent === 'mail')).toMatchObject({ status: 'not-signed-in', tokenState: 'not-authorized', emulated: false, next: 'opperator auth login mail sandbox' });
    expect(rows.find((r) => r.agent === 'nosecrets')).toMatchObject({ status: 'credentials-missing', missingSecrets: [{ name: 'unset_client_id' }, { name: 'unset_client_secret' }], next: 'opperator secret set unset_client_id; opperator secret set unset_client_secret' });
    expect(rows.find((r) => r.agent === 'emu')).toMatchObject({ status: 'not-signed-in', provider: 'Google', emulated: true, emulator: server.issuer });

    const human = await cli('auth', 'status');
    expect(human.code).toBe(5);
    expect(human.stdout).toContain('✗ sandbox: not signed in');
    expect(human.stdout).toContain('Next: opperator auth login mail sandbox');
    expect(human.stdout).toContain('✗ work: client credentials missing');
    expect(human.stdout).not.toContain('plain');
  }, 60_000);

  it('login, refresh --scopes and token: the token carries the added scope and the sandbox API accepts it; no token in status, logs or state', async () => {
    const login = await cli('auth', 'login', 'mail');
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toMatch(/Verified as/);
    const signedIn = await waitForStatus('mail', 'signed-in');
    expect(signedIn.scopes).not.toContain('email');
    expect(Date.parse(signedIn.expiresAt!)).toBeGreaterThan(Date.now());
    expect(signedIn.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    // The demo API needs `email`: refused before the refresh, accepted after.
    const profile = (token: string) => fetch(`${server.demoApiUrl}/users/me/profile`, { headers: { authorization: `Bearer ${token}` } });
    const before = await cli('auth', 'token', 'mail', 'sandbox');
    expect(before.code, before.stderr).toBe(0);
    expect((await profile(before.stdout.trim())).status).toBe(403);

    const refresh = await cli('auth', 'refresh', 'mail', '--scopes', 'email');
    expect(refresh.code, refresh.stderr).toBe(0);
    const widened = await waitForStatus('mail', 'signed-in');
    expect(widened.scopes).toEqual(expect.arrayContaining(['openid', 'offline_access', 'email']));

    const token = await cli('auth', 'token', 'mail');
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout).toMatch(/^[\x21-\x7e]+\n$/);
    expect(token.stderr).toBe('');
    const accessToken = token.stdout.trim();
    expect((await profile(accessToken)).status).toBe(200);
    const json = JSON.parse((await cli('auth', 'token', 'mail', '--json')).stdout) as { accessToken: string; tokenType?: string; expiresAt?: string };
    expect(json).toMatchObject({ accessToken, expiresAt: expect.stringMatching(/Z$/) });

    // The token is in the token file and nowhere else the runtime writes.
    const status = await authStatus();
    const outputs = [status.stdout, status.stderr, (await cli('auth', 'status')).stdout, (await cli('agent', 'logs', 'mail', '-n', '1000')).stdout, (await cli('task', 'list', '--json')).stdout, (await cli('agent', 'sections', 'mail', '--json')).stdout];
    for (const output of outputs) expect(output.includes(accessToken)).toBe(false);
    const files = (await readdir(home.path, { recursive: true, withFileTypes: true })).filter((e) => e.isFile() && !e.parentPath.includes('node_modules')).map((e) => join(e.parentPath, e.name));
    for (const file of files.filter((f) => !f.endsWith('token.json'))) expect((await readFile(file, 'latin1')).includes(accessToken), file).toBe(false);
  }, 120_000);

  it('about to expire with no refresh token: signed in with a warning; a dead grant (revoked at the provider, access token expired) reads sign-in-again, and token fails with the fix', async () => {
    if ((await authStatus()).rows.find((r) => r.agent === 'mail')?.status !== 'signed-in') expect((await cli('auth', 'login', 'mail')).code).toBe(0);
    const tokenFile = join(home.path, 'agents', 'mail', 'token.json');
    const stored = JSON.parse(await readFile(tokenFile, 'utf8')) as Record<string, unknown>;
    // Expiring: a minute left (inside the refresh skew) and no refresh token to renew it.
    const { refreshToken: _kept, ...withoutRefresh } = stored;
    await writeFile(tokenFile, JSON.stringify({ ...withoutRefresh, obtainedAt: new Date(Date.now() - 3_540_000).toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString() }), { mode: 0o600 });
    expect((await cli('agent', 'restart', 'mail')).code).toBe(0);
    const expiring = await waitForStatus('mail', 'signed-in');
    // Nothing can renew it early, so it stays valid to the end, with a warning to sign in before then.
    expect(expiring).toMatchObject({ tokenState: 'valid', hasRefreshToken: false });
    expect((expiring as Row & { warnings: string[] }).warnings.join(' ')).toContain('no refresh token to renew it');
    const human = (await cli('auth', 'status', 'mail')).stdout;
    expect(human).toMatch(/Access token valid until .*\n.*No refresh token: sign in again when the access token expires/);
    expect(human).toContain('Warning: The access token expires at');

    await server.revokeGrants();
    await writeFile(tokenFile, JSON.stringify({ ...stored, expiresAt: new Date(Date.now() - 60_000).toISOString() }), { mode: 0o600 });
    expect((await cli('agent', 'restart', 'mail')).code).toBe(0);
    const dead = await waitForStatus('mail', 'sign-in-again');
    expect(dead).toMatchObject({ tokenState: 'reauthorization-required', next: 'opperator auth login mail sandbox' });
    const token = await cli('auth', 'token', 'mail');
    expect(token.code).toBe(6);
    expect(token.stdout).toBe('');
    expect(token.stderr).toMatch(/again: the provider refused the refresh token \(invalid_grant/);
    expect(token.stderr).toContain('Sign in: opperator auth login mail sandbox');
  }, 90_000);

  it('expiring: emulated Google signed in, its token endpoint failing (503) while the access token nears expiry: signed in, token state expiring, emulated', async () => {
    const login = await cli('auth', 'login', 'emu');
    expect(login.code, login.stderr).toBe(0);
    expect((await waitForStatus('emu', 'signed-in')).emulated).toBe(true);
    server.emulators.google!.failNext({ count: 1000, status: 503, retryAfterSeconds: 60 });
    const tokenFile = join(home.path, 'agents', 'emu', 'token.json');
    const stored = JSON.parse(await readFile(tokenFile, 'utf8')) as Record<string, unknown>;
    await writeFile(tokenFile, JSON.stringify({ ...stored, obtainedAt: new Date(Date.now() - 3_500_000).toISOString(), expiresAt: new Date(Date.now() + 100_000).toISOString() }), { mode: 0o600 });
    expect((await cli('agent', 'restart', 'emu')).code).toBe(0);
    const row = await waitForStatus('emu', 'signed-in');
    expect(row).toMatchObject({ tokenState: 'expiring', provider: 'Google', emulated: true, emulator: server.issuer, hasRefreshToken: true });
    const human = await cli('auth', 'status', 'emu');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('✓ gmail: signed in to Google (emulated)');
    expect(human.stdout).toContain(`Emulated at ${server.issuer}`);
  }, 90_000);

  it('names: unknown agent and sign-in get a did-you-mean (exit 3), a stopped agent says how to start it (exit 5)', async () => {
    const agent = await cli('auth', 'login', 'mial');
    expect(agent.code).toBe(3);
    expect(agent.stderr).toContain('Did you mean mail?');
    const name = await cli('auth', 'token', 'mail', 'sandbx');
    expect(name.code).toBe(3);
    expect(name.stderr).toContain('Did you mean sandbox?');
    const none = await cli('auth', 'login', 'plain');
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('has no sign-ins');

    expect((await cli('agent', 'stop', 'nosecrets')).code).toBe(0);
    const stopped = await cli('auth', 'token', 'nosecrets');
    expect(stopped.code).toBe(5);
    expect(stopped.stderr).toContain('opperator agent start nosecrets');
    const row = (await authStatus()).rows.find((r) => r.agent === 'nosecrets');
    expect(row).toMatchObject({ name: 'work', status: 'agent-not-running', agentState: 'stopped', next: 'opperator agent start nosecrets' });
  }, 60_000);

  it('logout revokes and deletes the tokens: not signed in again', async () => {
    await cli('auth', 'login', 'mail');
    await waitForStatus('mail', 'signed-in');
    const logout = await cli('auth', 'logout', 'mail', '--json');
    expect(logout.code, logout.stderr).toBe(0);
    expect(JSON.parse(logout.stdout)).toMatchObject({ cleared: true });
    await waitForStatus('mail', 'not-signed-in');
    await waitForSection('mail', 'oauth_sandbox', 'Not Authenticated', { env: env() });
  }, 90_000);
});
