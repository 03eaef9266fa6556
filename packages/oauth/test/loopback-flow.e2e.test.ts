import { access, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { TestBrowser, makeTempDir, type SignInOptions, type SignInResult, type TempDir } from '@opperator/testing';
import { FileTokenStore, OAuthClient, discoverProvider, readPermissionBits, type AuthorizeOptions, type OAuthProvider } from '../src/index.js';
import { ProgressRecorder, isPortClosed, readAuthorizationRequest } from './helpers.js';

// One real authorization server (oidc-provider) and one real Chromium for the
// whole file; every test signs in through them end to end.
let server: RunningAuthorizationServer;
let provider: OAuthProvider;
let browser: TestBrowser;
let temp: TempDir;
let confidential: SandboxClient;
let publicClient: SandboxClient;

beforeAll(async () => {
  server = await startAuthorizationServer();
  [confidential, publicClient] = server.clients as [SandboxClient, SandboxClient];
  provider = await discoverProvider(server.issuer, { name: 'sandbox' });
  browser = await TestBrowser.launch();
  temp = await makeTempDir();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await temp?.remove();
});

let fileCounter = 0;
function makeClient(client: SandboxClient = confidential, tokenPath = join(temp.path, `run-${++fileCounter}`, 'token.json')) {
  const store = new FileTokenStore(tokenPath);
  const oauthClient = new OAuthClient({
    provider,
    clientId: client.clientId,
    ...(client.clientSecret ? { clientSecret: client.clientSecret } : {}),
    scopes: ['openid', 'email', 'offline_access'],
    store,
  });
  return { oauthClient, store, tokenPath };
}

/** authorize() with the test browser playing the user; returns both outcomes. */
async function signInWithBrowser(client: OAuthClient, signIn: SignInOptions = {}, options: AuthorizeOptions = {}) {
  const progress = new ProgressRecorder();
  let page: Promise<SignInResult> | undefined;
  const result = client.authorize({
    onProgress: progress.onProgress,
    openBrowser: (url) => {
      page = browser.signIn(url, signIn);
    },
    ...options,
  });
  const settled = await result.then((tokens) => ({ tokens, error: undefined }), (error: unknown) => ({ tokens: undefined, error }));
  return { ...settled, page: await page, progress };
}

describe('loopback sign-in against oidc-provider in Chromium', () => {
  it('signs in a confidential client, saves the tokens privately and closes the port', async () => {
    const { oauthClient, tokenPath } = makeClient(confidential);
    const { tokens, error, page, progress } = await signInWithBrowser(oauthClient);
    expect(error).toBeUndefined();
    expect(tokens?.refreshToken).toBeTruthy();
    expect(tokens?.account).toBe('alice@sandbox.test');
    expect(tokens?.scopes).toEqual(expect.arrayContaining(['openid', 'email', 'offline_access']));
    expect(page?.heading).toBe('Signed in');
    expect(progress.types()).toEqual(['listening', 'browser-opened', 'callback-received', 'exchanging', 'saved']);

    const listening = await progress.next('listening');
    expect(listening.redirectUri).toBe(`http://127.0.0.1:${listening.port}/callback`);
    const request = new URL(listening.authorizationUrl).searchParams;
    expect(request.get('code_challenge_method')).toBe('S256');
    expect(request.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(request.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(await isPortClosed(listening.port)).toBe(true);

    expect(await readPermissionBits(tokenPath)).toBe(0o600);
    expect(await readPermissionBits(join(tokenPath, '..'))).toBe(0o700);
    const file = JSON.parse(await readFile(tokenPath, 'utf8'));
    expect(file).toMatchObject({ version: 1, issuer: server.issuer, clientId: confidential.clientId, refreshToken: tokens?.refreshToken });
    expect(Date.parse(file.expiresAt)).toBeGreaterThan(Date.now());
    expect(await oauthClient.getAccessToken()).toBe(tokens?.accessToken);
  });

  it('signs in a public client (PKCE only, no secret)', async () => {
    const { oauthClient } = makeClient(publicClient);
    const { tokens, error, page } = await signInWithBrowser(oauthClient, { login: 'bob' });
    expect(error).toBeUndefined();
    expect(tokens?.account).toBe('bob@sandbox.test');
    expect(tokens?.refreshToken).toBeTruthy();
    expect(page?.heading).toBe('Signed in');
  });

  it('turns consent denial into OAUTH_ACCESS_DENIED and saves nothing', async () => {
    const { oauthClient, tokenPath } = makeClient();
    const { error, page, progress } = await signInWithBrowser(oauthClient, { decision: 'deny' });
    expect(error).toMatchObject({ name: 'OAuthError', code: 'OAUTH_ACCESS_DENIED', error: 'access_denied' });
    expect((error as { errorDescription?: string }).errorDescription).toBeTruthy();
    expect(page).toMatchObject({ status: 403, heading: 'Sign-in cancelled' });
    await expect(access(tokenPath)).rejects.toThrow();
    expect(await isPortClosed((await progress.next('listening')).port)).toBe(true);
  });

  it('rejects a forged callback with a wrong or missing state and still completes the real one', async () => {
    const { oauthClient } = makeClient();
    const progress = new ProgressRecorder();
    const forged: number[] = [];
    let page: Promise<SignInResult> | undefined;
    const tokens = await oauthClient.authorize({
      onProgress: progress.onProgress,
      openBrowser: async (url) => {
        const { redirectUri } = readAuthorizationRequest(url);
        forged.push((await fetch(`${redirectUri}?code=forged&state=not-the-state`)).status);
        forged.push((await fetch(`${redirectUri}?code=forged`)).status);
        page = browser.signIn(url);
      },
    });
    expect(forged).toEqual([400, 400]);
    expect(progress.events.filter((e) => e.type === 'callback-rejected')).toEqual([
      { type: 'callback-rejected', reason: 'state-mismatch' },
      { type: 'callback-rejected', reason: 'missing-state' },
    ]);
    expect(tokens.account).toBe('alice@sandbox.test');
    expect((await page)?.heading).toBe('Signed in');
  });

  it('answers stray requests with 404 without ending the flow', async () => {
    const { oauthClient } = makeClient();
    const statuses: number[] = [];
    let page: Promise<SignInResult> | undefined;
    await oauthClient.authorize({
      openBrowser: async (url) => {
        const origin = new URL(readAuthorizationRequest(url).redirectUri).origin;
        for (const path of ['/favicon.ico', '/', '/callback/extra', '/robots.txt']) statuses.push((await fetch(origin + path)).status);
        page = browser.signIn(url);
      },
    });
    expect(statuses).toEqual([404, 404, 404, 404]);
    expect((await page)?.heading).toBe('Signed in');
  });

  it('delivers the URL when the browser cannot be opened, and the sign-in still completes from it', async () => {
    const { oauthClient } = makeClient();
    const progress = new ProgressRecorder();
    const done = oauthClient.authorize({
      onProgress: progress.onProgress,
      openBrowser: () => {
        throw new Error('no display');
      },
    });
    const failed = await progress.next('browser-failed');
    expect(failed.reason).toBe('no display');
    const page = await browser.signIn(failed.authorizationUrl);
    expect(page.heading).toBe('Signed in');
    expect((await done).account).toBe('alice@sandbox.test');
  });

  it('escapes provider text echoed on the error page', async () => {
    const { oauthClient } = makeClient();
    let body: Promise<string> | undefined;
    const outcome = oauthClient.authorize({
      openBrowser: (url) => {
        const { redirectUri, state } = readAuthorizationRequest(url);
        const query = new URLSearchParams({ error: 'server_error', error_description: '<script>alert("x")</script>', state, iss: server.issuer });
        body = fetch(`${redirectUri}?${query}`).then((response) => response.text());
      },
    });
    await expect(outcome).rejects.toMatchObject({ code: 'OAUTH_AUTHORIZATION_FAILED', error: 'server_error', errorDescription: '<script>alert("x")</script>' });
    const page = await body;
    expect(page).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
    expect(page).not.toContain('<script>');
  });

  it('stops on a callback whose RFC 9207 iss names another server', async () => {
    const { oauthClient } = makeClient();
    const outcome = oauthClient.authorize({
      openBrowser: async (url) => {
        const { redirectUri, state } = readAuthorizationRequest(url);
        await fetch(`${redirectUri}?${new URLSearchParams({ code: 'abc', state, iss: 'https://evil.example' })}`);
      },
    });
    await expect(outcome).rejects.toMatchObject({ code: 'OAUTH_ISSUER_MISMATCH' });
  });

  it('fails with OAUTH_TIMEOUT when nobody signs in, and frees the port', async () => {
    const { oauthClient } = makeClient();
    const progress = new ProgressRecorder();
    const outcome = oauthClient.authorize({ timeoutMs: 300, openBrowser: () => undefined, onProgress: progress.onProgress });
    await expect(outcome).rejects.toMatchObject({ code: 'OAUTH_TIMEOUT' });
    expect(await isPortClosed((await progress.next('listening')).port)).toBe(true);
  });

  it('fails with OAUTH_ABORTED when the signal aborts, and frees the port', async () => {
    const { oauthClient } = makeClient();
    const controller = new AbortController();
    const progress = new ProgressRecorder();
    const outcome = oauthClient.authorize({ signal: controller.signal, openBrowser: () => controller.abort(), onProgress: progress.onProgress });
    await expect(outcome).rejects.toMatchObject({ code: 'OAUTH_ABORTED' });
    expect(await isPortClosed((await progress.next('listening')).port)).toBe(true);
    await expect(oauthClient.authorize({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'OAUTH_ABORTED' });
  });

  it('reports a busy port clearly, and moves on to the next port of a range', async () => {
    const blocker = await occupyPort();
    try {
      const busy = (blocker.address() as { port: number }).port;
      const { oauthClient } = makeClient();
      const outcome = oauthClient.authorize({ port: busy, openBrowser: () => undefined, timeoutMs: 1000 });
      await expect(outcome).rejects.toMatchObject({ code: 'OAUTH_PORT_IN_USE' });
      await expect(outcome).rejects.toThrow(String(busy));

      const progress = new ProgressRecorder();
      let page: Promise<SignInResult> | undefined;
      await oauthClient.authorize({ port: { from: busy, to: busy + 20 }, onProgress: progress.onProgress, openBrowser: (url) => void (page = browser.signIn(url)) });
      const { port } = await progress.next('listening');
      expect(port).toBeGreaterThan(busy);
      expect(port).toBeLessThanOrEqual(busy + 20);
      expect((await page)?.heading).toBe('Signed in');
    } finally {
      blocker.close();
    }
  });

  it('never shows the client secret or tokens when the client or tokens are printed', async () => {
    const { oauthClient } = makeClient();
    const { tokens } = await signInWithBrowser(oauthClient);
    const printed = [inspect(oauthClient), JSON.stringify(oauthClient), inspect(tokens), JSON.stringify(tokens), String(tokens)].join('\n');
    expect(printed).not.toContain(confidential.clientSecret);
    expect(printed).not.toContain(tokens?.accessToken);
    expect(printed).not.toContain(tokens?.refreshToken);
    expect(printed).toContain('[redacted]');
  });
});

describe('providers without RFC 9207', () => {
  it('sign in when the server sends no iss', async () => {
    const plain = await startAuthorizationServer({ issuerParameter: false });
    try {
      const plainProvider = await discoverProvider(plain.issuer);
      expect(plainProvider.metadata?.authorization_response_iss_parameter_supported).toBeUndefined();
      const [client] = plain.clients as [SandboxClient];
      const oauthClient = new OAuthClient({ provider: plainProvider, clientId: client.clientId, clientSecret: client.clientSecret!, store: new FileTokenStore(join(temp.path, 'plain', 'token.json')) });
      let page: Promise<SignInResult> | undefined;
      const tokens = await oauthClient.authorize({ openBrowser: (url) => void (page = browser.signIn(url)) });
      expect(tokens.accessToken).toBeTruthy();
      expect((await page)?.url).not.toContain('iss=');
    } finally {
      await plain.close();
    }
  });
});

function occupyPort(): Promise<Server> {
  return new Promise((resolve) => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1', () => resolve(blocker));
  });
}
