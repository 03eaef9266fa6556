import { join } from 'node:path';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { TestBrowser, makeTempDir, type DeviceVerificationOptions, type DeviceVerificationResult } from '@opperator/testing';
import { FileTokenStore, OAuthClient } from '../src/index.js';
import { discoverProvider } from '../src/discover-provider.js';
import { runDeviceFlow, type DeviceUserCode } from '../src/device-flow.js';
import type { OAuthProvider } from '../src/provider.js';

// One real authorization server (oidc-provider with its device flow pages)
// and one real Chromium for the file: the user types the code on the
// provider's verification page while runDeviceFlow polls the token endpoint.
let server: RunningAuthorizationServer;
let provider: OAuthProvider;
let browser: TestBrowser;
let confidential: SandboxClient;
let publicClient: SandboxClient;

const SCOPES = ['openid', 'email', 'offline_access'];

beforeAll(async () => {
  // A 1 s poll interval instead of the RFC's default 5 s keeps the suite quick.
  server = await startAuthorizationServer({ devicePollIntervalSeconds: 1 });
  [confidential, publicClient] = server.clients as [SandboxClient, SandboxClient];
  provider = await discoverProvider(server.issuer, { name: 'sandbox' });
  browser = await TestBrowser.launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The configuration OAuthClient builds for the sandbox: metadata from discovery, plain http allowed on loopback. */
function configurationFor(client: SandboxClient): oidc.Configuration {
  const clientAuth = client.clientSecret ? oidc.ClientSecretBasic(client.clientSecret) : oidc.None();
  const config = new oidc.Configuration(provider.metadata!, client.clientId, undefined, clientAuth);
  oidc.allowInsecureRequests(config);
  return config;
}

/** Runs the device flow with Chromium playing the user on the verification page. */
async function signInOnDevice(client: SandboxClient, options: DeviceVerificationOptions = {}) {
  const shown: DeviceUserCode[] = [];
  let page: Promise<DeviceVerificationResult> | undefined;
  const outcome = await runDeviceFlow({
    config: configurationFor(client),
    scopes: SCOPES,
    now: () => 1_000_000,
    onUserCode: (code) => {
      shown.push(code);
      page = browser.completeDeviceFlow(code.verificationUri, code.userCode, options);
    },
  }).then(
    (tokens) => ({ tokens, error: undefined }),
    (error: unknown) => ({ tokens: undefined, error }),
  );
  return { ...outcome, page: await page, shown };
}

describe('device sign-in against oidc-provider in Chromium', () => {
  it('signs in a public client on the verification page and returns tokens', async () => {
    const { tokens, error, page, shown } = await signInOnDevice(publicClient);
    expect(error).toBeUndefined();
    expect(page?.outcome).toBe('approved');
    expect(page?.heading).toBe('Sign-in Success');
    expect(tokens?.access_token).toBeTruthy();
    expect(tokens?.refresh_token).toBeTruthy();
    expect(tokens?.claims()?.email).toBe('alice@sandbox.test');
    expect(tokens?.scope?.split(' ')).toEqual(expect.arrayContaining(SCOPES));

    const [code] = shown as [DeviceUserCode];
    expect(shown).toHaveLength(1);
    expect(code.verificationUri).toBe(`${server.issuer}/device`);
    expect(code.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(new URL(code.verificationUriComplete!).searchParams.get('user_code')).toBe(code.userCode);
    // oidc-provider's device codes live 10 minutes; expiresAt follows the injected clock.
    expect(code.expiresAt).toBe(1_000_000 + 600_000);
    expect(code.intervalMs).toBe(1000);
  });

  it('signs in a confidential client as another user', async () => {
    const { tokens, error, page } = await signInOnDevice(confidential, { login: 'bob' });
    expect(error).toBeUndefined();
    expect(page?.outcome).toBe('approved');
    expect(tokens?.claims()?.email).toBe('bob@sandbox.test');
    expect(tokens?.refresh_token).toBeTruthy();
  });

  it('fails with OAUTH_ACCESS_DENIED when the user denies consent', async () => {
    const { tokens, error, page } = await signInOnDevice(publicClient, { decision: 'deny' });
    expect(tokens).toBeUndefined();
    expect(page?.outcome).toBe('denied');
    expect(error).toMatchObject({ name: 'OAuthError', code: 'OAUTH_ACCESS_DENIED', error: 'access_denied', status: 400 });
  });

  it('fails with OAUTH_ABORTED when the signal aborts while polling', async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    const outcome = runDeviceFlow({
      config: configurationFor(publicClient),
      scopes: SCOPES,
      signal: controller.signal,
      onUserCode: () => {
        // Let a poll or two see authorization_pending, then give up.
        setTimeout(() => {
          abortedAt = performance.now();
          controller.abort();
        }, 1500);
      },
    });
    await expect(outcome).rejects.toMatchObject({ name: 'OAuthError', code: 'OAUTH_ABORTED' });
    expect(performance.now() - abortedAt).toBeLessThan(500);
    await expect(runDeviceFlow({ config: configurationFor(publicClient), scopes: SCOPES, signal: AbortSignal.abort(), onUserCode: () => undefined })).rejects.toMatchObject({
      code: 'OAUTH_ABORTED',
    });
  });
});

describe('OAuthClient.authorizeWithDevice', () => {
  it('saves the tokens the device flow obtained, and they work like any other', async () => {
    const temp = await makeTempDir();
    try {
      const store = new FileTokenStore(join(temp.path, 'token.json'));
      const client = new OAuthClient({ provider, clientId: publicClient.clientId, scopes: SCOPES, store });
      const sources: string[] = [];
      client.on('tokens', (event) => sources.push(event.source));
      let page: Promise<DeviceVerificationResult> | undefined;
      const tokens = await client.authorizeWithDevice({ onUserCode: (code) => void (page = browser.completeDeviceFlow(code.verificationUri, code.userCode, { login: 'carol' })) });
      expect((await page)?.outcome).toBe('approved');
      expect(tokens.account).toBe('carol@sandbox.test');
      expect(sources).toEqual(['device']);
      expect((await store.load())?.refreshToken).toBe(tokens.refreshToken);
      expect(await client.status()).toMatchObject({ state: 'valid', account: 'carol@sandbox.test', missingScopes: [] });
      expect(await client.getAccessToken()).toBe(tokens.accessToken);
    } finally {
      await temp.remove();
    }
  });
});
