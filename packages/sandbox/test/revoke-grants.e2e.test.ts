import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, makeTempDir, redeemRefreshToken, type TempDir } from '@opperator/testing';
import { REVOKE_GRANTS_PATH, startAuthorizationServer, type RunningAuthorizationServer } from '../src/index.js';
import { getWithToken, signInThroughBrowser, stateFileIn } from './sign-in.js';

// Revoking grants at a real server (with a state file, as the CLI runs it),
// with tokens from real sign-ins in Chromium.
let browser: TestBrowser;
let temp: TempDir;
let server: RunningAuthorizationServer;
const SCOPES = ['openid', 'email', 'offline_access'];

beforeAll(async () => {
  [browser, temp] = await Promise.all([TestBrowser.launch(), makeTempDir()]);
  server = await startAuthorizationServer({ stateFile: stateFileIn(temp.path) });
});

afterAll(async () => {
  await server?.close();
  await browser?.close();
  await temp?.remove();
});

function postRevoke(headers: Record<string, string>, body?: string): Promise<Response> {
  return fetch(`${server.issuer}${REVOKE_GRANTS_PATH}`, { method: 'POST', headers, ...(body === undefined ? {} : { body }) });
}

describe('revokeGrants', () => {
  it("kills one account's refresh and access tokens and leaves the others", async () => {
    const alice = await signInThroughBrowser(browser, server, SCOPES, 'alice');
    const bob = await signInThroughBrowser(browser, server, SCOPES, 'bob');
    expect(await server.revokeGrants({ account: 'alice' })).toBe(1);

    expect(await redeemRefreshToken(server, alice.refreshToken!)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const refused = await getWithToken(`${server.demoApiUrl}/users/me/profile`, alice.accessToken);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');

    expect((await getWithToken(`${server.demoApiUrl}/users/me/profile`, bob.accessToken)).status).toBe(200);
    expect((await redeemRefreshToken(server, bob.refreshToken!)).status).toBe(200);
    expect(await server.revokeGrants({ account: 'alice' })).toBe(0);
  });

  it('lets the user sign in again afterwards (consent is asked again)', async () => {
    const again = await signInThroughBrowser(browser, server, SCOPES, 'alice');
    expect((await getWithToken(`${server.demoApiUrl}/users/me/profile`, again.accessToken)).status).toBe(200);
    expect((await redeemRefreshToken(server, again.refreshToken!)).status).toBe(200);
  });

  it('revokes every grant without an account', async () => {
    const carol = await signInThroughBrowser(browser, server, SCOPES, 'carol');
    expect(await server.revokeGrants()).toBeGreaterThanOrEqual(3); // bob, alice's second sign-in, carol
    expect(await redeemRefreshToken(server, carol.refreshToken!)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await server.revokeGrants()).toBe(0);
  });
});

describe(`POST ${REVOKE_GRANTS_PATH}`, () => {
  it('refuses a missing or wrong admin token with 401', async () => {
    expect((await postRevoke({})).status).toBe(401);
    const wrong = await postRevoke({ Authorization: `Bearer ${server.adminToken}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect((await fetch(`${server.issuer}${REVOKE_GRANTS_PATH}`)).status).toBe(405);
  });

  it("revokes one account's grants with the admin token and says how many", async () => {
    const dave = await signInThroughBrowser(browser, server, SCOPES, 'dave');
    const erin = await signInThroughBrowser(browser, server, SCOPES, 'erin');
    const auth = { Authorization: `Bearer ${server.adminToken}`, 'Content-Type': 'application/json' };
    const res = await postRevoke(auth, JSON.stringify({ account: 'dave' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: 1 });
    expect(await redeemRefreshToken(server, dave.refreshToken!)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await redeemRefreshToken(server, erin.refreshToken!)).status).toBe(200);

    expect((await postRevoke(auth, '{ nope')).status).toBe(400);
    expect((await postRevoke(auth, JSON.stringify({ account: 7 }))).status).toBe(400);
    const all = await postRevoke({ Authorization: `Bearer ${server.adminToken}` });
    expect(await all.json()).toEqual({ revoked: 1 });
  });
});
