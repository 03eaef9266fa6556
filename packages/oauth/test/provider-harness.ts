import { MemoryTokenStore, OAuthClient, type OAuthClientOptions, type OAuthProvider, type StoredTokens } from '../src/index.js';
import { readAuthorizationRequest } from './helpers.js';

// A provider faked at the injected fetch seam only: answers are chosen by
// the request's URL, in the shapes the providers document (each test cites
// its source). Everything from openid-client inwards is the real code.

/** One request the fake provider received. */
export interface FakeRequest {
  url: string;
  method: string;
  body: URLSearchParams;
  headers: Headers;
  at: number;
}

/** Answers a request; the URL is the real provider URL the client asked for. */
export type FakeRoute = (request: FakeRequest) => Response | Promise<Response>;

/** A JSON response as a provider sends it. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });

/** A client for `provider` whose requests go to `routes` (URL prefix → answer), with a memory store. */
export function fakeProviderClient(provider: OAuthProvider, routes: Record<string, FakeRoute>, options: Partial<OAuthClientOptions> = {}) {
  const requests: FakeRequest[] = [];
  const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    const request = { url, method: init?.method ?? 'GET', body: new URLSearchParams(typeof init?.body === 'string' ? init.body : String(init?.body ?? '')), headers: new Headers(init?.headers), at: Date.now() };
    requests.push(request);
    const route = Object.entries(routes).find(([prefix]) => url.startsWith(prefix));
    if (!route) return json(404, { message: `no route for ${url}` });
    return route[1](request);
  }) as typeof fetch;
  const store = (options.store as MemoryTokenStore | undefined) ?? new MemoryTokenStore();
  const client = new OAuthClient({ provider, clientId: 'client-1', clientSecret: 'secret', store, fetch: fakeFetch, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...options });
  const toUrl = (prefix: string) => requests.filter((request) => request.url.startsWith(prefix));
  return { client, store, requests, toUrl };
}

/** Signs `client` in through the real loopback receiver: the "browser" follows the redirect with a code. */
export async function signInWithCode(client: OAuthClient): Promise<unknown> {
  return client
    .authorize({
      timeoutMs: 10_000,
      openBrowser: (url) => {
        const { redirectUri, state } = readAuthorizationRequest(url);
        void fetch(`${redirectUri}?${new URLSearchParams({ code: 'the-code', state })}`).then((response) => response.text());
      },
    })
    .then(
      () => undefined,
      (error: unknown) => error,
    );
}

/** Stored tokens whose access token has expired, so the next use refreshes. */
export function expiredTokens(overrides: Partial<StoredTokens> = {}): StoredTokens {
  const now = Date.now();
  return { issuer: 'https://example.invalid', clientId: 'client-1', tokenType: 'bearer', accessToken: 'at-0', refreshToken: 'rt-0', scopes: [], obtainedAt: now - 3_600_000, expiresAt: now - 1_000, ...overrides };
}
