import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningAuthorizationServer } from '../src/index.js';
import { CONFIDENTIAL, FakeClock, GITHUB_APP, PUBLIC_CLIENT, approveDeviceOverHttp, basic, bearer, dataPage, pkce, postForm, routedFetch, signInOverHttp, startEmulating } from './emulator-helpers.js';

// The GitHub emulator over the wire, asserting what GitHub's docs (and captures) say; see src/emulators/github-*.ts for sources.
const clock = new FakeClock();
let server: RunningAuthorizationServer;
let gh: (path: string) => string;
let api: (path: string) => string;
/** fetch routing github.com / api.github.com to the emulator, for URLs taken from responses. */
let send: typeof fetch;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const TOKEN = 'POST github.com/login/oauth/access_token';

beforeAll(async () => {
  server = await startEmulating(['github'], clock);
  gh = (path) => server.emulatedUrl(`https://github.com${path}`);
  api = (path) => server.emulatedUrl(`https://api.github.com${path}`);
  send = routedFetch(server);
});

afterAll(async () => {
  await server?.close();
});

function authorizeUrl(params: Record<string, string>): string {
  return `${gh('/login/oauth/authorize')}?${new URLSearchParams(params)}`;
}

/** A web sign-in with PKCE, returning the code and what was used. */
async function webCode(clientId: string, scope: string, login = 'alice', port = 5999): Promise<{ code: string; verifier: string; redirectUri: string; consentAsked: boolean }> {
  const { verifier, challenge } = pkce();
  const redirectUri = `http://127.0.0.1:${port}/callback`;
  const { location, consentAsked } = await signInOverHttp(send, authorizeUrl({ client_id: clientId, redirect_uri: redirectUri, scope, state: 'st-1', code_challenge: challenge, code_challenge_method: 'S256' }), { login });
  expect(location.origin + location.pathname).toBe(redirectUri);
  expect(location.searchParams.get('state')).toBe('st-1');
  return { code: location.searchParams.get('code') as string, verifier, redirectUri, consentAsked };
}

async function exchange(fields: Record<string, string>, accept = 'application/json'): Promise<{ status: number; body: Record<string, string | number> }> {
  const res = await postForm(gh('/login/oauth/access_token'), fields, { Accept: accept });
  return { status: res.status, body: (await res.json()) as Record<string, string | number> };
}

describe('GitHub: authorization request', () => {
  it('shows its login page, an unknown client gets a 404 page, a mismatched redirect_uri goes to the registered callback with redirect_uri_mismatch', async () => {
    const page = await fetch(authorizeUrl({ client_id: CONFIDENTIAL.clientId, redirect_uri: 'http://127.0.0.1:41000/callback', state: 's' }));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(dataPage(html)).toBe('login');
    expect(html).toContain(`action="${server.emulatedUrl('https://github.com/session')}?txn=`);

    const unknown = await fetch(authorizeUrl({ client_id: 'nobody' }));
    expect(unknown.status).toBe(404);
    expect(dataPage(await unknown.text())).toBe('error');

    const mismatch = await fetch(authorizeUrl({ client_id: CONFIDENTIAL.clientId, redirect_uri: 'http://evil.test/callback', state: 'xyz' }), { redirect: 'manual' });
    expect(mismatch.status).toBe(302);
    const location = new URL(mismatch.headers.get('location') as string);
    expect(location.origin + location.pathname).toBe('http://127.0.0.1/callback');
    expect(Object.fromEntries(location.searchParams)).toMatchObject({ error: 'redirect_uri_mismatch', error_description: 'The redirect_uri MUST match the registered callback URL for this application.', state: 'xyz' });

    // Loopback: any port, and a subdirectory of the callback path, are accepted for an OAuth app.
    const sub = await fetch(authorizeUrl({ client_id: CONFIDENTIAL.clientId, redirect_uri: 'http://127.0.0.1:50123/callback/deeper' }), { redirect: 'manual' });
    expect(sub.status).toBe(200);
    const otherPath = await fetch(authorizeUrl({ client_id: CONFIDENTIAL.clientId, redirect_uri: 'http://127.0.0.1:50123/elsewhere' }), { redirect: 'manual' });
    expect(otherPath.status).toBe(302);
    // PKCE: only S256.
    const plain = await fetch(authorizeUrl({ client_id: CONFIDENTIAL.clientId, redirect_uri: 'http://127.0.0.1:5/callback', code_challenge: 'abc', code_challenge_method: 'plain' }), { redirect: 'manual' });
    expect(new URL(plain.headers.get('location') as string).searchParams.get('error')).toBe('invalid_request');
  });

  it('redirects access_denied to the app when the user denies', async () => {
    const { location } = await signInOverHttp(send, authorizeUrl({ client_id: CONFIDENTIAL.clientId, redirect_uri: 'http://127.0.0.1:5999/callback', scope: 'gist', state: 'd' }), { login: 'denier', decision: 'deny' });
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('error_description')).toBe('The user has denied your application access.');
    expect(location.searchParams.get('state')).toBe('d');
  });
});

describe('GitHub: OAuth app code exchange', () => {
  it('answers form-encoded by default, JSON with Accept: application/json; gho_ tokens without expiry, scopes normalized and comma-separated', async () => {
    const first = await webCode(CONFIDENTIAL.clientId, 'read:user user notifications');
    expect(first.consentAsked).toBe(true);
    const res = await postForm(gh('/login/oauth/access_token'), { client_id: CONFIDENTIAL.clientId, client_secret: CONFIDENTIAL.clientSecret, code: first.code, redirect_uri: first.redirectUri, code_verifier: first.verifier });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-www-form-urlencoded');
    const form = new URLSearchParams(await res.text());
    expect(form.get('access_token')).toMatch(/^gho_[A-Za-z0-9]{36}$/);
    expect(form.get('scope')).toBe('user,notifications');
    expect(form.get('token_type')).toBe('bearer');
    expect(form.has('expires_in')).toBe(false);
    expect(form.has('refresh_token')).toBe(false);

    // The user authorized these scopes already: no consent page the second time.
    const second = await webCode(CONFIDENTIAL.clientId, 'notifications');
    expect(second.consentAsked).toBe(false);
    const json = await exchange({ client_id: CONFIDENTIAL.clientId, client_secret: CONFIDENTIAL.clientSecret, code: second.code, code_verifier: second.verifier });
    expect(json.status).toBe(200);
    expect(json.body).toEqual({ access_token: expect.stringMatching(/^gho_/), scope: 'notifications', token_type: 'bearer' });

    const xml = await postForm(gh('/login/oauth/access_token'), { client_id: CONFIDENTIAL.clientId, client_secret: 'wrong' }, { Accept: 'application/xml' });
    expect(await xml.text()).toMatch(/^<OAuth><error>incorrect_client_credentials<\/error>/);
  });

  it('answers every token error with HTTP 200 and {error, error_description, error_uri}', async () => {
    const { code, verifier, redirectUri } = await webCode(CONFIDENTIAL.clientId, 'gist', 'bob');
    const base = { client_id: CONFIDENTIAL.clientId, client_secret: CONFIDENTIAL.clientSecret, code, code_verifier: verifier };
    const wrongSecret = await exchange({ ...base, client_secret: 'nope' });
    expect(wrongSecret).toEqual({
      status: 200,
      body: {
        error: 'incorrect_client_credentials',
        error_description: 'The client_id and/or client_secret passed are incorrect.',
        error_uri: 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#incorrect-client-credentials',
      },
    });
    // The code exchange needs the secret, PKCE or not; a client registered without one cannot pass.
    const { client_secret: _omitted, ...noSecret } = base;
    expect((await exchange(noSecret)).body.error).toBe('incorrect_client_credentials');
    expect((await exchange({ ...base, client_id: PUBLIC_CLIENT.clientId })).body.error).toBe('incorrect_client_credentials');
    expect((await exchange({ ...base, redirect_uri: 'http://127.0.0.1:1/other' })).body).toMatchObject({ error: 'redirect_uri_mismatch' });
    expect((await exchange({ ...base, code_verifier: pkce().verifier })).body).toMatchObject({ error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
    expect((await exchange({ ...base, redirect_uri: redirectUri })).status).toBe(200);
    const replay = await exchange(base);
    expect(replay).toMatchObject({ status: 200, body: { error: 'bad_verification_code', error_uri: expect.stringContaining('#bad-verification-code') } });
    expect((await exchange({ ...base, grant_type: 'password' })).body.error).toBe('unsupported_grant_type');
  });

  it('expires codes after 10 minutes', async () => {
    const { code, verifier } = await webCode(CONFIDENTIAL.clientId, 'gist', 'carol');
    clock.advance(601);
    expect((await exchange({ client_id: CONFIDENTIAL.clientId, client_secret: CONFIDENTIAL.clientSecret, code, code_verifier: verifier })).body.error).toBe('bad_verification_code');
  });
});

describe('GitHub: GitHub App user tokens', () => {
  it('issues ghu_ (8 h) with a single-use ghr_ refresh token (6 months), scope ""; refreshing rotates both', async () => {
    expect(server.githubAppClient?.clientId).toBe(GITHUB_APP.clientId);
    const { code, verifier } = await webCode(GITHUB_APP.clientId, 'repo', 'dave');
    const first = await exchange({ client_id: GITHUB_APP.clientId, client_secret: GITHUB_APP.clientSecret, code, code_verifier: verifier });
    expect(first.body).toEqual({
      access_token: expect.stringMatching(/^ghu_[A-Za-z0-9]{36}$/),
      expires_in: 28800,
      refresh_token: expect.stringMatching(/^ghr_[A-Za-z0-9]{76}$/),
      refresh_token_expires_in: 15811200,
      scope: '',
      token_type: 'bearer',
    });
    const refresh = { client_id: GITHUB_APP.clientId, client_secret: GITHUB_APP.clientSecret, grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string };
    // A web-flow token needs the client secret to refresh.
    expect((await exchange({ ...refresh, client_secret: '' })).body.error).toBe('incorrect_client_credentials');
    const second = await exchange(refresh);
    expect(second.status).toBe(200);
    expect(second.body.access_token).not.toBe(first.body.access_token);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    // "Once you use a refresh token, that refresh token and the old user access token will no longer work."
    expect(await exchange(refresh)).toEqual({
      status: 200,
      body: { error: 'bad_refresh_token', error_description: 'The refresh token passed is incorrect or expired.', error_uri: 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code' },
    });
    expect((await fetch(api('/user'), { headers: bearer(first.body.access_token as string) })).status).toBe(401);
    const user = await fetch(api('/user'), { headers: bearer(second.body.access_token as string) });
    expect(user.status).toBe(200);
    expect(user.headers.get('x-oauth-scopes')).toBeNull();
    // User tokens expire after 8 hours.
    clock.advance(28801);
    expect((await fetch(api('/user'), { headers: bearer(second.body.access_token as string) })).status).toBe(401);
    expect((await exchange({ ...refresh, refresh_token: second.body.refresh_token as string })).status).toBe(200);
  });

  it('answers a dead grant with bad_refresh_token (HTTP 200) and counts every token request', async () => {
    const { code, verifier } = await webCode(GITHUB_APP.clientId, '', 'erin');
    const tokens = await exchange({ client_id: GITHUB_APP.clientId, client_secret: GITHUB_APP.clientSecret, code, code_verifier: verifier });
    const emulator = server.emulators.github!;
    const before = emulator.requestCount(TOKEN);
    expect(emulator.revokeGrants({ account: 'erin' })).toBe(1);
    const dead = await exchange({ client_id: GITHUB_APP.clientId, client_secret: GITHUB_APP.clientSecret, grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string });
    expect(dead).toMatchObject({ status: 200, body: { error: 'bad_refresh_token' } });
    expect(emulator.requestCount(TOKEN)).toBe(before + 1);
    expect(emulator.requestCounts()[TOKEN]).toBe(before + 1);
  });
});

describe('GitHub: device flow', () => {
  async function deviceCode(clientId: string, scope = 'notifications'): Promise<Record<string, string>> {
    const res = await postForm(gh('/login/device/code'), { client_id: clientId, scope });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-www-form-urlencoded');
    return Object.fromEntries(new URLSearchParams(await res.text()));
  }
  const poll = (clientId: string, code: string) => exchange({ client_id: clientId, device_code: code, grant_type: DEVICE_GRANT });

  it('issues codes in the documented shape and answers polls: authorization_pending, slow_down (+5 s, with interval), then the token', async () => {
    const code = await deviceCode(CONFIDENTIAL.clientId);
    expect(code).toEqual({ device_code: expect.stringMatching(/^[0-9a-f]{40}$/), user_code: expect.stringMatching(/^[0-9A-F]{4}-[0-9A-F]{4}$/), verification_uri: 'https://github.com/login/device', expires_in: '900', interval: '5' });
    expect(await poll(CONFIDENTIAL.clientId, code.device_code as string)).toEqual({
      status: 200,
      body: { error: 'authorization_pending', error_description: 'The authorization request is still pending.', error_uri: 'https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow' },
    });
    clock.advance(2);
    expect((await poll(CONFIDENTIAL.clientId, code.device_code as string)).body).toMatchObject({ error: 'slow_down', interval: 10 });
    clock.advance(10);
    expect((await poll(CONFIDENTIAL.clientId, code.device_code as string)).body.error).toBe('authorization_pending');
    expect(await approveDeviceOverHttp(send, code.verification_uri as string, code.user_code as string, { login: 'frank' })).toBe('device-success');
    clock.advance(10);
    const tokens = await poll(CONFIDENTIAL.clientId, code.device_code as string);
    expect(tokens.body).toEqual({ access_token: expect.stringMatching(/^gho_/), scope: 'notifications', token_type: 'bearer' });
    clock.advance(10);
    expect((await poll(CONFIDENTIAL.clientId, code.device_code as string)).body.error).toBe('incorrect_device_code');
  });

  it('answers expired_token, access_denied, incorrect_device_code, incorrect_client_credentials, and device_flow_disabled (HTTP 400)', async () => {
    const expired = await deviceCode(PUBLIC_CLIENT.clientId);
    clock.advance(901);
    expect((await poll(PUBLIC_CLIENT.clientId, expired.device_code as string)).body.error).toBe('expired_token');

    const denied = await deviceCode(PUBLIC_CLIENT.clientId, 'gist');
    expect(await approveDeviceOverHttp(send, denied.verification_uri as string, denied.user_code as string, { login: 'gina', decision: 'deny' })).toBe('device-code');
    expect((await poll(PUBLIC_CLIENT.clientId, denied.device_code as string)).body.error).toBe('access_denied');
    expect((await poll(PUBLIC_CLIENT.clientId, 'f'.repeat(40))).body.error).toBe('incorrect_device_code');
    expect((await poll('nobody', denied.device_code as string)).body.error).toBe('incorrect_client_credentials');

    server.emulators.github!.setDeviceFlowEnabled(PUBLIC_CLIENT.clientId, false);
    const disabled = await postForm(gh('/login/device/code'), { client_id: PUBLIC_CLIENT.clientId }, { Accept: 'application/json' });
    expect(disabled.status).toBe(400);
    expect(await disabled.json()).toEqual({ error: 'device_flow_disabled', error_description: 'Device Flow must be explicitly enabled for this App', error_uri: 'https://docs.github.com' });
    server.emulators.github!.setDeviceFlowEnabled(PUBLIC_CLIENT.clientId, true);
  });

  it('lets a GitHub App refresh a device-flow token without its client secret', async () => {
    const code = await deviceCode(GITHUB_APP.clientId);
    await approveDeviceOverHttp(send, code.verification_uri as string, code.user_code as string, { login: 'hank' });
    const tokens = await poll(GITHUB_APP.clientId, code.device_code as string);
    expect(tokens.body.access_token).toMatch(/^ghu_/);
    const refreshed = await exchange({ client_id: GITHUB_APP.clientId, grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string });
    expect(refreshed.body.access_token).toMatch(/^ghu_/);
  });
});

describe('GitHub: REST API and revocation', () => {
  let token: string;
  beforeAll(async () => {
    const { code, verifier } = await webCode(CONFIDENTIAL.clientId, 'notifications read:user', 'ivy');
    token = (await exchange({ client_id: CONFIDENTIAL.clientId, client_secret: CONFIDENTIAL.clientSecret, code, code_verifier: verifier })).body.access_token as string;
  });

  it('refuses missing and bad tokens with 401 and GitHub message bodies', async () => {
    const missing = await fetch(api('/user'));
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ message: 'Requires authentication', status: '401' });
    const bad = await fetch(api('/user'), { headers: bearer('gho_notatoken') });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
  });

  it('serves /user (also with the `token` scheme) and /notifications with the scope headers, Last-Modified / 304 and X-Poll-Interval', async () => {
    const user = await fetch(api('/user'), { headers: { Authorization: `token ${token}` } });
    expect(user.status).toBe(200);
    expect(user.headers.get('x-oauth-scopes')).toBe('notifications, read:user');
    expect(await user.json()).toMatchObject({ login: 'ivy', id: expect.any(Number), type: 'User', url: 'https://api.github.com/users/ivy', html_url: 'https://github.com/ivy', avatar_url: expect.stringMatching(/^https:\/\/avatars\.githubusercontent\.com\/u\/\d+\?v=4$/) });
    const list = await fetch(api('/notifications'), { headers: bearer(token) });
    expect(list.status).toBe(200);
    expect(list.headers.get('x-accepted-oauth-scopes')).toBe('notifications, repo');
    expect(list.headers.get('x-poll-interval')).toBe('60');
    const items = (await list.json()) as Array<{ unread: boolean; url: string; subject: { url: string }; repository: { html_url: string } }>;
    expect(items).toHaveLength(3);
    // GitHub's own URLs, as GitHub sends them.
    expect(items[0]).toMatchObject({ url: 'https://api.github.com/notifications/threads/1001', subject: { url: 'https://api.github.com/repos/opperator/sandbox-demo/pulls/42' }, repository: { html_url: 'https://github.com/opperator/sandbox-demo' } });
    expect(((await (await fetch(api('/notifications?all=true'), { headers: bearer(token) })).json()) as unknown[]).length).toBe(4);
    const notModified = await fetch(api('/notifications'), { headers: { ...bearer(token), 'If-Modified-Since': list.headers.get('last-modified') as string } });
    expect(notModified.status).toBe(304);
  });

  it('refuses /notifications without the scope (403) and to GitHub App tokens', async () => {
    const { code, verifier } = await webCode(CONFIDENTIAL.clientId, 'gist', 'jack');
    const gist = (await exchange({ client_id: CONFIDENTIAL.clientId, client_secret: CONFIDENTIAL.clientSecret, code, code_verifier: verifier })).body.access_token as string;
    expect((await fetch(api('/notifications'), { headers: bearer(gist) })).status).toBe(403);
    const app = await webCode(GITHUB_APP.clientId, '', 'jack');
    const ghu = (await exchange({ client_id: GITHUB_APP.clientId, client_secret: GITHUB_APP.clientSecret, code: app.code, code_verifier: app.verifier })).body.access_token as string;
    const refused = await fetch(api('/notifications'), { headers: bearer(ghu) });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ message: 'Resource not accessible by integration' });
  });

  it('deletes an app authorization with Basic client credentials (204), after which the token is refused', async () => {
    const path = api(`/applications/${CONFIDENTIAL.clientId}/grant`);
    const body = JSON.stringify({ access_token: token });
    expect((await fetch(path, { method: 'DELETE', body })).status).toBe(401);
    expect((await fetch(path, { method: 'DELETE', body, headers: basic(CONFIDENTIAL.clientId, 'wrong') })).status).toBe(404);
    expect((await fetch(path, { method: 'DELETE', body: '{}', headers: { ...basic(CONFIDENTIAL.clientId, CONFIDENTIAL.clientSecret), 'Content-Type': 'application/json' } })).status).toBe(422);
    const deleted = await fetch(path, { method: 'DELETE', body, headers: { ...basic(CONFIDENTIAL.clientId, CONFIDENTIAL.clientSecret), 'Content-Type': 'application/json' } });
    expect(deleted.status).toBe(204);
    expect((await fetch(api('/user'), { headers: bearer(token) })).status).toBe(401);
    // The grant is gone: the next sign-in asks for consent again.
    expect((await webCode(CONFIDENTIAL.clientId, 'notifications', 'ivy')).consentAsked).toBe(true);
  });
});

describe('GitHub: injected failures', () => {
  it('answers the next N token requests with 429 and Retry-After, then normally', async () => {
    const emulator = server.emulators.github!;
    emulator.failNext({ count: 2, status: 429, retryAfterSeconds: 7 });
    for (let i = 0; i < 2; i += 1) {
      const res = await postForm(gh('/login/oauth/access_token'), {}, { Accept: 'application/json' });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
    }
    expect((await exchange({})).body.error).toBe('incorrect_client_credentials');
    emulator.failNext({ status: 503, endpoint: 'GET api.github.com/user' });
    expect((await fetch(api('/user'))).status).toBe(503);
    expect(() => emulator.failNext({ count: 0 })).toThrow(RangeError);
  });
});
