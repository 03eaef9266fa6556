import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReauthorizationRequiredError, providers, type OAuthError } from '../src/index.js';
import { startEmulatorRig, type EmulatorRig } from './emulator-harness.js';

// providers.google as shipped, against the sandbox's Google emulator.
const TOKEN = 'POST oauth2.googleapis.com/token';
const GMAIL = 'https://www.googleapis.com/auth/gmail.readonly';
let rig: EmulatorRig;
beforeAll(async () => {
  rig = await startEmulatorRig('google', providers.google);
}, 60_000);
afterAll(async () => rig?.close());

const gmailClient = () => rig.client({ clientId: rig.confidential.clientId, clientSecret: rig.confidential.clientSecret!, scopes: ['openid', 'email', GMAIL] });

describe('Google, emulated', () => {
  it('signs in through the browser for Gmail: the account from the ID token, no warning for the expanded email scope, Gmail read through fetch()', async () => {
    const { client } = gmailClient();
    await rig.signIn(client, 'gina');
    const status = await client.status();
    expect(status).toMatchObject({ state: 'valid', account: 'gina@sandbox.test', hasRefreshToken: true, missingScopes: [], warnings: [] });
    expect(status.scopes).toContain('https://www.googleapis.com/auth/userinfo.email');
    const listed = await client.fetch('https://gmail.googleapis.com/gmail/v1/users/me/messages?q=is:unread');
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { resultSizeEstimate: number }).resultSizeEstimate).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it('refreshes without rotation: the refresh token stays', async () => {
    const { client, store, clock } = gmailClient();
    await rig.signIn(client, 'gina');
    const first = await store.load();
    clock.offsetMs = 3_600_000;
    expect(await client.getAccessToken()).not.toBe(first?.accessToken);
    expect((await store.load())?.refreshToken).toBe(first?.refreshToken);
  }, 60_000);

  it('shows the code of a device sign-in from Google\'s verification_url, and signs in', async () => {
    const { client } = rig.client({ clientId: rig.confidential.clientId, clientSecret: rig.confidential.clientSecret!, scopes: ['openid', 'email'] });
    const { shown } = await rig.signInWithDevice(client, 'tv');
    expect(shown.verificationUri).toBe(`${rig.server.issuer}/emulate/www.google.com/device`);
    expect((await client.status()).state).toBe('valid');
  }, 60_000);

  it('refuses a device sign-in for Gmail with Google\'s invalid_scope, as Google does', async () => {
    const { client } = gmailClient();
    const failure = await client.authorizeWithDevice({ onUserCode: () => undefined }).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'OAUTH_PROVIDER_ERROR', error: 'invalid_scope' });
  });

  it('a revoked grant ends in re-authorization with no further request; signing in again works', async () => {
    const { client, clock } = gmailClient();
    await rig.signIn(client, 'revokee');
    rig.server.emulators.google!.revokeGrants({ account: 'revokee' });
    clock.offsetMs = 3_600_000;
    const failure = await client.getAccessToken().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ReauthorizationRequiredError);
    expect((failure as Error & { cause: OAuthError }).cause.error).toBe('invalid_grant');
    const before = rig.server.emulators.google!.requestCount(TOKEN);
    await expect(client.getAccessToken()).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    expect(rig.server.emulators.google!.requestCount(TOKEN)).toBe(before);
    await rig.signIn(client, 'revokee');
    expect((await client.status()).state).toBe('valid');
  }, 60_000);

  it('a Workspace reauthentication policy (invalid_rapt) ends in re-authorization too', async () => {
    const { client, clock } = gmailClient();
    await rig.signIn(client, 'rapt');
    rig.server.emulators.google!.requireReauth({ account: 'rapt' });
    clock.offsetMs = 3_600_000;
    await expect(client.getAccessToken()).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    expect((await client.status()).state).toBe('reauthorization-required');
  }, 60_000);

  it('waits out a 503 with Retry-After before refreshing again', async () => {
    const { client, clock } = gmailClient();
    await rig.signIn(client, 'gina');
    rig.server.emulators.google!.failNext({ status: 503, retryAfterSeconds: 1 });
    clock.offsetMs = 3_600_000;
    const started = Date.now();
    await client.getAccessToken();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  }, 60_000);

  it('signs out with a revocation Google confirms', async () => {
    const { client } = gmailClient();
    await rig.signIn(client, 'leaver');
    expect(await client.revoke()).toMatchObject({ revoked: true, cleared: true });
  }, 60_000);
});
