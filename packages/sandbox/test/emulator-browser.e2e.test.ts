import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '@opperator/testing';
import type { RunningAuthorizationServer } from '../src/index.js';
import { CONFIDENTIAL, FakeClock, GITHUB_APP, PUBLIC_CLIENT, bearer, pkce, postForm, startEmulating } from './emulator-helpers.js';

// Chromium plays the user on each emulator's pages with packages/testing's driver, unchanged: the pages keep the sandbox's DOM.
let browser: TestBrowser;
let server: RunningAuthorizationServer;
let receiver: Server;
let callback: string;

beforeAll(async () => {
  receiver = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!DOCTYPE html><title>done</title><h1>Signed in</h1>');
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  callback = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callback`;
  [browser, server] = await Promise.all([TestBrowser.launch(), startEmulating(['github', 'google', 'microsoft'], new FakeClock())]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

/** Signs in through Chromium and returns the code from the app's redirect. */
async function browserCode(authorizeUrl: string, params: Record<string, string>, login: string): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkce();
  const url = `${authorizeUrl}?${new URLSearchParams({ redirect_uri: callback, state: 'b-state', code_challenge: challenge, code_challenge_method: 'S256', ...params })}`;
  const landed = await browser.signIn(url, { login });
  expect(landed.heading).toBe('Signed in');
  const back = new URL(landed.url);
  expect(back.searchParams.get('state')).toBe('b-state');
  return { code: back.searchParams.get('code') as string, verifier };
}

describe('signing in through the emulators in Chromium', () => {
  it('GitHub (GitHub App): login and authorize pages, then a ghu_ token that reads /user', async () => {
    const { code, verifier } = await browserCode(server.emulatedUrl('https://github.com/login/oauth/authorize'), { client_id: GITHUB_APP.clientId }, 'octo');
    const res = await postForm(server.emulatedUrl('https://github.com/login/oauth/access_token'), { client_id: GITHUB_APP.clientId, client_secret: GITHUB_APP.clientSecret, code, code_verifier: verifier, redirect_uri: callback }, { Accept: 'application/json' });
    const tokens = (await res.json()) as { access_token: string };
    expect(tokens.access_token).toMatch(/^ghu_/);
    const user = (await (await fetch(server.emulatedUrl('https://api.github.com/user'), { headers: bearer(tokens.access_token) })).json()) as { login: string };
    expect(user.login).toBe('octo');
  });

  it('Google: sign-in and consent pages, then tokens for Gmail', async () => {
    const scope = 'openid email https://www.googleapis.com/auth/gmail.readonly';
    const { code, verifier } = await browserCode(server.emulatedUrl('https://accounts.google.com/o/oauth2/v2/auth'), { client_id: CONFIDENTIAL.clientId, response_type: 'code', scope, access_type: 'offline' }, 'gina');
    const res = await postForm(server.emulatedUrl('https://oauth2.googleapis.com/token'), { client_id: CONFIDENTIAL.clientId, client_secret: CONFIDENTIAL.clientSecret, grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: callback });
    const tokens = (await res.json()) as { access_token: string; refresh_token?: string };
    expect(tokens.refresh_token).toMatch(/^1\/\//);
    const profile = (await (await fetch(server.emulatedUrl('https://gmail.googleapis.com/gmail/v1/users/me/profile'), { headers: bearer(tokens.access_token) })).json()) as { emailAddress: string };
    expect(profile.emailAddress).toBe('gina@sandbox.test');
  });

  it('Microsoft: sign-in and consent pages at /common, then a Graph token that reads /me', async () => {
    const { code, verifier } = await browserCode(server.emulatedUrl('https://login.microsoftonline.com/common/oauth2/v2.0/authorize'), { client_id: CONFIDENTIAL.clientId, response_type: 'code', scope: 'openid User.Read offline_access' }, 'mia');
    const res = await postForm(server.emulatedUrl('https://login.microsoftonline.com/common/oauth2/v2.0/token'), { client_id: CONFIDENTIAL.clientId, client_secret: CONFIDENTIAL.clientSecret, grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: callback });
    const tokens = (await res.json()) as { access_token: string; scope: string };
    expect(tokens.scope).toBe('User.Read profile openid email');
    const me = (await (await fetch(server.emulatedUrl('https://graph.microsoft.com/v1.0/me'), { headers: bearer(tokens.access_token) })).json()) as { displayName: string };
    expect(me.displayName).toBe('mia');
  });

  it('Microsoft device flow: the driver completes it at microsoft.com/devicelogin', async () => {
    const res = await postForm(server.emulatedUrl('https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode'), { client_id: PUBLIC_CLIENT.clientId, scope: 'User.Read' });
    const code = (await res.json()) as { verification_uri: string; user_code: string; device_code: string };
    expect(code.verification_uri).toBe('https://microsoft.com/devicelogin');
    // The user opens the emulated form of the verification URI, as our client shows it.
    const done = await browser.completeDeviceFlow(server.emulatedUrl(code.verification_uri), code.user_code, { login: 'dev' });
    expect(done.outcome).toBe('approved');
    const tokens = await postForm(server.emulatedUrl('https://login.microsoftonline.com/organizations/oauth2/v2.0/token'), { client_id: PUBLIC_CLIENT.clientId, grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: code.device_code });
    expect(tokens.status).toBe(200);
  });
});
