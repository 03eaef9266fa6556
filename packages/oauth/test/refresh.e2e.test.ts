import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { TestBrowser, makeTempDir, type SignInResult, type TempDir } from '@opperator/testing';
import { FileTokenStore, OAuthClient, ReauthorizationRequiredError, discoverProvider, type OAuthProvider } from '../src/index.js';

// Refresh against a real oidc-provider whose access tokens live 2 s, with its
// public client (which rotates refresh tokens on every use), and real
// processes sharing one token file.

const ACCESS_TOKEN_TTL_S = 2;
const LOCK_STALE_MS = 5_000;
let server: RunningAuthorizationServer;
let provider: OAuthProvider;
let browser: TestBrowser;
let temp: TempDir;
let publicClient: SandboxClient;
let confidential: SandboxClient;

beforeAll(async () => {
  server = await startAuthorizationServer({ accessTokenTtlSeconds: ACCESS_TOKEN_TTL_S });
  [confidential, publicClient] = server.clients as [SandboxClient, SandboxClient];
  provider = await discoverProvider(server.issuer);
  browser = await TestBrowser.launch();
  temp = await makeTempDir();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await temp?.remove();
});

let files = 0;
interface ClientOptions { tokenPath?: string; now?: () => number; fetch?: typeof fetch; scopes?: string[]; client?: SandboxClient }
function makeClient(options: ClientOptions = {}) {
  const registration = options.client ?? publicClient;
  const tokenPath = options.tokenPath ?? join(temp.path, `t${++files}`, 'token.json');
  const client = new OAuthClient({
    provider,
    clientId: registration.clientId,
    ...(registration.clientSecret ? { clientSecret: registration.clientSecret } : {}),
    scopes: options.scopes ?? ['openid', 'offline_access'],
    store: new FileTokenStore(tokenPath, { lockStaleMs: LOCK_STALE_MS }),
    ...(options.now ? { now: options.now } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return { client, tokenPath };
}

async function signIn(client: OAuthClient, scopes?: string[]) {
  let page: Promise<SignInResult> | undefined;
  let url = '';
  const tokens = await client.authorize({ ...(scopes ? { scopes } : {}), openBrowser: (u) => { url = u; page = browser.signIn(u); } });
  await page;
  return { tokens, authorizationUrl: url };
}

/** A fetch that counts refresh requests and passes everything to the real fetch. */
function countingFetch() {
  const counts = { refresh: 0 };
  const wrapped = (async (input: string | URL | Request, init?: RequestInit) => {
    if (String(init?.body ?? '').includes('grant_type=refresh_token')) counts.refresh += 1;
    return fetch(input, init);
  }) as typeof fetch;
  return { counts, fetch: wrapped };
}

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function runNode(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const firstLine = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, firstLine, exited, output: () => out };
}

describe('refresh against oidc-provider', () => {
  it('1,000 concurrent getAccessToken() on an expired token make one token request', async () => {
    const { client, tokenPath } = makeClient();
    const { tokens } = await signIn(client);
    const counter = countingFetch();
    const later = makeClient({ tokenPath, now: () => Date.now() + 3_600_000, fetch: counter.fetch }).client;
    const results = await Promise.all(Array.from({ length: 1000 }, () => later.getAccessToken()));
    expect(counter.counts.refresh).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(results[0]).not.toBe(tokens.accessToken);
    const stored = JSON.parse(await readFile(tokenPath, 'utf8'));
    expect(stored.refreshToken).not.toBe(tokens.refreshToken); // the public client's token rotated, and was saved
  });

  it('8 processes sharing the token file refresh once per expiry window with zero invalid_grant', async () => {
    const { client, tokenPath } = makeClient();
    await signIn(client);
    const durationMs = 7_000;
    const workers = Array.from({ length: 8 }, () => runNode([fixture('refresh-worker.ts'), server.issuer, publicClient.clientId, tokenPath, String(durationMs), String(LOCK_STALE_MS)]));
    await Promise.all(workers.map((w) => w.exited));
    const reports = workers.map((w) => JSON.parse(w.output().trim().split('\n').at(-1) ?? '{}') as { refreshRequests: number; invalidGrants: number; errors: string[]; tokens: string[] });
    const refreshes = reports.reduce((sum, r) => sum + r.refreshRequests, 0);
    const distinctTokens = new Set(reports.flatMap((r) => r.tokens));
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    expect(reports.reduce((sum, r) => sum + r.invalidGrants, 0)).toBe(0);
    // Tokens live 2 s and are due after 1.5 s: about 4-5 windows in 7 s, one refresh each.
    expect(refreshes).toBeGreaterThanOrEqual(3);
    expect(refreshes).toBeLessThanOrEqual(Math.ceil(durationMs / 1_500) + 1);
    // Every refresh produced a token that the workers then shared.
    expect(distinctTokens.size).toBeGreaterThanOrEqual(refreshes);
    expect(distinctTokens.size).toBeLessThanOrEqual(refreshes + 1);
  }, 30_000);

  it('takes over the lock of a process killed while holding it', async () => {
    const { client, tokenPath } = makeClient();
    await signIn(client);
    const holder = runNode([fixture('lock-holder.ts'), tokenPath, String(LOCK_STALE_MS)]);
    await holder.firstLine;
    holder.child.kill('SIGKILL');
    await holder.exited;
    const later = makeClient({ tokenPath, now: () => Date.now() + 3_600_000 }).client;
    const waits: unknown[] = [];
    later.on('lock-wait', (event) => waits.push(event));
    const started = Date.now();
    expect(await later.getAccessToken()).toBeTruthy();
    expect(waits).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(LOCK_STALE_MS + 3_000);
  }, 20_000);

  it('a revoked grant gives ReauthorizationRequiredError and marks the store without deleting it', async () => {
    const { client, tokenPath } = makeClient();
    const { tokens } = await signIn(client);
    const metadata = provider.metadata!;
    const revoked = await fetch(metadata.revocation_endpoint!, { method: 'POST', body: new URLSearchParams({ token: tokens.refreshToken!, token_type_hint: 'refresh_token', client_id: publicClient.clientId }) });
    expect(revoked.ok).toBe(true);
    const later = makeClient({ tokenPath, now: () => Date.now() + 3_600_000 }).client;
    const reasons: string[] = [];
    later.on('reauthorization-required', (event) => reasons.push(event.reason));
    await expect(later.getAccessToken()).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    await expect(later.getAccessToken()).rejects.toMatchObject({ code: 'OAUTH_REAUTHORIZATION_REQUIRED' });
    expect(reasons).toHaveLength(1);
    const stored = JSON.parse(await readFile(tokenPath, 'utf8'));
    expect(stored.refreshToken).toBe(tokens.refreshToken);
    expect(stored.reauthorizationRequired.reason).toMatch(/invalid_grant/);
    expect((await later.status()).state).toBe('reauthorization-required');
    // Signing in again clears the mark.
    await signIn(later);
    expect((await later.status()).state).toBe('valid');
  });

  it('adds scopes without dropping the granted ones', async () => {
    const { client } = makeClient({ scopes: ['openid', 'offline_access'] });
    await signIn(client);
    const before = await client.status();
    expect(before.scopes).not.toContain('email');
    const { tokens, authorizationUrl } = await signIn(client, ['email']);
    expect(new URL(authorizationUrl).searchParams.get('scope')?.split(' ').sort()).toEqual(['email', 'offline_access', 'openid']);
    expect(tokens.scopes).toEqual(expect.arrayContaining(['openid', 'offline_access', 'email']));
    expect(tokens.account).toMatch(/@sandbox\.test$/);
  });

  it('fetch() refreshes once and retries when the API stops accepting a still-unexpired access token', async () => {
    const { client } = makeClient({ client: confidential });
    const { tokens } = await signIn(client);
    const api = await startIntrospectingApi(confidential);
    try {
      const first = await client.fetch(`${api.url}/me`);
      expect(first.status).toBe(200);
      // The resource server invalidates the token (say, after a key rotation) although it has not expired.
      api.rejected.add(tokens.accessToken);
      const second = await client.fetch(`${api.url}/me`);
      expect(second.status).toBe(200);
      expect(api.seen).toEqual([200, 401, 200]);
      expect(await client.getAccessToken()).not.toBe(tokens.accessToken);
    } finally {
      api.server.close();
    }
  });

  it('revoke() ends the grant at the provider and clears the store', async () => {
    const { client, tokenPath } = makeClient();
    const { tokens } = await signIn(client);
    const result = await client.revoke();
    expect(result).toMatchObject({ revoked: true, cleared: true });
    await expect(readFile(tokenPath, 'utf8')).rejects.toThrow();
    expect((await client.status()).state).toBe('not-authorized');
    const refresh = await fetch(provider.metadata!.token_endpoint!, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken!, client_id: publicClient.clientId }) });
    expect(refresh.status).toBe(400);
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('keepFresh() refreshes in the background until aborted', async () => {
    const { client } = makeClient();
    await signIn(client);
    const refreshed: number[] = [];
    client.on('refreshed', () => refreshed.push(Date.now()));
    const controller = new AbortController();
    const loop = client.keepFresh({ signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    controller.abort();
    await loop;
    expect(refreshed.length).toBeGreaterThanOrEqual(1);
    expect(refreshed.length).toBeLessThanOrEqual(3);
    const count = refreshed.length;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(refreshed.length).toBe(count);
  }, 20_000);
});

const basic = (c: SandboxClient) => `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;

/**
 * A tiny resource server: accepts a bearer token while oidc-provider's
 * introspection says it is active and it is not in `rejected`.
 */
async function startIntrospectingApi(client: SandboxClient): Promise<{ server: Server; url: string; seen: number[]; rejected: Set<string> }> {
  const seen: number[] = [];
  const rejected = new Set<string>();
  const introspection = provider.metadata!.introspection_endpoint!;
  const api = createServer(async (req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const result = (await (await fetch(introspection, { method: 'POST', headers: { authorization: basic(client) }, body: new URLSearchParams({ token }) })).json()) as { active: boolean };
    const status = result.active && !rejected.has(token) ? 200 : 401;
    seen.push(status);
    res.writeHead(status, status === 401 ? { 'www-authenticate': 'Bearer error="invalid_token"' } : { 'content-type': 'application/json' }).end(status === 200 ? '{"ok":true}' : '');
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  return { server: api, url: `http://127.0.0.1:${(api.address() as { port: number }).port}`, seen, rejected };
}
