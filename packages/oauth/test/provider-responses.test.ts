import { describe, expect, it } from 'vitest';
import { MemoryTokenStore, OAuthClient, providers, type AuthorizeOptions, type OAuthProvider } from '../src/index.js';
import { isPortClosed, readAuthorizationRequest } from './helpers.js';

// The provider side is faked only at the injected `fetch` seam; the loopback
// receiver, PKCE, state and the token request are the real code. The
// "browser" is a plain request to the receiver, as a provider redirect would be.

const SECRET = 'client-secret-DO-NOT-LEAK';
const ISSUER = 'https://as.example.test';
const fakeProvider: OAuthProvider = {
  name: 'example',
  issuer: ISSUER,
  metadata: {
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/authorize`,
    token_endpoint: `${ISSUER}/token`,
    authorization_response_iss_parameter_supported: true,
  },
  defaultScopes: ['read'],
};

interface TokenRequest {
  url: string;
  body: URLSearchParams;
  headers: Headers;
}

/** Signs in with the token endpoint answering `respond`; returns the outcome, the request sent and the page shown. */
async function signInAgainst(respond: () => Response | Promise<Response>, provider: OAuthProvider = fakeProvider, options: AuthorizeOptions = {}) {
  const requests: TokenRequest[] = [];
  const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(input), body: new URLSearchParams(String(init?.body ?? '')), headers: new Headers(init?.headers) });
    return respond();
  }) as typeof fetch;
  const store = new MemoryTokenStore();
  const client = new OAuthClient({ provider, clientId: 'client-1', clientSecret: SECRET, store, fetch: fakeFetch, now: () => Date.parse('2026-11-23T12:00:00Z') });
  let page: Promise<{ status: number; text: string }> | undefined;
  let authorizationUrl = '';
  const outcome = await client
    .authorize({
      ...options,
      openBrowser: (url) => {
        authorizationUrl = url;
        const { redirectUri, state } = readAuthorizationRequest(url);
        page = fetch(`${redirectUri}?${new URLSearchParams({ code: 'the-code', state, iss: provider.issuer })}`).then(async (r) => ({ status: r.status, text: await r.text() }));
      },
    })
    .then((tokens) => ({ tokens, error: undefined }), (error: unknown) => ({ tokens: undefined, error: error as Error & Record<string, unknown> }));
  return { ...outcome, requests, page: await page, store, client, authorizationUrl };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('token exchange responses (injected fetch)', () => {
  it('sends the code, the PKCE verifier and the exact loopback redirect_uri, and stores the result', async () => {
    const { tokens, requests, page, store, client } = await signInAgainst(() =>
      json(200, { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-1', scope: 'read write', refresh_token_expires_in: 604800 }),
    );
    expect(requests).toHaveLength(1);
    const [request] = requests as [TokenRequest];
    expect(request.url).toBe(`${ISSUER}/token`);
    expect(request.body.get('grant_type')).toBe('authorization_code');
    expect(request.body.get('code')).toBe('the-code');
    expect(request.body.get('code_verifier')).toMatch(/^[\w-]{43,128}$/);
    expect(request.body.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(request.headers.get('authorization')).toMatch(/^Basic /);
    expect(page?.status).toBe(200);
    expect(tokens?.scopes).toEqual(['read', 'write']);
    expect(tokens?.expiresAt).toBe(Date.parse('2026-11-23T13:00:00Z'));
    expect(tokens?.refreshTokenExpiresAt).toBe(Date.parse('2026-11-30T12:00:00Z'));
    expect((await store.load())?.refreshToken).toBe('rt-1');
    expect(await client.getAccessToken()).toBe('at-1');
  });

  it('maps HTML instead of JSON to OAUTH_INVALID_RESPONSE and tells the browser', async () => {
    const { error, page, store, authorizationUrl } = await signInAgainst(() => new Response('<html>Sign in to continue</html>', { status: 200, headers: { 'content-type': 'text/html' } }));
    expect(error).toMatchObject({ name: 'OAuthError', code: 'OAUTH_INVALID_RESPONSE' });
    expect(await isPortClosed(Number(new URL(readAuthorizationRequest(authorizationUrl).redirectUri).port))).toBe(true);
    expect(error?.message).toContain('text/html');
    expect(page?.status).toBe(400);
    expect(page?.text).toContain('Sign-in failed');
    expect(await store.load()).toBeUndefined();
  });

  it('maps a 500 with an HTML body to OAUTH_SERVER_ERROR with the status', async () => {
    const { error } = await signInAgainst(() => new Response('<h1>Internal Server Error</h1>', { status: 500, headers: { 'content-type': 'text/html' } }));
    expect(error).toMatchObject({ code: 'OAUTH_SERVER_ERROR', status: 500 });
  });

  it('maps a 503 with a JSON body to OAUTH_SERVER_ERROR', async () => {
    const { error } = await signInAgainst(() => json(503, { error: 'temporarily_unavailable', error_description: 'try later' }));
    expect(error).toMatchObject({ code: 'OAUTH_SERVER_ERROR', status: 503 });
  });

  it('maps invalid_client sent as a plain 401 JSON body', async () => {
    const { error } = await signInAgainst(() => json(401, { error: 'invalid_client', error_description: 'unknown client' }));
    expect(error).toMatchObject({ code: 'OAUTH_INVALID_CLIENT', status: 401, error: 'invalid_client', errorDescription: 'unknown client' });
  });

  it('maps invalid_client with a WWW-Authenticate challenge to OAUTH_INVALID_CLIENT without leaking the secret', async () => {
    const { error, page } = await signInAgainst(() => json(401, { error: 'invalid_client', error_description: 'client authentication failed' }, { 'www-authenticate': 'Basic realm="x"' }));
    expect(error).toMatchObject({ code: 'OAUTH_INVALID_CLIENT', status: 401, error: 'invalid_client' });
    expect(error?.message).toMatch(/client id and secret/);
    expect(`${error?.message} ${JSON.stringify(error)} ${page?.text}`).not.toContain(SECRET);
  });

  it('maps invalid_grant and other 4xx errors to their codes', async () => {
    expect((await signInAgainst(() => json(400, { error: 'invalid_grant' }))).error).toMatchObject({ code: 'OAUTH_INVALID_GRANT', error: 'invalid_grant' });
    expect((await signInAgainst(() => json(400, { error: 'invalid_scope' }))).error).toMatchObject({ code: 'OAUTH_PROVIDER_ERROR', error: 'invalid_scope', status: 400 });
  });

  it('maps an unreachable provider to OAUTH_NETWORK', async () => {
    const { error } = await signInAgainst(() => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    });
    expect(error).toMatchObject({ code: 'OAUTH_NETWORK' });
    expect(error?.message).toContain('ECONNREFUSED');
  });

  it('rejects a success response without an access token', async () => {
    const { error } = await signInAgainst(() => json(200, { token_type: 'bearer' }));
    expect(error).toMatchObject({ code: 'OAUTH_INVALID_RESPONSE' });
  });
});

describe('provider presets', () => {
  it('GitHub: secret in the body, comma-separated scopes, no expiry', async () => {
    const { tokens, requests, authorizationUrl, client } = await signInAgainst(() => json(200, { access_token: 'gho_x', token_type: 'bearer', scope: 'repo,read:user' }), providers.github);
    const [request] = requests as [TokenRequest];
    expect(request.url).toBe('https://github.com/login/oauth/access_token');
    expect(request.body.get('client_secret')).toBe(SECRET);
    expect(request.headers.get('accept')).toContain('application/json');
    expect(new URL(authorizationUrl).origin + new URL(authorizationUrl).pathname).toBe('https://github.com/login/oauth/authorize');
    expect(tokens?.scopes).toEqual(['repo', 'read:user']);
    expect(tokens?.expiresAt).toBeUndefined();
    expect(await client.getAccessToken()).toBe('gho_x');
  });

  it('Google: asks for offline access with consent so a refresh token is issued', async () => {
    const { authorizationUrl } = await signInAgainst(() => json(200, { access_token: 'ya29', token_type: 'Bearer', expires_in: 3599 }), providers.google);
    const params = new URL(authorizationUrl).searchParams;
    expect(new URL(authorizationUrl).origin).toBe('https://accounts.google.com');
    expect(params.get('access_type')).toBe('offline');
    expect(params.get('prompt')).toBe('consent');
    expect(params.get('code_challenge_method')).toBe('S256');
  });

  it('Microsoft: tenant in the issuer, discovered on first use, bad tenants refused', () => {
    expect(providers.microsoft().issuer).toBe('https://login.microsoftonline.com/common/v2.0');
    expect(providers.microsoft({ tenant: 'contoso.onmicrosoft.com' }).issuer).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0');
    expect(providers.microsoft().metadata).toBeUndefined();
    expect(providers.microsoft().defaultScopes).toContain('offline_access');
    expect(() => providers.microsoft({ tenant: '../evil' })).toThrow(/tenant/);
  });

  it('Microsoft: endpoints come from discovery through the injected fetch', async () => {
    const discoveryUrls: string[] = [];
    const issuer = 'https://login.microsoftonline.com/{tenantid}/v2.0';
    const fakeFetch = (async (input: string | URL | Request) => {
      discoveryUrls.push(String(input));
      return json(200, {
        issuer,
        authorization_endpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
        token_endpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
        jwks_uri: 'https://login.microsoftonline.com/common/discovery/v2.0/keys',
        response_types_supported: ['code'],
      });
    }) as typeof fetch;
    const client = new OAuthClient({ provider: providers.microsoft(), clientId: 'app-id', store: new MemoryTokenStore(), fetch: fakeFetch });
    let authorizationUrl = '';
    await expect(client.authorize({ openBrowser: (url) => void (authorizationUrl = url), timeoutMs: 50 })).rejects.toMatchObject({ code: 'OAUTH_TIMEOUT' });
    expect(discoveryUrls).toEqual(['https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration']);
    expect(authorizationUrl).toMatch(/^https:\/\/login\.microsoftonline\.com\/common\/oauth2\/v2\.0\/authorize\?/);
  });
});
