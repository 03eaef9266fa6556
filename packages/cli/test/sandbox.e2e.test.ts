import { readFile, stat } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryTokenStore, OAuthClient, discoverProvider, type StoredTokens } from '@opperator/oauth';
import { TestBrowser, makeTempDir, runCli, type TempDir } from '@opperator/testing';

// `opperator sandbox start|status|revoke|stop` as real processes against a
// temporary OPPERATOR_HOME, on a free port picked here (the default 9440 may
// be taken); sign-ins in a real Chromium against the background sandbox.

let home: TempDir;
let port: number;
let browser: TestBrowser;
const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });

function listenAnywhere(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function freePort(): Promise<number> {
  const server = await listenAnywhere();
  const { port: free } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return free;
}

interface Status {
  running: boolean;
  pid: number;
  issuer: string;
  port: number;
  demoApiUrl: string;
  githubApiUrl: string;
  clients: Array<{ clientId: string; clientSecret?: string; confidential?: boolean }>;
}

beforeAll(async () => {
  [home, port, browser] = await Promise.all([makeTempDir(), freePort(), TestBrowser.launch()]);
});

afterAll(async () => {
  await cli('sandbox', 'stop');
  await browser?.close();
  await home?.remove();
});

/** The confidential client's credentials as `sandbox start` recorded them. */
async function recordedClient(): Promise<{ clientId: string; clientSecret: string }> {
  const state = JSON.parse(await readFile(join(home.path, 'state', 'sandbox.json'), 'utf8')) as Status;
  return state.clients.find((c) => c.clientSecret) as { clientId: string; clientSecret: string };
}

/** Signs `login` in at the running sandbox through Chromium, as an agent's authorize command would. */
async function signIn(login: string): Promise<StoredTokens> {
  const issuer = `http://127.0.0.1:${port}`;
  const oauth = new OAuthClient({ provider: await discoverProvider(issuer, { name: 'sandbox' }), ...(await recordedClient()), scopes: ['openid', 'email', 'offline_access'], store: new MemoryTokenStore() });
  let page: Promise<unknown> | undefined;
  const tokens = await oauth.authorize({ openBrowser: (url) => void (page = browser.signIn(url, { login })) });
  await page;
  return tokens;
}

/** A refresh_token grant as any client sends it; the status and `error` tell whether the grant lives. */
async function refresh(refreshToken: string): Promise<{ status: number; error?: string; refreshToken?: string }> {
  const { clientId, clientSecret } = await recordedClient();
  const res = await fetch(`http://127.0.0.1:${port}/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  const body = (await res.json()) as { error?: string; refresh_token?: string };
  return { status: res.status, ...(body.error ? { error: body.error } : {}), ...(body.refresh_token ? { refreshToken: body.refresh_token } : {}) };
}

describe('opperator sandbox', () => {
  it('says it is not running before start (exit 5)', async () => {
    const status = await cli('sandbox', 'status');
    expect(status.code).toBe(5);
    expect(status.stderr).toContain('opperator sandbox start');
  });

  let firstSecret: string | undefined;
  it('starts in the background, prints what an agent needs and records it privately', async () => {
    const started = await cli('sandbox', 'start', '--port', String(port));
    expect(started, started.stderr).toMatchObject({ code: 0 });
    const issuer = `http://127.0.0.1:${port}`;
    expect(started.stdout).toContain(issuer);
    expect(started.stdout).toContain(`${issuer}/gmail/v1`);
    expect(started.stdout).toContain('opperator secret set <agent>_sandbox_client_id opperator-demo');
    expect(started.stdout).toMatch(/opperator secret set <agent>_sandbox_client_secret +# asks for the value: sandbox-secret-\w+/);

    const statePath = join(home.path, 'state', 'sandbox.json');
    expect((await stat(statePath)).mode & 0o777).toBe(0o600);
    const state = JSON.parse(await readFile(statePath, 'utf8')) as Status;
    expect(state).toMatchObject({ issuer, port, pid: expect.any(Number) });
    firstSecret = state.clients.find((c) => c.clientId === 'opperator-demo')?.clientSecret;
    expect(firstSecret).toBeTruthy();
    expect(started.stdout).toContain(firstSecret);

    const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(((await discovery.json()) as { issuer: string }).issuer).toBe(issuer);
    expect((await fetch(`${issuer}/gmail/v1/users/me/profile`)).status).toBe(401);
  });

  it('reports running with --json, client secrets only with --show-secrets', async () => {
    const status = await cli('sandbox', 'status', '--json');
    expect(status, status.stderr).toMatchObject({ code: 0 });
    const body = JSON.parse(status.stdout) as Status;
    const issuer = `http://127.0.0.1:${port}`;
    expect(body).toMatchObject({ running: true, port, issuer, demoApiUrl: `${issuer}/gmail/v1`, githubApiUrl: `${issuer}/github` });
    expect(body.clients).toEqual([
      { clientId: 'opperator-demo', confidential: true },
      { clientId: 'opperator-demo-public', confidential: false },
    ]);
    expect(status.stdout).not.toContain(firstSecret);
    const text = await cli('sandbox', 'status');
    expect(text.stdout).toContain(`${issuer}/github`);
    expect(text.stdout).not.toContain(firstSecret);

    const shown = JSON.parse((await cli('sandbox', 'status', '--json', '--show-secrets')).stdout) as Status;
    expect(shown.clients.find((c) => c.clientId === 'opperator-demo')?.clientSecret).toBe(firstSecret);
  });

  it('says so when started twice', async () => {
    const again = await cli('sandbox', 'start', '--port', String(port));
    expect(again, again.stderr).toMatchObject({ code: 0 });
    expect(again.stdout).toContain('already running');
  });

  let beforeRestart: StoredTokens;
  it('revokes grants with `sandbox revoke`, after which the refresh token is dead', async () => {
    const alice = await signIn('alice');
    beforeRestart = await signIn('bob');
    const revoked = await cli('sandbox', 'revoke', '--account', 'alice');
    expect(revoked, revoked.stderr).toMatchObject({ code: 0 });
    expect(revoked.stdout).toContain('Revoked 1 grant');
    expect(revoked.stdout).toContain('must run their authorize command again');
    expect(await refresh(alice.refreshToken!)).toMatchObject({ status: 400, error: 'invalid_grant' });
    expect((await fetch(`http://127.0.0.1:${port}/gmail/v1/users/me/profile`, { headers: { Authorization: `Bearer ${alice.accessToken}` } })).status).toBe(401);

    const again = await cli('sandbox', 'revoke', '--account', 'alice', '--json');
    expect(again, again.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(again.stdout)).toEqual({ revoked: 0, account: 'alice' });
  });

  it('keeps the client secrets and signed-in agents across stop and start', async () => {
    const stopped = await cli('sandbox', 'stop');
    expect(stopped, stopped.stderr).toMatchObject({ code: 0 });
    expect((await cli('sandbox', 'status')).code).toBe(5);
    const restarted = await cli('sandbox', 'start', '--port', String(port), '--access-token-ttl', '5m');
    expect(restarted, restarted.stderr).toMatchObject({ code: 0 });
    const body = JSON.parse((await cli('sandbox', 'status', '--json', '--show-secrets')).stdout) as Status;
    expect(body.clients.find((c) => c.clientId === 'opperator-demo')?.clientSecret).toBe(firstSecret);
    // Sessions, grants, tokens and keys live in state/sandbox-store.json: bob's refresh token still works.
    expect((await stat(join(home.path, 'state', 'sandbox-store.json'))).mode & 0o777).toBe(0o600);
    const refreshed = await refresh(beforeRestart.refreshToken!);
    expect(refreshed.status).toBe(200);

    const all = await cli('sandbox', 'revoke');
    expect(all.stdout).toContain('Revoked 1 grant at the sandbox; agents signed in there must run their authorize command again.');
  });

  it('stops, after which status and revoke exit 5', async () => {
    const stopped = await cli('sandbox', 'stop');
    expect(stopped, stopped.stderr).toMatchObject({ code: 0 });
    expect(stopped.stdout).toContain('Sandbox stopped');
    const status = await cli('sandbox', 'status', '--json');
    expect(status.code).toBe(5);
    const revoke = await cli('sandbox', 'revoke');
    expect(revoke.code).toBe(5);
    expect(revoke.stderr).toContain('opperator sandbox start');
    await expect(fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`)).rejects.toThrow();
  });

  it('names the port and --port when the port is taken', async () => {
    const blocker = await listenAnywhere();
    const taken = (blocker.address() as AddressInfo).port;
    try {
      const started = await cli('sandbox', 'start', '--port', String(taken));
      expect(started.code).toBe(5);
      expect(started.stderr).toContain(`Port ${taken}`);
      expect(started.stderr).toContain('--port');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('rejects a bad --access-token-ttl as a usage error', async () => {
    const started = await cli('sandbox', 'start', '--port', String(port), '--access-token-ttl', 'soon');
    expect(started.code).toBe(2);
    expect(started.stderr).toContain('--access-token-ttl');
  });
});
