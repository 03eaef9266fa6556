import { readFile, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, makeTempDir, redeemRefreshToken, type TempDir } from '@opperator/testing';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '../src/index.js';
import { getWithToken, signInThroughBrowser, stateFileIn } from './sign-in.js';

// A real server signs a user in through Chromium, is closed, and a new one
// is started on the same port with the same state file: what was issued
// before the restart must still work after it.
let browser: TestBrowser;
let temp: TempDir;
let server: RunningAuthorizationServer | undefined;

beforeAll(async () => {
  [browser, temp] = await Promise.all([TestBrowser.launch(), makeTempDir()]);
});

afterAll(async () => {
  await server?.close();
  await browser?.close();
  await temp?.remove();
});

describe('a sandbox with a state file', () => {
  it('keeps refresh tokens, access tokens and its signing key across a restart', async () => {
    const stateFile = stateFileIn(temp.path);
    const clients: SandboxClient[] = [{ clientId: 'opperator-demo', clientSecret: 'sandbox-secret-restart-test' }];
    server = await startAuthorizationServer({ clients, stateFile });
    const { port } = server;
    const before = await signInThroughBrowser(browser, server, ['openid', 'email', 'offline_access'], 'dora');
    expect(before.refreshToken).toBeTruthy();
    const jwksBefore = await (await fetch(`${server.issuer}/jwks`)).json();
    await server.close();
    server = undefined;
    await new Promise((resolve) => setTimeout(resolve, 100)); // as below: fetch's pool must see the sockets close

    // What a killed-and-restarted sandbox would find: a private file with the tokens in it.
    expect((await stat(stateFile)).mode & 0o777).toBe(0o600);
    expect(await readFile(stateFile, 'utf8')).toContain('"RefreshToken:');

    server = await startAuthorizationServer({ clients, stateFile, port });
    expect(await (await fetch(`${server.issuer}/jwks`)).json()).toEqual(jwksBefore);
    expect((await getWithToken(`${server.demoApiUrl}/users/me/profile`, before.accessToken)).status).toBe(200);

    const refreshed = await redeemRefreshToken(server, before.refreshToken!);
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(refreshed.body.access_token).toEqual(expect.any(String));
    const profile = await getWithToken(`${server.demoApiUrl}/users/me/profile`, refreshed.body.access_token as string);
    expect(await profile.json()).toMatchObject({ emailAddress: 'dora@sandbox.test' });
  });

  it('starts empty without a state file: a new server knows nothing of the old one', async () => {
    const clients: SandboxClient[] = [{ clientId: 'opperator-demo', clientSecret: 'sandbox-secret-memory-test' }];
    const first = await startAuthorizationServer({ clients });
    const tokens = await signInThroughBrowser(browser, first, ['openid', 'email', 'offline_access']);
    await first.close();
    // Let fetch's keep-alive pool see the old server's sockets close: a POST on a dead pooled socket is not retried.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await startAuthorizationServer({ clients, port: first.port });
    try {
      const refreshed = await redeemRefreshToken(second, tokens.refreshToken!);
      expect(refreshed).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    } finally {
      await second.close();
    }
  });
});
