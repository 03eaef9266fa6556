import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_WAIT_MS, OAuthError, type OAuthProvider } from '../src/index.js';
import { translateProviderError } from '../src/translate-error.js';
import { expiredTokens, fakeProviderClient, json } from './provider-harness.js';

const ISSUER = 'https://as.example.test';
const provider: OAuthProvider = { name: 'example', issuer: ISSUER, metadata: { issuer: ISSUER, token_endpoint: `${ISSUER}/token` }, defaultScopes: [] };
const TOKEN = `${ISSUER}/token`;
const refreshed = () => json(200, { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600 });

describe('Retry-After (RFC 9110 §10.2.3) on refresh', () => {
  it.each([
    [429, { error: 'temporarily_unavailable' }],
    [503, { error: 'temporarily_unavailable' }],
    [429, 'Too Many Requests'],
  ])('waits the %d answer\'s Retry-After before trying again, not the shorter backoff', async (status, body) => {
    let calls = 0;
    const { client, store, toUrl } = fakeProviderClient(provider, {
      [TOKEN]: () => (++calls === 1 ? (typeof body === 'string' ? new Response(body, { status, headers: { 'retry-after': '1' } }) : json(status, body, { 'retry-after': '1' })) : refreshed()),
    });
    await store.save(expiredTokens());
    expect(await client.getAccessToken()).toBe('at-1');
    const [first, second] = toUrl(TOKEN);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(990);
  });

  it('does not wait inline for a Retry-After beyond the cap: the error says how long', async () => {
    const { client, store, toUrl } = fakeProviderClient(provider, { [TOKEN]: () => json(429, { error: 'rate_limited' }, { 'retry-after': '120' }) });
    await store.save(expiredTokens());
    const failure = await client.getAccessToken().catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'OAUTH_PROVIDER_ERROR', status: 429, retryAfterMs: 120_000 });
    expect(120_000).toBeGreaterThan(MAX_RETRY_AFTER_WAIT_MS);
    expect(toUrl(TOKEN)).toHaveLength(1);
  });
});

describe('programming errors', () => {
  it('lets a TypeError from bad arguments through, unretried and not called a network failure', async () => {
    const { client, store, requests } = fakeProviderClient(provider, {
      [TOKEN]: () => {
        throw new TypeError('Headers.append: "x\\n" is an invalid header value.');
      },
    });
    await store.save(expiredTokens());
    const failure = await client.getAccessToken().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(TypeError);
    expect(failure).not.toBeInstanceOf(OAuthError);
    expect(requests).toHaveLength(1);
  });

  it('still reports a refused connection as OAUTH_NETWORK, retried', async () => {
    let calls = 0;
    const { client, store, requests } = fakeProviderClient(provider, {
      [TOKEN]: () => {
        if (++calls < 3) throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND as.example.test'), { code: 'ENOTFOUND' }) });
        return refreshed();
      },
    });
    await store.save(expiredTokens());
    expect(await client.getAccessToken()).toBe('at-1');
    expect(requests).toHaveLength(3);
  });
});

// The errors below are the ones Node's own fetch (undici) throws, not
// hand-made look-alikes: only a TypeError whose cause carries a system code
// is a network failure.
describe('which TypeErrors from the real fetch count as network failures', () => {
  const closedPort = async (): Promise<number> => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  };
  const thrownBy = (work: Promise<unknown>) => work.then(() => expect.unreachable('fetch succeeded'), (err: unknown) => err);

  it('a refused connection (cause ECONNREFUSED) and a reset one (cause UND_ERR_SOCKET) are OAUTH_NETWORK', async () => {
    const refused = await thrownBy(fetch(`http://127.0.0.1:${await closedPort()}/token`));
    expect(translateProviderError(refused, 'refresh')).toMatchObject({ code: 'OAUTH_NETWORK', message: expect.stringContaining('ECONNREFUSED') });

    const resetting = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
    try {
      const reset = await thrownBy(fetch(`http://127.0.0.1:${(resetting.address() as AddressInfo).port}/token`));
      expect(translateProviderError(reset, 'refresh')).toMatchObject({ code: 'OAUTH_NETWORK', message: expect.stringContaining('UND_ERR_SOCKET') });
    } finally {
      resetting.close();
    }
  });

  it.each([
    ['an invalid header value (no cause)', () => fetch('http://127.0.0.1/token', { headers: { 'x-bad': 'a\nb' } })],
    ['a URL that does not parse (cause ERR_INVALID_URL)', () => fetch('not a url')],
    ['a GET with a body (no cause)', () => fetch('http://127.0.0.1/token', { method: 'GET', body: 'x' })],
  ])('%s is a programming error, rethrown as it is', async (_name, call) => {
    const error = await thrownBy(call());
    expect(error).toBeInstanceOf(TypeError);
    expect(() => translateProviderError(error, 'refresh')).toThrow(error as TypeError);
  });

  it('through the client: a real refused connection is retried and reported as OAUTH_NETWORK; a real bad-argument TypeError is not retried', async () => {
    const port = await closedPort();
    const refused = fakeProviderClient(provider, { [TOKEN]: () => fetch(`http://127.0.0.1:${port}/token`) });
    await refused.store.save(expiredTokens());
    expect(await refused.client.getAccessToken().catch((err: unknown) => err)).toMatchObject({ code: 'OAUTH_NETWORK' });
    expect(refused.requests.length).toBeGreaterThan(1);

    const misused = fakeProviderClient(provider, { [TOKEN]: () => fetch(`http://127.0.0.1:${port}/token`, { headers: { 'x-bad': 'a\nb' } }) });
    await misused.store.save(expiredTokens());
    const failure = await misused.client.getAccessToken().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(TypeError);
    expect(failure).not.toBeInstanceOf(OAuthError);
    expect(misused.requests).toHaveLength(1);
  });
});
