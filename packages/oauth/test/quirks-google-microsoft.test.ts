import { describe, expect, it } from 'vitest';
import type { OAuthError} from '../src/index.js';
import { ReauthorizationRequiredError, providers, type DeviceUserCode } from '../src/index.js';
import { expiredTokens, fakeProviderClient, json, type FakeRoute } from './provider-harness.js';

describe('Google', () => {
  const TOKEN = 'https://oauth2.googleapis.com/token';
  const DEVICE = 'https://oauth2.googleapis.com/device/code';

  it('shows the device code from a response that names the page verification_url, and polls through 428 authorization_pending', async () => {
    // developers.google.com/identity/protocols/oauth2/limited-input-device, "Step 2": `verification_url`;
    // "Step 6": authorization_pending is answered with HTTP 428.
    let polls = 0;
    const { client, toUrl } = fakeProviderClient(providers.google, {
      [DEVICE]: () => json(200, { device_code: '4/4-GMMhmHCXhWEzkobqIHGG_EnNYYsAkukHspeYUk9E8', user_code: 'GQVQ-JKEC', verification_url: 'https://www.google.com/device', expires_in: 1800, interval: 1 }),
      [TOKEN]: () =>
        ++polls < 2
          ? json(428, { error: 'authorization_pending', error_description: 'Precondition Required' })
          : json(200, { access_token: 'ya29.a0', expires_in: 3599, refresh_token: '1//0g', scope: 'openid https://www.googleapis.com/auth/userinfo.email', token_type: 'Bearer' }),
    });
    const shown: DeviceUserCode[] = [];
    await client.authorizeWithDevice({ onUserCode: (code) => void shown.push(code) });
    expect(shown[0]).toMatchObject({ userCode: 'GQVQ-JKEC', verificationUri: 'https://www.google.com/device' });
    expect(toUrl(TOKEN)).toHaveLength(2);
    expect((await client.status()).state).toBe('valid');
  });

  it('takes the userinfo.email scope Google echoes for `email` as granted: no warning', async () => {
    // developers.google.com/identity/protocols/oauth2/scopes: `email` is https://www.googleapis.com/auth/userinfo.email.
    const { client, store } = fakeProviderClient(providers.google, {}, { scopes: ['openid', 'email', 'profile'] });
    await store.save(expiredTokens({ expiresAt: Date.now() + 3_600_000, scopes: ['openid', 'https://www.googleapis.com/auth/userinfo.email', 'https://www.googleapis.com/auth/userinfo.profile'] }));
    const status = await client.status();
    expect(status.missingScopes).toEqual([]);
    expect(status.warnings).toEqual([]);
  });

  it('still warns about a scope Google did not grant', async () => {
    const { client, store } = fakeProviderClient(providers.google, {}, { scopes: ['openid', 'email', 'https://www.googleapis.com/auth/gmail.readonly'] });
    await store.save(expiredTokens({ expiresAt: Date.now() + 3_600_000, scopes: ['openid', 'https://www.googleapis.com/auth/userinfo.email'] }));
    expect((await client.status()).missingScopes).toEqual(['https://www.googleapis.com/auth/gmail.readonly']);
  });
});

describe('Microsoft Entra ID', () => {
  const BASE = 'https://login.microsoftonline.com/common';
  // The multi-tenant discovery document's issuer has a {tenantid} placeholder
  // (learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc, "Find your app's OpenID configuration document URI").
  const discovery: FakeRoute = () =>
    json(200, {
      issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
      authorization_endpoint: `${BASE}/oauth2/v2.0/authorize`,
      token_endpoint: `${BASE}/oauth2/v2.0/token`,
      device_authorization_endpoint: `${BASE}/oauth2/v2.0/devicecode`,
      jwks_uri: `${BASE}/discovery/v2.0/keys`,
      response_types_supported: ['code'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    });
  // Token endpoint errors (learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow, "Error codes for token endpoint errors").
  const entraError = (error: string, aadsts: number, text: string) =>
    json(400, { error, error_description: `AADSTS${aadsts}: ${text} Trace ID: 0000 Correlation ID: 0000 Timestamp: 2026-12-05 12:00:00Z`, error_codes: [aadsts], timestamp: '2026-12-05 12:00:00Z', trace_id: '0000', correlation_id: '0000' });

  it('takes a grant without offline_access echoed as complete when a refresh token came', async () => {
    // Capture: learn.microsoft.com/en-us/answers/questions/806413 (asked User.Read offline_access Files.Read.All,
    // got "Files.Read.All openid User.Read profile email").
    const { client, store } = fakeProviderClient(providers.microsoft(), {}, { scopes: ['openid', 'profile', 'email', 'offline_access', 'https://graph.microsoft.com/User.Read'] });
    await store.save(expiredTokens({ expiresAt: Date.now() + 3_600_000, scopes: ['openid', 'User.Read', 'profile', 'email'] }));
    const status = await client.status();
    expect(status.missingScopes).toEqual([]);
    expect(status.warnings).toEqual([]);
    await store.save(expiredTokens({ refreshToken: undefined, expiresAt: Date.now() + 3_600_000, scopes: ['openid', 'User.Read', 'profile', 'email'] }));
    expect((await client.status()).missingScopes).toEqual(['offline_access']);
  });

  it.each([
    ['interaction_required', 50076, 'Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.'],
    ['consent_required', 65001, "The user or administrator has not consented to use the application."],
  ])('marks the grant on a refresh refused with %s (AADSTS%d) and sends nothing more', async (error, aadsts, text) => {
    const { client, store, requests } = fakeProviderClient(providers.microsoft(), {
      [`${BASE}/v2.0/.well-known/openid-configuration`]: discovery,
      [`${BASE}/oauth2/v2.0/token`]: () => entraError(error, aadsts, text),
    });
    await store.save(expiredTokens({ issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' }));
    const failure = await client.getAccessToken().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ReauthorizationRequiredError);
    expect((failure as Error & { cause: OAuthError }).cause).toMatchObject({ code: 'OAUTH_INVALID_GRANT', error, status: 400 });
    expect((await client.status()).state).toBe('reauthorization-required');
    const tokenRequests = () => requests.filter((request) => request.url.endsWith('/token')).length;
    expect(tokenRequests()).toBe(1);
    await expect(client.getAccessToken()).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    expect(tokenRequests()).toBe(1);
  });

  it('reports a declined device sign-in (authorization_declined) as OAUTH_ACCESS_DENIED with Entra\'s code', async () => {
    // learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code, "Expected errors".
    const { client } = fakeProviderClient(providers.microsoft(), {
      [`${BASE}/v2.0/.well-known/openid-configuration`]: discovery,
      [`${BASE}/oauth2/v2.0/devicecode`]: () =>
        json(200, { user_code: 'FGH7J2KLM', device_code: 'DAQABAAEAAAD', verification_uri: 'https://microsoft.com/devicelogin', expires_in: 900, interval: 1, message: 'To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FGH7J2KLM to authenticate.' }),
      [`${BASE}/oauth2/v2.0/token`]: () => entraError('authorization_declined', 70000, 'The end user denied the authorization request.'),
    });
    const failure = await client.authorizeWithDevice({ onUserCode: () => undefined }).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'OAUTH_ACCESS_DENIED', error: 'authorization_declined' });
  });
});
