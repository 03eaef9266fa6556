import { describe, expect, it } from 'vitest';
import { OAuthError, ReauthorizationRequiredError, providers, type DeviceUserCode } from '../src/index.js';
import { expiredTokens, fakeProviderClient, json, signInWithCode, type FakeRoute } from './provider-harness.js';

// GitHub answers token endpoint errors with HTTP 200 and an `error` body:
// docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
// and the device flow's error table in docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps.
const TOKEN = 'https://github.com/login/oauth/access_token';
const DEVICE = 'https://github.com/login/device/code';
const github200 = (error: string, description: string, extra: Record<string, unknown> = {}) =>
  json(200, { error, error_description: description, error_uri: `https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#${error.replace(/_/g, '-')}`, ...extra });
const deviceCode: FakeRoute = () => json(200, { device_code: '3584d83530557fdd1f46af8289938c8ef79f9dc5', user_code: 'WDJB-MJHT', verification_uri: 'https://github.com/login/device', expires_in: 900, interval: 1 });

describe('GitHub (200 errors, comma-separated scopes)', () => {
  it('signs in with the device flow through 200 authorization_pending answers, and stores the comma-separated scopes', async () => {
    let polls = 0;
    const { client, toUrl } = fakeProviderClient(providers.github, {
      [DEVICE]: deviceCode,
      [TOKEN]: () => (++polls < 3 ? github200('authorization_pending', 'The authorization request is still pending.') : json(200, { access_token: 'gho_16C7e42F292c6912E7710c838347Ae178B4a', token_type: 'bearer', scope: 'notifications,read:user' })),
    }, { scopes: ['notifications', 'read:user'] });
    const shown: DeviceUserCode[] = [];
    await client.authorizeWithDevice({ onUserCode: (code) => void shown.push(code) });
    expect(shown[0]?.verificationUri).toBe('https://github.com/login/device');
    expect(toUrl(TOKEN)).toHaveLength(3);
    const status = await client.status();
    expect(status.state).toBe('valid');
    expect(status.scopes).toEqual(['notifications', 'read:user']);
    expect(status.warnings).toEqual([]);
  });

  it('adds 5 s to the interval on a 200 slow_down (RFC 8628 §3.5), then signs in', async () => {
    let polls = 0;
    const { client, toUrl } = fakeProviderClient(providers.github, {
      [DEVICE]: deviceCode,
      [TOKEN]: () => (++polls === 1 ? github200('slow_down', 'Too many requests have been made in the same timeframe.', { interval: 5 }) : json(200, { access_token: 'gho_x', token_type: 'bearer', scope: 'read:user' })),
    });
    await client.authorizeWithDevice({ onUserCode: () => undefined });
    const [first, second] = toUrl(TOKEN);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(5_900);
  }, 15_000);

  it.each([
    ['access_denied', 'The authorization request was denied.', 'OAUTH_ACCESS_DENIED'],
    ['expired_token', 'The device_code has expired.', 'OAUTH_DEVICE_CODE_EXPIRED'],
    ['incorrect_device_code', 'The device_code provided is not valid.', 'OAUTH_INVALID_GRANT'],
    ['incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.', 'OAUTH_INVALID_CLIENT'],
    ['device_flow_disabled', 'Device Flow must be explicitly enabled for this App', 'OAUTH_PROVIDER_ERROR'],
  ])('ends the device flow on a 200 %s with %s, keeping GitHub\'s code', async (error, description, code) => {
    const { client, toUrl } = fakeProviderClient(providers.github, { [DEVICE]: deviceCode, [TOKEN]: () => github200(error, description) });
    const failure = await client.authorizeWithDevice({ onUserCode: () => undefined }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(OAuthError);
    expect(failure).toMatchObject({ code, error, errorDescription: description });
    expect(toUrl(TOKEN)).toHaveLength(1);
    if (error === 'device_flow_disabled') expect((failure as Error).message).toContain('Enable Device Flow');
  });

  it.each([
    ['bad_verification_code', 'The code passed is incorrect or expired.', 'OAUTH_INVALID_GRANT', 'Sign in again'],
    ['incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.', 'OAUTH_INVALID_CLIENT', 'Check the client id and secret'],
    ['redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.', 'OAUTH_INVALID_GRANT', 'http://127.0.0.1/callback'],
  ])('reports a 200 %s from the code exchange as %s with the fix', async (error, description, code, fix) => {
    const { client } = fakeProviderClient(providers.github, { [TOKEN]: () => github200(error, description) });
    const failure = await signInWithCode(client);
    expect(failure).toMatchObject({ code, error, errorDescription: description });
    expect((failure as Error).message).toContain(fix);
  });

  describe('GitHub App user tokens (expiring, single-use refresh tokens)', () => {
    // docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
    it('saves the rotated refresh token and its expiry', async () => {
      const { client, store } = fakeProviderClient(providers.github, {
        [TOKEN]: () => json(200, { access_token: 'ghu_new', expires_in: 28800, refresh_token: 'ghr_new', refresh_token_expires_in: 15897600, scope: '', token_type: 'bearer' }),
      });
      await store.save(expiredTokens({ issuer: 'https://github.com', scopes: ['read:user'] }));
      expect(await client.getAccessToken()).toBe('ghu_new');
      const saved = await store.load();
      expect(saved?.refreshToken).toBe('ghr_new');
      expect(saved?.refreshTokenExpiresAt).toBeGreaterThan(Date.now() + 15_800_000_000);
      expect(saved?.scopes).toEqual(['read:user']);
    });

    it('marks a dead grant on a 200 bad_refresh_token and sends nothing more', async () => {
      const { client, store, requests } = fakeProviderClient(providers.github, {
        [TOKEN]: () => github200('bad_refresh_token', 'The refresh token passed is incorrect or expired.'),
      });
      await store.save(expiredTokens({ issuer: 'https://github.com' }));
      const failure = await client.getAccessToken().catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(ReauthorizationRequiredError);
      expect(failure).toMatchObject({ cause: { error: 'bad_refresh_token' } });
      expect((await client.status()).state).toBe('reauthorization-required');
      expect((await store.load())?.reauthorizationRequired?.reason).toContain('bad_refresh_token');
      const before = requests.length;
      await expect(client.getAccessToken()).rejects.toBeInstanceOf(ReauthorizationRequiredError);
      await expect(client.fetch('https://api.github.com/user')).rejects.toBeInstanceOf(ReauthorizationRequiredError);
      const stop = new AbortController();
      const loop = client.keepFresh({ signal: stop.signal });
      await new Promise((resolve) => setTimeout(resolve, 50));
      stop.abort();
      await loop;
      expect(requests.length - before).toBe(0);
    });
  });
});

describe('GitHub account name', () => {
  it('asks GET /user once after a sign-in, since GitHub sends no ID token', async () => {
    const { client, toUrl } = fakeProviderClient(providers.github, {
      [DEVICE]: deviceCode,
      [TOKEN]: () => json(200, { access_token: 'gho_abc', token_type: 'bearer', scope: 'read:user' }),
      'https://api.github.com/user': (request) => (request.headers.get('authorization') === 'Bearer gho_abc' ? json(200, { login: 'octocat', id: 1 }) : json(401, { message: 'Bad credentials' })),
    });
    await client.authorizeWithDevice({ onUserCode: () => undefined });
    expect((await client.status()).account).toBe('octocat');
    expect(toUrl('https://api.github.com/user')).toHaveLength(1);
  });

  it('signs in all the same when GET /user fails', async () => {
    const { client } = fakeProviderClient(providers.github, {
      [DEVICE]: deviceCode,
      [TOKEN]: () => json(200, { access_token: 'gho_abc', token_type: 'bearer', scope: 'read:user' }),
      'https://api.github.com/user': () => json(500, { message: 'Server Error' }),
    });
    await client.authorizeWithDevice({ onUserCode: () => undefined });
    const status = await client.status();
    expect(status.state).toBe('valid');
    expect(status.account).toBeUndefined();
  });
});
