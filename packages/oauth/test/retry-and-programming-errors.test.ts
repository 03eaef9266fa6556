import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_WAIT_MS, OAuthError, type OAuthProvider } from '../src/index.js';
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
