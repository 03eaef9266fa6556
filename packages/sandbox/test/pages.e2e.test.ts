import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizationServer, type RunningAuthorizationServer } from '../src/index.js';

// The sandbox's own login and consent pages over plain HTTP, as a browser
// would walk them (cookies kept by hand, redirects followed one by one), so
// their markup, headers and escaping can be asserted. The Chromium-driven
// suites (demo-api, revoke-grants, and the oauth package's flows) walk the
// same pages in a real browser.
let server: RunningAuthorizationServer;

beforeAll(async () => {
  server = await startAuthorizationServer();
});

afterAll(async () => {
  await server?.close();
});

/** A tiny cookie jar and a fetch that never follows redirects. */
function browserLike() {
  const cookies = new Map<string, string>();
  return async (path: string, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(path, server.issuer);
    const headers = new Headers(init.headers);
    if (cookies.size) headers.set('Cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = (pair as string).split('=') as [string, string];
      if (value) cookies.set(name, value);
      else cookies.delete(name);
    }
    return res;
  };
}

function authorizationPath(extra: Record<string, string> = {}): string {
  const verifier = randomBytes(32).toString('base64url');
  const params = new URLSearchParams({
    client_id: 'opperator-demo',
    response_type: 'code',
    redirect_uri: 'http://127.0.0.1:5999/callback',
    scope: 'openid email notifications',
    state: 'st',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  });
  return `/auth?${params}`;
}

const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields),
});

describe('login and consent pages', () => {
  it('walks login, consent and Deny to an access_denied redirect, escaping what the request controls', async () => {
    const go = browserLike();
    const start = await go(authorizationPath({ login_hint: '<script>alert(1)</script>' }));
    expect(start.status).toBe(303);
    const interaction = start.headers.get('location') as string;
    expect(interaction).toMatch(/^\/interaction\/[\w-]+$/);

    const login = await go(interaction);
    expect(login.status).toBe(200);
    expect(login.headers.get('content-security-policy')).toContain("default-src 'none'");
    const loginHtml = await login.text();
    expect(loginHtml).toContain('data-page="login"');
    expect(loginHtml).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(loginHtml).not.toMatch(/<script/i);
    expect(loginHtml).not.toContain('style=');

    const empty = await go(`${interaction}/login`, form({ login: '  ', decision: 'allow' }));
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('data-notice="invalid-login"');

    const signedIn = await go(`${interaction}/login`, form({ login: '<b>eve</b>', decision: 'allow' }));
    expect(signedIn.status).toBe(303);
    const resumed = await go(signedIn.headers.get('location') as string);
    // oidc-provider starts a new interaction for the consent prompt.
    const consent = resumed.headers.get('location') as string;
    expect(consent).toMatch(/^\/interaction\/[\w-]+$/);

    const consentHtml = await (await go(consent)).text();
    expect(consentHtml).toContain('data-page="consent"');
    expect(consentHtml).toContain('&lt;b&gt;eve&lt;/b&gt;');
    expect(consentHtml).not.toContain('<b>eve');
    for (const scope of ['openid', 'email', 'notifications']) expect(consentHtml).toContain(`<code>${scope}</code>`);
    expect(consentHtml).toContain('opperator-demo');

    const denied = await go(`${consent}/consent`, form({ decision: 'deny' }));
    expect(denied.status).toBe(303);
    const back = await go(denied.headers.get('location') as string);
    const callback = new URL(back.headers.get('location') as string);
    expect(callback.origin + callback.pathname).toBe('http://127.0.0.1:5999/callback');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe('st');
  });

  it('ends the sign-in with access_denied when the user cancels on the login page', async () => {
    const go = browserLike();
    const interaction = (await go(authorizationPath())).headers.get('location') as string;
    const cancelled = await go(`${interaction}/login`, form({ login: '', decision: 'deny' }));
    const back = await go(cancelled.headers.get('location') as string);
    expect(new URL(back.headers.get('location') as string).searchParams.get('error')).toBe('access_denied');
  });

  it('shows an "expired" page, not a stack trace, when the interaction cookie is missing', async () => {
    const interaction = (await browserLike()(authorizationPath())).headers.get('location') as string;
    const stranger = await fetch(new URL(interaction, server.issuer));
    expect(stranger.status).toBe(400);
    const html = await stranger.text();
    expect(html).toContain('data-page="error"');
    expect(html).toContain('This sign-in has expired');
    expect((await fetch(new URL(`${interaction}/consent`, server.issuer), form({ decision: 'allow' }))).status).toBe(400);
  });

  it('serves the stylesheet the pages link, and oidc-provider errors as a sandbox page', async () => {
    const css = await fetch(`${server.issuer}/sandbox/style.css`);
    expect(css.headers.get('content-type')).toContain('text/css');
    const error = await fetch(`${server.issuer}/auth?client_id=nobody&response_type=code`);
    expect(error.status).toBe(400);
    const html = await error.text();
    expect(html).toContain('data-page="error"');
    expect(html).toContain('invalid_client');
    expect(html).not.toContain('fonts.googleapis.com');
  });
});
