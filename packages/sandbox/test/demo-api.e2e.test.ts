import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providers } from '@opperator/oauth';
import { TestBrowser } from '@opperator/testing';
import { SANDBOX_DEFAULT_PORT, startAuthorizationServer, type RunningAuthorizationServer } from '../src/index.js';
import { getWithToken, signInThroughBrowser } from './sign-in.js';

// Real servers (oidc-provider) and a real Chromium: tokens come from a real
// sign-in, and the demo API checks them against the server that issued them.
let browser: TestBrowser;
let server: RunningAuthorizationServer;
let shortLived: RunningAuthorizationServer;

beforeAll(async () => {
  [browser, server, shortLived] = await Promise.all([
    TestBrowser.launch(),
    startAuthorizationServer(),
    startAuthorizationServer({ accessTokenTtlSeconds: 1 }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await shortLived?.close();
});

/** Signs `login` in at `at` through the browser and returns the access token. */
const signIn = async (at: RunningAuthorizationServer, scopes: string[], login = 'alice') => (await signInThroughBrowser(browser, at, scopes, login)).accessToken;
const get = (at: RunningAuthorizationServer, path: string, token?: string) => getWithToken(`${at.demoApiUrl}${path}`, token);

describe('sandbox presets', () => {
  it('points providers.sandbox at the default port, discovered on first use', () => {
    expect(SANDBOX_DEFAULT_PORT).toBe(9440);
    expect(providers.sandbox.issuer).toBe(`http://127.0.0.1:${SANDBOX_DEFAULT_PORT}`);
    expect(providers.sandbox.metadata).toBeUndefined();
    expect(providers.sandbox.defaultScopes).toEqual(['openid', 'email', 'offline_access']);
  });
});

describe('demo API', () => {
  it('refuses requests without a token or with an unknown one', async () => {
    expect(server.demoApiUrl).toBe(`${server.issuer}/gmail/v1`);
    const missing = await get(server, '/users/me/profile');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    const unknown = await get(server, '/users/me/messages?q=is:unread', 'not-a-token');
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('answers the profile and unread messages with a token from a real sign-in', async () => {
    const token = await signIn(server, ['openid', 'email', 'offline_access'], 'bob');
    const profile = await get(server, '/users/me/profile', token);
    expect(profile.status).toBe(200);
    expect(await profile.json()).toMatchObject({ emailAddress: 'bob@sandbox.test', messagesTotal: 5 });
    const unread = await get(server, '/users/me/messages?q=is:unread', token);
    expect(unread.status).toBe(200);
    const body = (await unread.json()) as { messages: Array<{ id: string; threadId: string }>; resultSizeEstimate: number };
    expect(body.resultSizeEstimate).toBe(3);
    expect(body.messages).toHaveLength(3);
    for (const message of body.messages) expect(message).toEqual({ id: expect.any(String), threadId: expect.any(String) });
    expect((await get(server, '/users/me/nothing', token)).status).toBe(404);
  });

  it('answers 403 insufficient_scope to a token without the email scope', async () => {
    const token = await signIn(server, ['openid']);
    const res = await get(server, '/users/me/profile', token);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('refuses a token once it has expired', async () => {
    const token = await signIn(shortLived, ['openid', 'email']);
    // Right after the sign-in the 1 s token may already be near its end; the
    // point is the 401 after expiry, so only that is asserted strictly.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const res = await get(shortLived, '/users/me/profile', token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });
});
