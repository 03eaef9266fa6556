import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuthError, ReauthorizationRequiredError, providers } from '../src/index.js';
import { startEmulatorRig, type EmulatorRig } from './emulator-harness.js';

// providers.github as shipped, against the sandbox's GitHub emulator
// (packages/sandbox/src/emulators: GitHub's documented wire behaviour,
// HTTP 200 errors included).
const TOKEN = 'POST github.com/login/oauth/access_token';
let rig: EmulatorRig;
beforeAll(async () => {
  rig = await startEmulatorRig('github', providers.github);
}, 60_000);
afterAll(async () => rig?.close());

describe('GitHub OAuth App, emulated', () => {
  it('signs in through the browser, names the account from /user, and calls the API through fetch()', async () => {
    const { client } = rig.client({ clientId: rig.confidential.clientId, clientSecret: rig.confidential.clientSecret!, scopes: ['notifications', 'read:user'] });
    await rig.signIn(client, 'octocat');
    const status = await client.status();
    expect(status).toMatchObject({ state: 'valid', account: 'octocat', emulator: rig.server.issuer, hasRefreshToken: false, warnings: [] });
    expect(status.scopes).toEqual(expect.arrayContaining(['notifications', 'read:user']));
    const notifications = await client.fetch('https://api.github.com/notifications');
    expect(notifications.status).toBe(200);
    expect(Array.isArray(await notifications.json())).toBe(true);
  }, 60_000);

  it('signs in with the device flow, polling through GitHub\'s 200 authorization_pending answers', async () => {
    const { client } = rig.client({ clientId: rig.publicClient.clientId });
    const { shown } = await rig.signInWithDevice(client, 'hubber');
    expect(shown.verificationUri).toBe(`${rig.server.issuer}/emulate/github.com/login/device`);
    expect((await client.status()).account).toBe('hubber');
    expect(rig.server.emulators.github!.requestCount(TOKEN)).toBeGreaterThan(1);
  }, 60_000);

  it('reports a declined device sign-in as OAUTH_ACCESS_DENIED', async () => {
    const { client } = rig.client({ clientId: rig.publicClient.clientId });
    const failure = await rig.signInWithDevice(client, 'decliner', 'deny').catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'OAUTH_ACCESS_DENIED', error: 'access_denied' });
  }, 60_000);

  it('says which box to tick when the app has not enabled the device flow', async () => {
    rig.server.emulators.github!.setDeviceFlowEnabled(rig.publicClient.clientId, false);
    try {
      const { client } = rig.client({ clientId: rig.publicClient.clientId });
      const failure = await client.authorizeWithDevice({ onUserCode: () => undefined }).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(OAuthError);
      expect(failure).toMatchObject({ error: 'device_flow_disabled' });
      expect((failure as Error).message).toContain('Enable Device Flow');
    } finally {
      rig.server.emulators.github!.setDeviceFlowEnabled(rig.publicClient.clientId, true);
    }
  });

  it('signs out with GitHub\'s own revocation API (no RFC 7009 endpoint): the token stops working', async () => {
    const { client, store } = rig.client({ clientId: rig.confidential.clientId, clientSecret: rig.confidential.clientSecret!, scopes: ['read:user'] });
    await rig.signIn(client, 'leaver');
    const token = (await store.load())!.accessToken;
    expect(await client.revoke()).toMatchObject({ revoked: true, cleared: true });
    expect(rig.server.emulators.github!.requestCount('DELETE api.github.com/applications/{client_id}/grant')).toBe(1);
    const after = await fetch(`${rig.server.issuer}/emulate/api.github.com/user`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
  }, 60_000);

  it('says what to do when a public client signs out (GitHub revokes only with a secret)', async () => {
    const { client } = rig.client({ clientId: rig.publicClient.clientId });
    await rig.signInWithDevice(client, 'public-leaver');
    const result = await client.revoke();
    expect(result).toMatchObject({ revoked: false, cleared: true });
    expect(result.detail).toContain('remove the app');
  }, 60_000);

  it('rejects wrong client credentials as OAUTH_INVALID_CLIENT, not an invalid response', async () => {
    const { client } = rig.client({ clientId: rig.confidential.clientId, clientSecret: 'wrong-secret' });
    const failure = await rig.signIn(client, 'octocat').catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'OAUTH_INVALID_CLIENT', error: 'incorrect_client_credentials' });
  }, 60_000);
});

describe('GitHub App user tokens, emulated', () => {
  const app = () => rig.server.githubAppClient!;

  it('refreshes an 8-hour token with the single-use refresh token, saving the rotated one', async () => {
    const { client, store, clock } = rig.client({ clientId: app().clientId, clientSecret: app().clientSecret! });
    await rig.signIn(client, 'appuser');
    const first = await store.load();
    expect(first?.refreshToken).toMatch(/^ghr_/);
    expect(first!.expiresAt! - first!.obtainedAt).toBe(28_800_000);
    clock.offsetMs = 8 * 3_600_000;
    const token = await client.getAccessToken();
    expect(token).not.toBe(first?.accessToken);
    expect((await store.load())?.refreshToken).not.toBe(first?.refreshToken);
    expect((await (await client.fetch('https://api.github.com/user')).json()) as { login: string }).toMatchObject({ login: 'appuser' });
  }, 60_000);

  it('a revoked grant: bad_refresh_token marks it, and no request is made with it again', async () => {
    const { client, clock } = rig.client({ clientId: app().clientId, clientSecret: app().clientSecret! });
    await rig.signIn(client, 'revoked');
    rig.server.emulators.github!.revokeGrants({ account: 'revoked' });
    clock.offsetMs = 8 * 3_600_000;
    const failure = await client.getAccessToken().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ReauthorizationRequiredError);
    expect((failure as Error & { cause: OAuthError }).cause.error).toBe('bad_refresh_token');
    expect((await client.status()).state).toBe('reauthorization-required');
    const before = rig.server.emulators.github!.requestCounts();
    await expect(client.getAccessToken()).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    await expect(client.fetch('https://api.github.com/user')).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    const stop = new AbortController();
    const loop = client.keepFresh({ signal: stop.signal });
    await new Promise((resolve) => setTimeout(resolve, 200));
    stop.abort();
    await loop;
    expect(rig.server.emulators.github!.requestCounts()).toEqual(before);
    // Signing in again makes it work again.
    await rig.signIn(client, 'revoked');
    expect((await client.status()).state).toBe('valid');
  }, 60_000);
});
