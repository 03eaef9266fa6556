import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningAuthorizationServer } from '../src/index.js';
import { CONFIDENTIAL, FakeClock, PUBLIC_CLIENT, approveDeviceOverHttp, basic, bearer, dataPage, pkce, postForm, routedFetch, signInOverHttp, startEmulating, verifyJwt } from './emulator-helpers.js';

// The Google emulator over the wire, asserting what Google's docs (and captures) say; see src/emulators/google-*.ts for sources.
const clock = new FakeClock();
let server: RunningAuthorizationServer;
let g: (url: string) => string;
/** fetch routing Google's hosts to the emulator, as a client does: the discovery document names the real endpoints. */
let send: typeof fetch;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const EMAIL = 'https://www.googleapis.com/auth/userinfo.email';
const PROFILE = 'https://www.googleapis.com/auth/userinfo.profile';
const GMAIL = 'https://www.googleapis.com/auth/gmail.readonly';

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  device_authorization_endpoint: string;
  revocation_endpoint: string;
  userinfo_endpoint: string;
  jwks_uri: string;
  [key: string]: unknown;
}
let discovery: Discovery;

beforeAll(async () => {
  server = await startEmulating(['google'], clock);
  g = (url) => server.emulatedUrl(url);
  send = routedFetch(server);
  discovery = (await (await send('https://accounts.google.com/.well-known/openid-configuration')).json()) as Discovery;
});

afterAll(async () => {
  await server?.close();
});

async function webSignIn(scope: string, extra: Record<string, string> = {}, login = 'alice'): Promise<{ code: string; verifier: string; redirectUri: string; consentAsked: boolean }> {
  const { verifier, challenge } = pkce();
  const redirectUri = 'http://127.0.0.1:38123/oauth2callback';
  const params = new URLSearchParams({ client_id: CONFIDENTIAL.clientId, redirect_uri: redirectUri, response_type: 'code', scope, state: 'g-state', code_challenge: challenge, code_challenge_method: 'S256', ...extra });
  const { location, consentAsked } = await signInOverHttp(send, `${discovery.authorization_endpoint}?${params}`, { login });
  expect(location.searchParams.get('state')).toBe('g-state');
  return { code: location.searchParams.get('code') as string, verifier, redirectUri, consentAsked };
}

async function token(fields: Record<string, string>): Promise<{ status: number; body: Record<string, string | number> }> {
  const res = await postForm(discovery.token_endpoint, fields, {}, send);
  expect(res.headers.get('content-type')).toContain('application/json');
  return { status: res.status, body: (await res.json()) as Record<string, string | number> };
}

const secretFields = { client_id: CONFIDENTIAL.clientId, client_secret: CONFIDENTIAL.clientSecret };

describe('Google: discovery and keys', () => {
  it("serves the discovery document with Google's own issuer and endpoints and no authorization-response iss", async () => {
    expect(discovery).toMatchObject({
      issuer: 'https://accounts.google.com',
      authorization_endpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
      device_authorization_endpoint: 'https://oauth2.googleapis.com/device/code',
      token_endpoint: 'https://oauth2.googleapis.com/token',
      userinfo_endpoint: 'https://openidconnect.googleapis.com/v1/userinfo',
      revocation_endpoint: 'https://oauth2.googleapis.com/revoke',
      jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
      code_challenge_methods_supported: ['plain', 'S256'],
    });
    expect(discovery).not.toHaveProperty('authorization_response_iss_parameter_supported');
  });
});

describe('Google: authorization request', () => {
  const authorize = (params: Record<string, string>) => send(`${discovery.authorization_endpoint}?${new URLSearchParams(params)}`, { redirect: 'manual' });

  it('shows errors on its own pages (no redirect): unknown client, unregistered redirect, invalid scope, missing parameters', async () => {
    const unknown = await authorize({ client_id: 'nobody', redirect_uri: 'http://127.0.0.1:1/', response_type: 'code', scope: 'openid' });
    expect(unknown.status).toBe(401);
    const unknownHtml = await unknown.text();
    expect(dataPage(unknownHtml)).toBe('error');
    expect(unknownHtml).toContain('The OAuth client was not found.');
    const mismatch = await authorize({ client_id: CONFIDENTIAL.clientId, redirect_uri: 'https://evil.test/cb', response_type: 'code', scope: 'openid' });
    expect(mismatch.status).toBe(400);
    expect(await mismatch.text()).toContain('redirect_uri_mismatch');
    const badScope = await authorize({ client_id: CONFIDENTIAL.clientId, redirect_uri: 'http://127.0.0.1:1/', response_type: 'code', scope: 'openid https://www.googleapis.com/auth/gmail.send/' });
    expect(await badScope.text()).toContain('Some requested scopes were invalid. {invalid=[https://www.googleapis.com/auth/gmail.send/]}');
    expect(await (await authorize({ client_id: CONFIDENTIAL.clientId, redirect_uri: 'http://127.0.0.1:1/', scope: 'openid' })).text()).toContain('Missing required parameter: response_type');
    // Desktop loopback redirects: any port, any path, 127.0.0.1, [::1] or localhost.
    for (const uri of ['http://127.0.0.1:61000/', 'http://[::1]:61001/cb', 'http://localhost:61002/x']) {
      expect((await authorize({ client_id: CONFIDENTIAL.clientId, redirect_uri: uri, response_type: 'code', scope: 'openid' })).status).toBe(200);
    }
  });

  it('redirects access_denied when the user denies', async () => {
    const params = new URLSearchParams({ client_id: CONFIDENTIAL.clientId, redirect_uri: 'http://127.0.0.1:9/', response_type: 'code', scope: 'email', state: 's' });
    const { location } = await signInOverHttp(send, `${discovery.authorization_endpoint}?${params}`, { login: 'nora', decision: 'deny' });
    expect(Object.fromEntries(location.searchParams)).toEqual({ error: 'access_denied', state: 's' });
  });
});

describe('Google: tokens', () => {
  it('issues a refresh token with access_type=offline on a consent, expands email/profile in scope, signs an ID token with issuer https://accounts.google.com', async () => {
    const { code, verifier, redirectUri, consentAsked } = await webSignIn('openid email profile', { access_type: 'offline', prompt: 'consent', nonce: 'n-1' });
    expect(consentAsked).toBe(true);
    const res = await token({ ...secretFields, grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type', 'id_token']);
    expect(res.body).toMatchObject({ access_token: expect.stringMatching(/^ya29\./), expires_in: 3599, refresh_token: expect.stringMatching(/^1\/\//), scope: `openid ${EMAIL} ${PROFILE}`, token_type: 'Bearer' });
    const jwks = (await (await send(discovery.jwks_uri)).json()) as { keys: Array<Record<string, unknown>> };
    const claims = verifyJwt(res.body.id_token as string, jwks);
    expect(claims).toMatchObject({ iss: 'https://accounts.google.com', aud: CONFIDENTIAL.clientId, azp: CONFIDENTIAL.clientId, email: 'alice@sandbox.test', email_verified: true, nonce: 'n-1', sub: expect.stringMatching(/^\d{21}$/) });

    // Refresh: a new access token, no new refresh token (Google's do not rotate), the same one keeps working.
    const refreshed = await token({ ...secretFields, grant_type: 'refresh_token', refresh_token: res.body.refresh_token as string });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).not.toHaveProperty('refresh_token');
    expect(refreshed.body).toMatchObject({ token_type: 'Bearer', scope: `openid ${EMAIL} ${PROFILE}`, id_token: expect.any(String) });
    expect((await token({ ...secretFields, grant_type: 'refresh_token', refresh_token: res.body.refresh_token as string })).status).toBe(200);
  });

  it('skips consent for scopes already granted, and then issues no refresh token (access_type=offline alone)', async () => {
    const { code, verifier, redirectUri, consentAsked } = await webSignIn('openid email', { access_type: 'offline' });
    expect(consentAsked).toBe(false);
    const res = await token({ ...secretFields, grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });
    expect(res.body).not.toHaveProperty('refresh_token');
    expect(res.body.scope).toBe(`openid ${EMAIL}`);
    // include_granted_scopes=true: the token also covers what was granted before.
    const more = await webSignIn('openid', { include_granted_scopes: 'true' });
    const all = await token({ ...secretFields, grant_type: 'authorization_code', code: more.code, redirect_uri: more.redirectUri, code_verifier: more.verifier });
    expect((all.body.scope as string).split(' ').sort()).toEqual(['openid', EMAIL, PROFILE].sort());
  });

  it('refuses bad requests with Google status codes and bodies', async () => {
    const { code, verifier, redirectUri } = await webSignIn('openid', {}, 'omar');
    const exchange = { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier };
    expect(await token({ ...exchange, client_id: 'nobody' })).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'The OAuth client was not found.' } });
    expect(await token({ ...exchange, client_id: CONFIDENTIAL.clientId, client_secret: 'nope' })).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'Unauthorized' } });
    expect(await token({ ...exchange, client_id: CONFIDENTIAL.clientId })).toEqual({ status: 400, body: { error: 'invalid_request', error_description: 'client_secret is missing.' } });
    expect(await token({ ...exchange, ...secretFields, code_verifier: pkce().verifier })).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Invalid code verifier.' } });
    expect((await token({ ...exchange, ...secretFields, redirect_uri: 'http://127.0.0.1:1/' })).body.error).toBe('redirect_uri_mismatch');
    expect((await token({ ...exchange, ...secretFields })).status).toBe(200);
    expect(await token({ ...exchange, ...secretFields })).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Bad Request' } });
    // Client credentials in HTTP Basic work as well (client_secret_basic).
    const res = await postForm(discovery.token_endpoint, { grant_type: 'refresh_token', refresh_token: 'nope' }, basic(CONFIDENTIAL.clientId, CONFIDENTIAL.clientSecret), send);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    expect((await token({ ...secretFields, grant_type: 'client_credentials' })).body.error).toBe('unsupported_grant_type');
  });

  it('revokes a grant at /revoke (200), after which refresh gets invalid_grant (400) and the access token is refused', async () => {
    const { code, verifier, redirectUri } = await webSignIn('openid email', { access_type: 'offline', prompt: 'consent' }, 'paula');
    const tokens = (await token({ ...secretFields, grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier })).body;
    const revoked = await send(`${discovery.revocation_endpoint}?token=${encodeURIComponent(tokens.refresh_token as string)}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(revoked.status).toBe(200);
    expect(await token({ ...secretFields, grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string })).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } });
    expect((await send(discovery.userinfo_endpoint, { headers: bearer(tokens.access_token as string) })).status).toBe(401);
    const again = await postForm(discovery.revocation_endpoint, { token: tokens.refresh_token as string }, {}, send);
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ error: 'invalid_token', error_description: 'Token expired or revoked' });
  });

  it('answers dead grants and reauthentication policies on refresh as Google does, counting the requests', async () => {
    const { code, verifier, redirectUri } = await webSignIn('openid', { access_type: 'offline', prompt: 'consent' }, 'quinn');
    const refreshToken = (await token({ ...secretFields, grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier })).body.refresh_token as string;
    const emulator = server.emulators.google!;
    expect(emulator.requireReauth({ account: 'quinn' })).toBe(1);
    expect(await token({ ...secretFields, grant_type: 'refresh_token', refresh_token: refreshToken })).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'reauth related error (invalid_rapt)', error_uri: 'https://support.google.com/a/answer/9368756', error_subtype: 'invalid_rapt' },
    });
    emulator.resetRequestCounts();
    emulator.revokeGrants({ account: 'quinn' });
    expect((await token({ ...secretFields, grant_type: 'refresh_token', refresh_token: refreshToken })).body.error_description).toBe('Token has been expired or revoked.');
    expect(emulator.requestCounts()).toEqual({ 'POST oauth2.googleapis.com/token': 1 });
  });
});

describe('Google: device flow', () => {
  async function deviceCode(scope: string, clientId = PUBLIC_CLIENT.clientId): Promise<{ status: number; body: Record<string, string | number> }> {
    const res = await postForm(discovery.device_authorization_endpoint, { client_id: clientId, scope }, {}, send);
    return { status: res.status, body: (await res.json()) as Record<string, string | number> };
  }
  const poll = (deviceCodeValue: string) => token({ client_id: PUBLIC_CLIENT.clientId, device_code: deviceCodeValue, grant_type: DEVICE_GRANT });

  it('answers verification_url (not verification_uri), refuses scopes outside the allow-list, and polls with 428 / 403', async () => {
    const gmail = await deviceCode(`openid ${GMAIL}`);
    expect(gmail).toEqual({ status: 400, body: { error: 'invalid_scope', error_description: `Invalid device flow scope: ${GMAIL}` } });
    expect((await deviceCode('openid', 'nobody')).status).toBe(401);

    const code = await deviceCode('openid email');
    expect(code.body).toEqual({ device_code: expect.any(String), expires_in: 1800, interval: 5, user_code: expect.stringMatching(/^[A-Z]{4}-[A-Z]{4}$/), verification_url: 'https://www.google.com/device' });
    expect(await poll(code.body.device_code as string)).toEqual({ status: 428, body: { error: 'authorization_pending', error_description: 'Precondition Required' } });
    clock.advance(1);
    expect(await poll(code.body.device_code as string)).toEqual({ status: 403, body: { error: 'slow_down', error_description: 'Forbidden' } });
    clock.advance(10);
    expect(await approveDeviceOverHttp(send, code.body.verification_url as string, code.body.user_code as string, { login: 'rita' })).toBe('device-success');
    const tokens = await poll(code.body.device_code as string);
    expect(tokens.status).toBe(200);
    expect(tokens.body).toMatchObject({ refresh_token: expect.stringMatching(/^1\/\//), scope: `openid ${EMAIL}`, token_type: 'Bearer' });
    clock.advance(10);
    expect((await poll(code.body.device_code as string)).body.error).toBe('invalid_grant');
  });

  it('answers access_denied (403) and expired_token (400)', async () => {
    const denied = await deviceCode('profile');
    expect(await approveDeviceOverHttp(send, denied.body.verification_url as string, denied.body.user_code as string, { login: 'sam', decision: 'deny' })).toBe('device-code');
    expect(await poll(denied.body.device_code as string)).toEqual({ status: 403, body: { error: 'access_denied', error_description: 'Forbidden' } });
    const expired = await deviceCode('profile');
    clock.advance(1801);
    expect((await poll(expired.body.device_code as string)).body.error).toBe('expired_token');
  });
});

describe('Google: userinfo and Gmail', () => {
  let full: string;
  let idOnly: string;
  beforeAll(async () => {
    const a = await webSignIn(`openid email profile ${GMAIL}`, {}, 'tess');
    full = (await token({ ...secretFields, grant_type: 'authorization_code', code: a.code, redirect_uri: a.redirectUri, code_verifier: a.verifier })).body.access_token as string;
    const b = await webSignIn('openid email', {}, 'uma');
    idOnly = (await token({ ...secretFields, grant_type: 'authorization_code', code: b.code, redirect_uri: b.redirectUri, code_verifier: b.verifier })).body.access_token as string;
  });
  const gmail = (path: string) => g(`https://gmail.googleapis.com/gmail/v1/users/${path}`);

  it('serves userinfo by scope, and refuses a bad token in the OAuth shape', async () => {
    const info = await (await send(discovery.userinfo_endpoint, { headers: bearer(full) })).json();
    expect(info).toMatchObject({ sub: expect.stringMatching(/^\d{21}$/), email: 'tess@sandbox.test', email_verified: true, name: 'tess', picture: expect.stringMatching(/^https:\/\/lh3\.googleusercontent\.com\/a\/\d{21}=s96-c$/) });
    const bad = await send(discovery.userinfo_endpoint, { headers: bearer('ya29.nope') });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await bad.json()).toEqual({ error: 'invalid_request', error_description: 'Invalid Credentials' });
  });

  it('serves users.getProfile, messages.list (q=is:unread, resultSizeEstimate, empty lists omitted) and messages.get', async () => {
    const profile = await (await fetch(gmail('me/profile'), { headers: bearer(full) })).json();
    expect(profile).toEqual({ emailAddress: 'tess@sandbox.test', messagesTotal: 5, threadsTotal: 4, historyId: expect.any(String) });
    const unread = (await (await fetch(gmail('me/messages?q=is:unread'), { headers: bearer(full) })).json()) as { messages: Array<{ id: string; threadId: string }>; resultSizeEstimate: number };
    expect(unread.resultSizeEstimate).toBe(3);
    expect(unread.messages).toHaveLength(3);
    const paged = (await (await fetch(gmail('me/messages?maxResults=2'), { headers: bearer(full) })).json()) as Record<string, unknown>;
    expect(paged).toMatchObject({ nextPageToken: expect.any(String), resultSizeEstimate: 5 });
    expect(await (await fetch(gmail('me/messages?labelIds=SPAM'), { headers: bearer(full) })).json()).toEqual({ resultSizeEstimate: 0 });
    const message = (await (await fetch(gmail(`tess@sandbox.test/messages/${unread.messages[0]?.id}`), { headers: bearer(full) })).json()) as { labelIds: string[]; payload: { headers: Array<{ name: string }>; body: { data: string } } };
    expect(message.labelIds).toContain('UNREAD');
    expect(message.payload.headers.map((h) => h.name)).toContain('Subject');
    expect(Buffer.from(message.payload.body.data, 'base64url').toString()).toContain('INV-1042');
    const missing = await fetch(gmail('me/messages/0000'), { headers: bearer(full) });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND', message: 'Requested entity was not found.' } });
  });

  it('refuses with Google API error shapes: 401 without or with a bad token, 403 for a token without a Gmail scope', async () => {
    const none = await fetch(gmail('me/messages'));
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED', errors: [{ reason: 'required' }] } });
    const bad = await fetch(gmail('me/messages'), { headers: bearer('ya29.bad') });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED', message: expect.stringMatching(/^Request had invalid authentication credentials/), errors: [{ message: 'Invalid Credentials', reason: 'authError' }] } });
    const scope = await fetch(gmail('me/messages'), { headers: bearer(idOnly) });
    expect(scope.status).toBe(403);
    expect(scope.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(await scope.json()).toMatchObject({ error: { code: 403, message: 'Request had insufficient authentication scopes.', status: 'PERMISSION_DENIED' } });
    expect((await fetch(gmail('someone@else.test/profile'), { headers: bearer(full) })).status).toBe(403);
  });
});
