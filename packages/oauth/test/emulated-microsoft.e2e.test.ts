import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_ENTRA_TENANT_ID } from '@opperator/sandbox';
import { ReauthorizationRequiredError, emulateProvider, providers, type OAuthError } from '../src/index.js';
import { startEmulatorRig, type EmulatorRig } from './emulator-harness.js';

// providers.microsoft() as shipped, against the sandbox's Entra ID emulator:
// discovery with the {tenantid} issuer goes through openid-client's own Entra
// handling, since only the requests are routed.
const TOKEN = 'POST login.microsoftonline.com/{tenant}/oauth2/v2.0/token';
const SCOPES = ['openid', 'profile', 'email', 'offline_access', 'User.Read'];
let rig: EmulatorRig;
beforeAll(async () => {
  rig = await startEmulatorRig('microsoft', providers.microsoft());
}, 60_000);
afterAll(async () => rig?.close());

const graphClient = () => rig.client({ clientId: rig.confidential.clientId, clientSecret: rig.confidential.clientSecret!, scopes: SCOPES });

describe('Microsoft Entra ID (common), emulated', () => {
  it('signs in through the browser: no warning for the unechoed offline_access, Graph /me through fetch()', async () => {
    const { client } = graphClient();
    await rig.signIn(client, 'mia');
    const status = await client.status();
    expect(status).toMatchObject({ state: 'valid', hasRefreshToken: true, missingScopes: [], warnings: [] });
    expect(status.scopes).not.toContain('offline_access');
    const me = await client.fetch('https://graph.microsoft.com/v1.0/me');
    expect(me.status).toBe(200);
    expect((await me.json()) as { displayName: string }).toMatchObject({ displayName: 'mia' });
  }, 60_000);

  it.each([
    ['MFA', () => rig.server.emulators.microsoft!.requireMfa({ account: 'mfa' }), 'mfa'],
    ['consent', () => rig.server.emulators.microsoft!.requireConsent({ account: 'consent' }), 'consent'],
  ])('a refresh refused for %s ends in re-authorization, with no further request', async (_what, require, login) => {
    const { client, clock } = graphClient();
    await rig.signIn(client, login);
    require();
    clock.offsetMs = 2 * 3_600_000;
    const failure = await client.getAccessToken().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ReauthorizationRequiredError);
    expect((failure as Error & { cause: OAuthError }).cause.errorDescription).toMatch(/^AADSTS/);
    const before = rig.server.emulators.microsoft!.requestCount(TOKEN);
    await expect(client.getAccessToken()).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    expect(rig.server.emulators.microsoft!.requestCount(TOKEN)).toBe(before);
  }, 60_000);

  it('refreshes with rotation: the new refresh token is saved', async () => {
    const { client, store, clock } = graphClient();
    await rig.signIn(client, 'rotor');
    const first = await store.load();
    clock.offsetMs = 2 * 3_600_000;
    await client.getAccessToken();
    expect((await store.load())?.refreshToken).not.toBe(first?.refreshToken);
  }, 60_000);

  it('reports a declined device sign-in (authorization_declined) as OAUTH_ACCESS_DENIED', async () => {
    const { client } = rig.client({ clientId: rig.publicClient.clientId, scopes: SCOPES });
    const failure = await rig.signInWithDevice(client, 'decliner', 'deny').catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'OAUTH_ACCESS_DENIED', error: 'authorization_declined' });
  }, 60_000);

  it('signs in with the device flow at the organizations tenant', async () => {
    const organizations = emulateProvider(providers.microsoft({ tenant: 'organizations' }), rig.server.issuer);
    const { client } = rig.client({ clientId: rig.publicClient.clientId, scopes: SCOPES, provider: organizations });
    const { shown } = await rig.signInWithDevice(client, 'dev');
    expect(shown.verificationUri).toBe(`${rig.server.issuer}/emulate/microsoft.com/devicelogin`);
    expect((await client.status()).state).toBe('valid');
  }, 60_000);

  it.each([['consumers'], [SANDBOX_ENTRA_TENANT_ID]])('signs in through the browser at the %s tenant and refreshes', async (tenant) => {
    const provider = emulateProvider(providers.microsoft({ tenant }), rig.server.issuer);
    const { client, clock } = rig.client({ clientId: rig.confidential.clientId, clientSecret: rig.confidential.clientSecret!, scopes: SCOPES, provider });
    await rig.signIn(client, `user-${tenant.slice(0, 8)}`);
    expect((await client.status()).state).toBe('valid');
    clock.offsetMs = 2 * 3_600_000;
    expect(await client.getAccessToken()).toEqual(expect.any(String));
    expect((await (await client.fetch('https://graph.microsoft.com/v1.0/me')).json()) as object).toMatchObject({ displayName: `user-${tenant.slice(0, 8)}` });
  }, 60_000);
});
