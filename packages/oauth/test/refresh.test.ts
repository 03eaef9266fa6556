import { describe, expect, it } from 'vitest';
import { MemoryTokenStore, OAuthClient, ReauthorizationRequiredError, providers, type OAuthClientEventMap, type OAuthProvider, type StoredTokens } from '../src/index.js';
import { refusedConnection } from './helpers.js';

// Refresh logic against a provider faked at the injected fetch seam, with an
// injected clock. Cross-process behaviour is tested against oidc-provider in
// refresh.e2e.test.ts.

const ISSUER = 'https://as.example.test';
const provider: OAuthProvider = {
  name: 'example',
  issuer: ISSUER,
  metadata: { issuer: ISSUER, authorization_endpoint: `${ISSUER}/authorize`, token_endpoint: `${ISSUER}/token`, revocation_endpoint: `${ISSUER}/revoke` },
  defaultScopes: ['read'],
};
const T0 = Date.parse('2026-11-23T12:00:00Z');

type Handler = (body: URLSearchParams, url: string, headers: Headers) => Response | Promise<Response>;
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function setup(options: { handler: Handler; tokens?: Partial<StoredTokens>; provider?: OAuthProvider; retry?: { baseDelayMs: number } }) {
  const store = new MemoryTokenStore();
  const clock = { now: T0 };
  const requests: Array<{ url: string; body: URLSearchParams }> = [];
  const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const body = new URLSearchParams(String(init?.body ?? ''));
    requests.push({ url: String(input), body });
    return options.handler(body, String(input), new Headers(init?.headers));
  }) as typeof fetch;
  const client = new OAuthClient({
    provider: options.provider ?? provider,
    clientId: 'client-1',
    clientSecret: 'secret',
    scopes: ['read'],
    store,
    fetch: fakeFetch,
    now: () => clock.now,
    retry: { baseDelayMs: options.retry?.baseDelayMs ?? 1, maxDelayMs: 5 },
  });
  const events: Array<[string, unknown]> = [];
  for (const name of ['tokens', 'refreshed', 'rotated', 'lock-wait', 'reauthorization-required'] as const) {
    client.on(name, (payload: OAuthClientEventMap[typeof name][0]) => events.push([name, payload]));
  }
  const seed = (overrides: Partial<StoredTokens> = {}) =>
    store.save({
      issuer: ISSUER,
      clientId: 'client-1',
      tokenType: 'bearer',
      accessToken: 'at-0',
      refreshToken: 'rt-0',
      scopes: ['read'],
      obtainedAt: T0 - 3_600_000,
      expiresAt: T0 - 1,
      ...options.tokens,
      ...overrides,
    });
  return { store, clock, requests, client, events, seed };
}

let counter = 0;
const refreshed = (extra: Record<string, unknown> = {}) => json(200, { access_token: `at-${++counter}`, token_type: 'Bearer', expires_in: 3600, ...extra });

describe('getAccessToken refresh', () => {
  it('serves a valid token from memory without any request', async () => {
    const { client, seed, requests } = setup({ handler: () => refreshed() });
    await seed({ expiresAt: T0 + 3_600_000, obtainedAt: T0 });
    expect(await client.getAccessToken()).toBe('at-0');
    expect(await client.getAccessToken()).toBe('at-0');
    expect(requests).toHaveLength(0);
  });

  it('makes one token request for 1,000 concurrent callers on an expired token', async () => {
    const { client, seed, requests } = setup({ handler: async () => (await new Promise((r) => setTimeout(r, 20)), refreshed({ refresh_token: 'rt-1' })) });
    await seed();
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => client.getAccessToken()));
    expect(requests).toHaveLength(1);
    expect(new Set(tokens).size).toBe(1);
    expect(requests[0]?.body.get('grant_type')).toBe('refresh_token');
    expect(requests[0]?.body.get('refresh_token')).toBe('rt-0');
  });

  it('refreshes ahead of expiry by the skew, and short-lived tokens at a quarter of their lifetime left', async () => {
    const { client, seed, requests, clock } = setup({ handler: () => refreshed() });
    await seed({ obtainedAt: T0, expiresAt: T0 + 3_600_000 });
    clock.now = T0 + 3_600_000 - 5 * 60_000 - 1;
    await client.getAccessToken();
    expect(requests).toHaveLength(0);
    clock.now += 2;
    await client.getAccessToken();
    expect(requests).toHaveLength(1);

    const short = setup({ handler: () => json(200, { access_token: 'short-2', token_type: 'bearer', expires_in: 60 }) });
    await short.seed({ obtainedAt: T0, expiresAt: T0 + 60_000 });
    short.clock.now = T0 + 44_000;
    for (let i = 0; i < 50; i += 1) await short.client.getAccessToken();
    expect(short.requests).toHaveLength(0);
    short.clock.now = T0 + 45_000;
    expect(await short.client.getAccessToken()).toBe('short-2');
    for (let i = 0; i < 50; i += 1) await short.client.getAccessToken();
    expect(short.requests).toHaveLength(1);
  });

  it('persists a rotated refresh token and keeps the old one when none is returned', async () => {
    const rotating = setup({ handler: () => refreshed({ refresh_token: 'rt-rotated' }) });
    await rotating.seed();
    await rotating.client.getAccessToken();
    expect((await rotating.store.load())?.refreshToken).toBe('rt-rotated');
    expect(rotating.events.map(([name]) => name)).toEqual(['rotated', 'refreshed', 'tokens']);
    expect(JSON.stringify(rotating.events)).not.toMatch(/at-\d|rt-/);

    const keeping = setup({ handler: () => refreshed() });
    await keeping.seed();
    await keeping.client.getAccessToken();
    expect((await keeping.store.load())?.refreshToken).toBe('rt-0');
    expect(keeping.events.map(([name]) => name)).toEqual(['refreshed', 'tokens']);
  });

  it('marks the store on invalid_grant, keeps the tokens, and never asks again', async () => {
    const { client, seed, store, requests, events } = setup({ handler: () => json(400, { error: 'invalid_grant', error_description: 'grant revoked' }) });
    await seed();
    const error = await client.getAccessToken().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ReauthorizationRequiredError);
    expect(error).toMatchObject({ code: 'OAUTH_REAUTHORIZATION_REQUIRED' });
    expect((error as ReauthorizationRequiredError).reason).toContain('grant revoked');
    const stored = await store.load();
    expect(stored?.refreshToken).toBe('rt-0');
    expect(stored?.reauthorizationRequired?.reason).toContain('invalid_grant');
    await expect(client.getAccessToken()).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    expect(requests).toHaveLength(1);
    expect(events.filter(([name]) => name === 'reauthorization-required')).toHaveLength(1);
    expect((await client.status()).state).toBe('reauthorization-required');
  });

  it('adopts a refresh token that changed meanwhile instead of giving up on invalid_grant', async () => {
    const setupResult = setup({
      handler: async () => {
        // Another process (not using the lock) refreshed and rotated while our request was in flight.
        await setupResult.store.save({ ...(await setupResult.store.load())!, accessToken: 'at-other', refreshToken: 'rt-other', obtainedAt: T0, expiresAt: T0 + 3_600_000 });
        return json(400, { error: 'invalid_grant' });
      },
    });
    await setupResult.seed();
    expect(await setupResult.client.getAccessToken()).toBe('at-other');
    expect((await setupResult.store.load())?.reauthorizationRequired).toBeUndefined();
  });

  it('retries network failures, 5xx and 429 with backoff, boundedly, and not other 4xx', async () => {
    const answers = [() => { throw refusedConnection(); }, () => json(503, { error: 'temporarily_unavailable' }), () => json(429, { error: 'slow_down' }), () => refreshed()];
    const flaky = setup({ handler: () => answers.shift()!() });
    await flaky.seed();
    expect(await flaky.client.getAccessToken()).toMatch(/^at-/);
    expect(flaky.requests).toHaveLength(4);
    expect(flaky.events.find(([name]) => name === 'refreshed')?.[1]).toMatchObject({ attempts: 4 });

    const down = setup({ handler: () => json(500, { error: 'server_error' }) });
    await down.seed();
    await expect(down.client.getAccessToken()).rejects.toMatchObject({ code: 'OAUTH_SERVER_ERROR' });
    expect(down.requests).toHaveLength(4);
    expect((await down.store.load())?.reauthorizationRequired).toBeUndefined();

    const refused = setup({ handler: () => json(400, { error: 'invalid_request' }) });
    await refused.seed();
    await expect(refused.client.getAccessToken()).rejects.toMatchObject({ code: 'OAUTH_PROVIDER_ERROR' });
    expect(refused.requests).toHaveLength(1);
  });

  it('serves an access token without a refresh token until it expires: nothing can renew it early, so it is not declared dead at the refresh skew', async () => {
    const { client, seed, clock, requests } = setup({ handler: () => refreshed() });
    await seed({ obtainedAt: T0, expiresAt: T0 + 3_600_000, refreshToken: undefined });
    clock.now = T0 + 3_540_000; // a minute left, well inside the five-minute skew
    await expect(client.getAccessToken()).resolves.toBeTypeOf('string');
    const status = await client.status();
    expect(status.state).toBe('valid');
    expect(status.warnings.join(' ')).toMatch(/no refresh token/);
    clock.now = T0 + 3_600_000;
    await expect(client.getAccessToken()).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    expect(requests).toHaveLength(0);
  });

  it('requires re-authorization when there is no refresh token', async () => {
    const { client, seed, requests } = setup({ handler: () => refreshed() });
    await seed({ refreshToken: undefined });
    await expect(client.getAccessToken()).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    expect(requests).toHaveLength(0);
  });
});

describe('status()', () => {
  it('reports each state with times, missing scopes and the Google Testing-mode warning', async () => {
    const { client, seed, clock } = setup({ handler: () => refreshed() });
    expect((await client.status()).state).toBe('not-authorized');
    await seed({ obtainedAt: T0, expiresAt: T0 + 3_600_000 });
    expect(await client.status()).toMatchObject({ state: 'valid', expiresAt: T0 + 3_600_000, refreshDueAt: T0 + 3_300_000, hasRefreshToken: true, missingScopes: [] });
    clock.now = T0 + 3_400_000;
    expect((await client.status()).state).toBe('expiring');
    clock.now = T0 + 3_700_000;
    expect((await client.status()).state).toBe('refreshable');
    await seed({ obtainedAt: T0, expiresAt: T0 + 1, refreshToken: undefined });
    expect((await client.status()).state).toBe('reauthorization-required');

    const google = setup({ handler: () => refreshed(), provider: { ...providers.google } });
    await google.seed({ obtainedAt: T0, expiresAt: T0 + 3_600_000, refreshTokenIssuedAt: T0 - 6.5 * 24 * 3_600_000, scopes: ['openid'] });
    const status = await google.client.status();
    expect(status.missingScopes).toEqual(['read']);
    expect(status.warnings.join('\n')).toMatch(/7 days/);
    expect(JSON.stringify(status)).not.toMatch(/at-0|rt-0/);
  });
});

describe('fetch()', () => {
  it('sends the bearer token, and on a 401 refreshes once and retries once', async () => {
    // The API rejects the old token only; the token endpoint issues new ones.
    const apiCalls: string[] = [];
    const { client: wrapped, seed, requests } = setup({
      handler: (_body, url, headers) => {
        if (url === `${ISSUER}/token`) return refreshed();
        const token = headers.get('authorization') ?? '';
        apiCalls.push(token);
        return token === 'Bearer at-0' ? new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }) : new Response('ok');
      },
    });
    await seed({ obtainedAt: T0, expiresAt: T0 + 3_600_000 });
    const response = await wrapped.fetch('https://api.example.test/me', { headers: { accept: 'application/json' } });
    expect(await response.text()).toBe('ok');
    expect(apiCalls).toEqual(['Bearer at-0', expect.stringMatching(/^Bearer at-\d+$/)]);
    expect(apiCalls[1]).not.toBe('Bearer at-0');
    expect(requests.filter((r) => r.url === `${ISSUER}/token`)).toHaveLength(1);

    // A second 401 is returned as it is: one retry only.
    const alwaysDenied = setup({ handler: (_b, url) => (url === `${ISSUER}/token` ? refreshed() : new Response(null, { status: 401 })) });
    await alwaysDenied.seed({ obtainedAt: T0, expiresAt: T0 + 3_600_000 });
    expect((await alwaysDenied.client.fetch('https://api.example.test/me')).status).toBe(401);
    expect(alwaysDenied.requests.filter((r) => r.url.startsWith('https://api.'))).toHaveLength(2);

    // insufficient_scope is not a token problem: no refresh.
    const scoped = setup({ handler: () => new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' } }) });
    await scoped.seed({ obtainedAt: T0, expiresAt: T0 + 3_600_000 });
    expect((await scoped.client.fetch('https://api.example.test/me')).status).toBe(401);
    expect(scoped.requests).toHaveLength(1);
  });
});

describe('revoke()', () => {
  it('revokes the refresh token at the provider, then clears the store', async () => {
    const { client, seed, store, requests } = setup({ handler: () => new Response(null, { status: 200 }) });
    await seed();
    const result = await client.revoke();
    expect(result).toMatchObject({ revoked: true, cleared: true });
    expect(requests[0]?.url).toBe(`${ISSUER}/revoke`);
    expect(requests[0]?.body.get('token')).toBe('rt-0');
    expect(requests[0]?.body.get('token_type_hint')).toBe('refresh_token');
    expect(await store.load()).toBeUndefined();
  });

  it('clears locally and says so where the provider cannot revoke', async () => {
    const noRevocation: OAuthProvider = { ...provider, metadata: { issuer: ISSUER, token_endpoint: `${ISSUER}/token` } };
    const { client, seed, store, requests } = setup({ handler: () => refreshed(), provider: noRevocation });
    await seed();
    const result = await client.revoke();
    expect(result.revoked).toBe(false);
    expect(result.cleared).toBe(true);
    expect(result.detail).toMatch(/no revocation endpoint/);
    expect(requests).toHaveLength(0);
    expect(await store.load()).toBeUndefined();
  });
});

describe('scopes and refresh token expiry', () => {
  it('asks Google only for the missing scopes, with include_granted_scopes', async () => {
    const { client, seed } = setup({ handler: () => refreshed(), provider: providers.google });
    await seed({ issuer: 'https://accounts.google.com', scopes: ['openid', 'email'], obtainedAt: T0, expiresAt: T0 + 3_600_000 });
    let authorizationUrl = '';
    const gmail = 'https://www.googleapis.com/auth/gmail.readonly';
    await expect(client.authorize({ scopes: [gmail], timeoutMs: 50, openBrowser: (url) => void (authorizationUrl = url) })).rejects.toMatchObject({ code: 'OAUTH_TIMEOUT' });
    const params = new URL(authorizationUrl).searchParams;
    expect(params.get('scope')?.split(' ').sort()).toEqual(['read', gmail].sort());
    expect(params.get('include_granted_scopes')).toBe('true');
    expect((await client.status()).missingScopes).toEqual(['read']);
  });

  it('refreshes before the refresh token itself expires (refresh_token_expires_in)', async () => {
    const { client, seed, requests, clock } = setup({ handler: () => refreshed({ refresh_token: 'rt-new', refresh_token_expires_in: 86_400 }) });
    // The access token is good for a day, but the refresh token dies in an hour.
    await seed({ obtainedAt: T0, expiresAt: T0 + 86_400_000, refreshTokenIssuedAt: T0, refreshTokenExpiresAt: T0 + 3_600_000 });
    clock.now = T0 + 3_600_000 - 5 * 60_000 - 1;
    await client.getAccessToken();
    expect(requests).toHaveLength(0);
    clock.now += 2;
    await client.getAccessToken();
    expect(requests).toHaveLength(1);
    expect(await client.status()).toMatchObject({ refreshTokenExpiresAt: clock.now + 86_400_000 });
  });
});
