import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '@opperator/testing';
import type { GithubNotification } from '../src/github-api.js';
import { startAuthorizationServer, type RunningAuthorizationServer } from '../src/index.js';
import { getWithToken, signInThroughBrowser } from './sign-in.js';

// The GitHub-shaped demo API of a real server, with tokens from real sign-ins in Chromium.
let browser: TestBrowser;
let server: RunningAuthorizationServer;

beforeAll(async () => {
  [browser, server] = await Promise.all([TestBrowser.launch(), startAuthorizationServer()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('GitHub-shaped demo API', () => {
  it('is announced with its scopes and refuses requests without a token or with a bad one', async () => {
    expect(server.githubApiUrl).toBe(`${server.issuer}/github`);
    const discovery = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as { scopes_supported: string[] };
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(['notifications', 'read:user']));

    const missing = await getWithToken(`${server.githubApiUrl}/notifications`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ message: 'Requires authentication' });
    const bad = await getWithToken(`${server.githubApiUrl}/notifications`, 'gho_not-a-token');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ message: 'Bad credentials' });
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await getWithToken(`${server.githubApiUrl}/user`, 'gho_not-a-token')).status).toBe(401);
  });

  it('lists unread notifications in GitHub’s shape for a token with the notifications scope', async () => {
    const tokens = await signInThroughBrowser(browser, server, ['openid', 'read:user', 'notifications'], 'octo');
    const res = await getWithToken(`${server.githubApiUrl}/notifications`, tokens.accessToken);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-oauth-scopes')?.split(', ')).toEqual(expect.arrayContaining(['notifications', 'read:user']));
    const unread = (await res.json()) as GithubNotification[];
    expect(unread).toHaveLength(3);
    for (const item of unread) {
      expect(item).toEqual({
        id: expect.any(String),
        unread: true,
        reason: expect.any(String),
        updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        subject: { title: expect.any(String), type: expect.any(String), url: expect.stringContaining(server.githubApiUrl) },
        repository: { full_name: 'opperator/sandbox-demo' },
      });
    }
    const all = (await (await getWithToken(`${server.githubApiUrl}/notifications?all=true`, tokens.accessToken)).json()) as GithubNotification[];
    expect(all.map((n) => n.unread)).toEqual([true, true, true, false]);

    const user = await getWithToken(`${server.githubApiUrl}/user`, tokens.accessToken);
    expect(await user.json()).toEqual({ login: 'octo', id: expect.any(Number), name: 'octo', email: 'octo@sandbox.test' });
    expect((await getWithToken(`${server.githubApiUrl}/repos`, tokens.accessToken)).status).toBe(404);
  });

  it('answers 403 to a token without the notifications scope, naming the scope', async () => {
    const tokens = await signInThroughBrowser(browser, server, ['openid', 'read:user'], 'octo');
    const res = await getWithToken(`${server.githubApiUrl}/notifications`, tokens.accessToken);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-accepted-oauth-scopes')).toBe('notifications');
    expect(await res.json()).toMatchObject({ message: "Missing the 'notifications' scope." });
    // /user, like GitHub's, takes any valid token.
    expect((await getWithToken(`${server.githubApiUrl}/user`, tokens.accessToken)).status).toBe(200);
  });
});
