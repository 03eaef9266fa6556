import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_ENTRA_TENANT_DOMAIN, SANDBOX_ENTRA_TENANT_ID, type RunningAuthorizationServer } from '../src/index.js';
import { CONFIDENTIAL, FakeClock, PUBLIC_CLIENT, approveDeviceOverHttp, bearer, dataPage, pkce, postForm, routedFetch, signInOverHttp, startEmulating, verifyJwt } from './emulator-helpers.js';

// The Entra ID emulator over the wire, asserting what Microsoft's docs (and captures) say; see src/emulators/microsoft-*.ts for sources.
const clock = new FakeClock();
let server: RunningAuthorizationServer;
let login: (path: string) => string;
let graph: (path: string) => string;
/** fetch routing Microsoft's hosts to the emulator, for URLs taken from responses. */
let send: typeof fetch;
/** Microsoft's real URLs, as the emulator names them on the wire. */
const realLogin = (path: string) => `https://login.microsoftonline.com${path}`;
const CONSUMERS = '9188040d-6c67-4c5b-b112-36a304b66dad';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

beforeAll(async () => {
  server = await startEmulating(['microsoft'], clock);
  login = (path) => server.emulatedUrl(`https://login.microsoftonline.com${path}`);
  graph = (path) => server.emulatedUrl(`https://graph.microsoft.com${path}`);
  send = routedFetch(server);
});

afterAll(async () => {
  await server?.close();
});

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

/** Checks the AADSTS error shape and returns the body. */
async function aadError(res: Response, status: number, error: string, code: number): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status);
  const body = await json(res);
  expect(body).toMatchObject({
    error,
    error_description: expect.stringMatching(new RegExp(`^AADSTS${code}: .*\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`, 's')),
    error_codes: [code],
    timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/),
    trace_id: expect.any(String),
    correlation_id: expect.any(String),
  });
  return body;
}

async function webSignIn(scope: string, tenant = 'common', extra: Record<string, string> = {}, account = 'alice'): Promise<{ code: string; verifier: string; redirectUri: string; consentAsked: boolean }> {
  const { verifier, challenge } = pkce();
  const redirectUri = 'http://127.0.0.1:44321/callback';
  const params = new URLSearchParams({ client_id: CONFIDENTIAL.clientId, response_type: 'code', redirect_uri: redirectUri, scope, state: 'ms', code_challenge: challenge, code_challenge_method: 'S256', ...extra });
  const { location, consentAsked } = await signInOverHttp(send, `${login(`/${tenant}/oauth2/v2.0/authorize`)}?${params}`, { login: account });
  expect(location.searchParams.get('state')).toBe('ms');
  return { code: location.searchParams.get('code') as string, verifier, redirectUri, consentAsked };
}

function token(fields: Record<string, string>, tenant = 'common'): Promise<Response> {
  return postForm(login(`/${tenant}/oauth2/v2.0/token`), fields);
}

const secret = { client_id: CONFIDENTIAL.clientId, client_secret: CONFIDENTIAL.clientSecret };

async function signedIn(scope: string, account: string, tenant = 'common'): Promise<Record<string, string>> {
  const { code, verifier, redirectUri } = await webSignIn(scope, tenant, {}, account);
  const res = await token({ ...secret, grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }, tenant);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, string>;
}

describe('Entra: discovery per tenant segment', () => {
  it('names the issuer with a literal {tenantid} for common and organizations, the consumer GUID for consumers, the tenant GUID for a tenant; endpoints on the real hosts', async () => {
    for (const segment of ['common', 'organizations']) {
      const doc = await json(await send(realLogin(`/${segment}/v2.0/.well-known/openid-configuration`)));
      expect(doc).toMatchObject({
        issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
        authorization_endpoint: realLogin(`/${segment}/oauth2/v2.0/authorize`),
        token_endpoint: realLogin(`/${segment}/oauth2/v2.0/token`),
        device_authorization_endpoint: realLogin(`/${segment}/oauth2/v2.0/devicecode`),
        jwks_uri: realLogin(`/${segment}/discovery/v2.0/keys`),
        userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      });
      // The keys the document names are served (through the client's routing).
      const jwks = (await json(await send(doc.jwks_uri as string))) as { keys: Array<Record<string, unknown>> };
      expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' });
    }
    expect((await json(await send(realLogin('/consumers/v2.0/.well-known/openid-configuration')))).issuer).toBe(realLogin(`/${CONSUMERS}/v2.0`));
    const tenant = await json(await send(realLogin(`/${SANDBOX_ENTRA_TENANT_DOMAIN}/v2.0/.well-known/openid-configuration`)));
    expect(tenant).toMatchObject({ issuer: realLogin(`/${SANDBOX_ENTRA_TENANT_ID}/v2.0`), token_endpoint: realLogin(`/${SANDBOX_ENTRA_TENANT_ID}/oauth2/v2.0/token`) });
    const unknown = await fetch(login('/not-a-tenant.example/v2.0/.well-known/openid-configuration'));
    const body = await aadError(unknown, 400, 'invalid_tenant', 90002);
    expect(body.error_description).toContain("Tenant 'not-a-tenant.example' not found.");
  });
});

describe('Entra: authorization request', () => {
  const authorize = (params: Record<string, string>) => fetch(`${login('/common/oauth2/v2.0/authorize')}?${new URLSearchParams(params)}`, { redirect: 'manual' });

  it('shows AADSTS700016 and AADSTS50011 on its page, ignores the port of loopback redirects, redirects invalid_scope', async () => {
    const unknown = await authorize({ client_id: 'nobody', response_type: 'code', redirect_uri: 'http://127.0.0.1/callback', scope: 'openid' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('AADSTS700016');
    const mismatch = await authorize({ client_id: CONFIDENTIAL.clientId, response_type: 'code', redirect_uri: 'http://localhost:5000/callback', scope: 'openid' });
    const mismatchHtml = await mismatch.text();
    expect(dataPage(mismatchHtml)).toBe('error');
    expect(mismatchHtml).toContain('AADSTS50011');
    expect((await authorize({ client_id: CONFIDENTIAL.clientId, response_type: 'code', redirect_uri: 'http://127.0.0.1:5000/callback', scope: 'openid' })).status).toBe(200);
    expect((await authorize({ client_id: CONFIDENTIAL.clientId, response_type: 'code', redirect_uri: 'http://127.0.0.1:5000/other', scope: 'openid' })).status).toBe(400);
    const badScope = await authorize({ client_id: CONFIDENTIAL.clientId, response_type: 'code', redirect_uri: 'http://127.0.0.1:5000/callback', scope: 'https://graph.microsoft.com/Nope.Never', state: 's' });
    const location = new URL(badScope.headers.get('location') as string);
    expect(location.searchParams.get('error')).toBe('invalid_scope');
    expect(location.searchParams.get('error_description')).toMatch(/^AADSTS70011: /);
  });

  it('redirects access_denied with AADSTS65004 when the user declines consent', async () => {
    const params = new URLSearchParams({ client_id: CONFIDENTIAL.clientId, response_type: 'code', redirect_uri: 'http://127.0.0.1:1/callback', scope: 'User.Read', state: 'x' });
    const { location } = await signInOverHttp(send, `${login('/common/oauth2/v2.0/authorize')}?${params}`, { login: 'victor', decision: 'deny' });
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('error_description')).toMatch(/^AADSTS65004: /);
  });
});

describe('Entra: tokens', () => {
  it('echoes Graph scopes in Graph spelling plus "profile openid email", never offline_access; id_token only with openid', async () => {
    const withOpenId = await signedIn('user.read offline_access openid profile', 'alice');
    expect(withOpenId).toMatchObject({ token_type: 'Bearer', scope: 'User.Read profile openid email', expires_in: 3599, refresh_token: expect.stringMatching(/^0\.A/) });
    const jwks = (await json(await fetch(login('/common/discovery/v2.0/keys')))) as { keys: Array<Record<string, unknown>> };
    const claims = verifyJwt(withOpenId.id_token as string, jwks);
    expect(claims).toMatchObject({ iss: realLogin(`/${SANDBOX_ENTRA_TENANT_ID}/v2.0`), aud: CONFIDENTIAL.clientId, tid: SANDBOX_ENTRA_TENANT_ID, ver: '2.0', preferred_username: `alice@${SANDBOX_ENTRA_TENANT_DOMAIN}` });

    const noOpenId = await signedIn('https://graph.microsoft.com/User.Read offline_access', 'bella');
    expect(noOpenId.scope).toBe('User.Read profile openid email');
    expect(noOpenId).not.toHaveProperty('id_token');
    const noOffline = await signedIn('User.Read', 'carl');
    expect(noOffline).not.toHaveProperty('refresh_token');
  });

  it('rotates refresh tokens on refresh, the old one staying valid', async () => {
    const first = await signedIn('User.Read offline_access', 'dora');
    const refresh = (refreshToken: string) => token({ ...secret, grant_type: 'refresh_token', refresh_token: refreshToken });
    const second = (await json(await refresh(first.refresh_token as string))) as Record<string, string>;
    expect(second.refresh_token).toMatch(/^0\.A/);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.scope).toBe('User.Read profile openid email');
    expect((await refresh(first.refresh_token as string)).status).toBe(200);
    // Asking for more than was granted at refresh: consent_required (suberror), as captured.
    const beyond = await token({ ...secret, grant_type: 'refresh_token', refresh_token: second.refresh_token as string, scope: 'Mail.Read' });
    expect((await aadError(beyond, 400, 'invalid_grant', 65001)).suberror).toBe('consent_required');
  });

  it('refuses client and code errors with AADSTS errors', async () => {
    const { code, verifier, redirectUri } = await webSignIn('User.Read', 'common', {}, 'emil');
    const exchange = { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier };
    await aadError(await token({ ...exchange, client_id: 'nobody' }), 400, 'unauthorized_client', 700016);
    await aadError(await token({ ...exchange, client_id: CONFIDENTIAL.clientId, client_secret: 'wrong' }), 401, 'invalid_client', 7000215);
    await aadError(await token({ ...exchange, client_id: CONFIDENTIAL.clientId }), 401, 'invalid_client', 7000218);
    await aadError(await token({ ...exchange, client_id: PUBLIC_CLIENT.clientId, client_secret: 'x' }), 401, 'invalid_client', 700025);
    await aadError(await token({ ...exchange, ...secret, code_verifier: pkce().verifier }), 400, 'invalid_grant', 501481);
    expect((await token({ ...exchange, ...secret })).status).toBe(200);
    await aadError(await token({ ...exchange, ...secret }), 400, 'invalid_grant', 54005);
    await aadError(await token({ ...secret, code: 'x' }), 400, 'invalid_request', 900144);
    await aadError(await token({ ...secret, grant_type: 'password' }), 400, 'unsupported_grant_type', 70003);
  });

  it('answers MFA, consent, revocation and inactivity on refresh as captured, until the user signs in again', async () => {
    const emulator = server.emulators.microsoft!;
    const tokens = await signedIn('User.Read offline_access', 'fred');
    const refresh = () => token({ ...secret, grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string });
    expect(emulator.requireMfa({ account: 'fred' })).toBe(1);
    const mfa = await aadError(await refresh(), 400, 'invalid_grant', 50076);
    expect(mfa).toMatchObject({ suberror: 'basic_action', error_uri: 'https://login.microsoftonline.com/error?code=50076' });
    expect(mfa.error_description).toContain("you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'");
    // An interactive sign-in satisfies the policy.
    await signedIn('User.Read offline_access', 'fred');
    expect((await refresh()).status).toBe(200);

    emulator.requireConsent({ account: 'fred' });
    expect((await aadError(await refresh(), 400, 'invalid_grant', 65001)).suberror).toBe('consent_required');

    const revoked = await signedIn('User.Read offline_access', 'gus');
    emulator.revokeGrants({ account: 'gus' });
    await aadError(await token({ ...secret, grant_type: 'refresh_token', refresh_token: revoked.refresh_token as string }), 400, 'invalid_grant', 50173);
    // Access tokens are self-contained JWTs: Graph keeps taking them until they expire.
    expect((await fetch(graph('/v1.0/me'), { headers: bearer(revoked.access_token as string) })).status).toBe(200);

    const inactive = await signedIn('User.Read offline_access', 'hugo');
    emulator.expireRefreshTokens({ account: 'hugo' });
    await aadError(await token({ ...secret, grant_type: 'refresh_token', refresh_token: inactive.refresh_token as string }), 400, 'invalid_grant', 700082);
  });

  it('issues consumer-tenant tokens at /consumers', async () => {
    const tokens = await signedIn('openid User.Read offline_access', 'ida', 'consumers');
    expect(tokens.refresh_token).toMatch(/^M\.C5/);
    const claims = JSON.parse(Buffer.from((tokens.id_token as string).split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ tid: CONSUMERS, iss: realLogin(`/${CONSUMERS}/v2.0`) });
  });
});

describe('Entra: device flow', () => {
  async function deviceCode(scope: string): Promise<Record<string, string | number>> {
    const res = await postForm(login('/organizations/oauth2/v2.0/devicecode'), { client_id: PUBLIC_CLIENT.clientId, scope });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, string | number>;
  }
  const poll = (code: string) => token({ client_id: PUBLIC_CLIENT.clientId, grant_type: DEVICE_GRANT, device_code: code }, 'organizations');

  it('answers with verification_uri and a message naming it, authorization_pending (no slow_down), then tokens', async () => {
    const code = await deviceCode('User.Read offline_access');
    const uri = 'https://microsoft.com/devicelogin';
    expect(code).toEqual({ user_code: expect.stringMatching(/^[A-Z0-9]{9}$/), device_code: expect.any(String), verification_uri: uri, expires_in: 900, interval: 5, message: `To sign in, use a web browser to open the page ${uri} and enter the code ${code.user_code} to authenticate.` });
    expect(code).not.toHaveProperty('verification_uri_complete');
    await aadError(await poll(code.device_code as string), 400, 'authorization_pending', 70016);
    // Entra documents no slow_down: polling at once is answered like any pending poll.
    await aadError(await poll(code.device_code as string), 400, 'authorization_pending', 70016);
    expect(await approveDeviceOverHttp(send, code.verification_uri as string, code.user_code as string, { login: 'jill' })).toBe('device-success');
    const tokens = (await json(await poll(code.device_code as string))) as Record<string, string>;
    expect(tokens).toMatchObject({ token_type: 'Bearer', scope: 'User.Read profile openid email', refresh_token: expect.any(String) });
    await aadError(await poll(code.device_code as string), 400, 'bad_verification_code', 70000);
  });

  it('answers authorization_declined, expired_token and bad_verification_code', async () => {
    const declined = await deviceCode('User.Read');
    await approveDeviceOverHttp(send, declined.verification_uri as string, declined.user_code as string, { login: 'kurt', decision: 'deny' });
    await aadError(await poll(declined.device_code as string), 400, 'authorization_declined', 65004);
    const expired = await deviceCode('User.Read');
    clock.advance(901);
    await aadError(await poll(expired.device_code as string), 400, 'expired_token', 70020);
    await aadError(await poll('DAQABIQEnope'), 400, 'bad_verification_code', 70000);
  });
});

describe('Microsoft Graph', () => {
  it('serves /v1.0/me and /oidc/userinfo, refuses with Graph error shapes', async () => {
    const tokens = await signedIn('openid email User.Read', 'lena');
    const me = await fetch(graph('/v1.0/me'), { headers: bearer(tokens.access_token as string) });
    expect(await me.json()).toMatchObject({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity', displayName: 'lena', userPrincipalName: `lena@${SANDBOX_ENTRA_TENANT_DOMAIN}`, id: expect.stringMatching(/^[0-9a-f-]{36}$/), businessPhones: [] });
    expect(await json(await fetch(graph('/oidc/userinfo'), { headers: bearer(tokens.access_token as string) }))).toMatchObject({ email: `lena@${SANDBOX_ENTRA_TENANT_DOMAIN}`, picture: 'https://graph.microsoft.com/v1.0/me/photo/$value' });

    const empty = await fetch(graph('/v1.0/me'));
    expect(empty.status).toBe(401);
    expect(empty.headers.get('www-authenticate')).toBe('Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"');
    expect(await empty.json()).toEqual({ error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.', innerError: { date: expect.any(String), 'request-id': expect.any(String), 'client-request-id': expect.any(String) } } });
    expect((await json(await fetch(graph('/v1.0/me'), { headers: bearer('not-a-jwt') }))).error).toMatchObject({ code: 'InvalidAuthenticationToken', message: expect.stringMatching(/^IDX14100/) });
    server.emulators.microsoft!.expireAccessTokens({ account: 'lena' });
    const expired = await fetch(graph('/v1.0/me'), { headers: bearer(tokens.access_token as string) });
    expect(expired.status).toBe(401);
    expect((await json(expired)).error).toMatchObject({ code: 'InvalidAuthenticationToken', message: 'Access token has expired or is not yet valid.' });

    const mailOnly = await signedIn('Mail.Read', 'mona');
    const denied = await fetch(graph('/v1.0/me'), { headers: bearer(mailOnly.access_token as string) });
    expect(denied.status).toBe(403);
    expect((await json(denied)).error).toMatchObject({ code: 'Authorization_RequestDenied' });
  });
});
