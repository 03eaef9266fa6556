import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { TestBrowser, makeTempDir, type TempDir } from '@opperator/testing';
import { FileTokenStore, OAuthClient, discoverProvider, type OAuthProvider, type StoredTokens } from '../src/index.js';
import { ProgressRecorder } from './helpers.js';

// One sign-in at a time per grant: two clients (two agents, or two processes:
// the sign-in lock is a directory next to the token file, the same between
// processes as inside one) share a token file and sign in at once. A real
// authorization server and a real Chromium play the provider and the user.

let server: RunningAuthorizationServer;
let provider: OAuthProvider;
let browser: TestBrowser;
let temp: TempDir;
let confidential: SandboxClient;
let fileCounter = 0;

/** A file store that counts its writes: the one number this test is about. */
class CountingStore extends FileTokenStore {
  saves = 0;
  override async save(tokens: StoredTokens): Promise<void> {
    this.saves += 1;
    await super.save(tokens);
  }
}

beforeAll(async () => {
  server = await startAuthorizationServer();
  [confidential] = server.clients as [SandboxClient];
  provider = await discoverProvider(server.issuer, { name: 'sandbox' });
  browser = await TestBrowser.launch();
  temp = await makeTempDir();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await temp?.remove();
});

function twoAgents() {
  const tokenPath = join(temp.path, `shared-${++fileCounter}`, 'token.json');
  const make = () => {
    const store = new CountingStore(tokenPath);
    return { store, client: new OAuthClient({ provider, clientId: confidential.clientId, clientSecret: confidential.clientSecret!, scopes: ['openid', 'email', 'offline_access'], store }) };
  };
  return [make(), make()] as const;
}

describe('two sign-ins of one grant at once', () => {
  it('the second waits, opens no browser, and adopts the first one\'s tokens: one token write', async () => {
    const [first, second] = twoAgents();
    const firstProgress = new ProgressRecorder();
    const secondProgress = new ProgressRecorder();
    let pageOpened: (url: string) => void;
    const page = new Promise<string>((resolve) => (pageOpened = resolve));
    const secondOpens: string[] = [];
    const firstDone = first.client.authorize({ onProgress: firstProgress.onProgress, openBrowser: (url) => pageOpened(url) });
    const url = await page;
    const secondDone = second.client.authorize({ onProgress: secondProgress.onProgress, openBrowser: (opened) => void secondOpens.push(opened) });
    await secondProgress.next('waiting-for-other-sign-in');
    await browser.signIn(url, { login: 'shared' });
    const [a, b] = await Promise.all([firstDone, secondDone]);
    expect(b.accessToken).toBe(a.accessToken);
    expect(b.account).toBe('shared@sandbox.test');
    expect(secondOpens).toEqual([]);
    expect(secondProgress.types()).toEqual(['waiting-for-other-sign-in', 'adopted']);
    expect(first.store.saves + second.store.saves).toBe(1);
    expect(await second.client.getAccessToken()).toBe(a.accessToken);
  }, 60_000);

  it('when the first is cancelled, the second signs in itself', async () => {
    const [first, second] = twoAgents();
    const cancel = new AbortController();
    let firstOpened: () => void;
    const opened = new Promise<void>((resolve) => (firstOpened = resolve));
    const firstDone = first.client.authorize({ signal: cancel.signal, openBrowser: () => firstOpened() });
    await opened;
    const secondProgress = new ProgressRecorder();
    let landed: Promise<unknown> = Promise.resolve();
    const secondDone = second.client.authorize({ onProgress: secondProgress.onProgress, openBrowser: (url) => void (landed = browser.signIn(url, { login: 'second' })) });
    await secondProgress.next('waiting-for-other-sign-in');
    cancel.abort();
    await expect(firstDone).rejects.toMatchObject({ code: 'OAUTH_ABORTED' });
    const tokens = await secondDone;
    expect(tokens.account).toBe('second@sandbox.test');
    await landed;
    expect(secondProgress.types()).toContain('saved');
    expect(second.store.saves).toBe(1);
  }, 60_000);

  it('a refresh by a sibling while waiting is not mistaken for a sign-in: only tokens made by a sign-in are adopted', async () => {
    const [first, second] = twoAgents();
    // Signed in long ago (signedInAt in the past); the first sign-in below is cancelled after a sibling's refresh.
    await first.store.save({ issuer: server.issuer, clientId: confidential.clientId, tokenType: 'Bearer', accessToken: 'old', scopes: ['openid', 'email', 'offline_access'], obtainedAt: Date.now(), signedInAt: Date.now() - 86_400_000, refreshToken: 'r' });
    const cancel = new AbortController();
    let firstOpened: () => void;
    const opened = new Promise<void>((resolve) => (firstOpened = resolve));
    const firstDone = first.client.authorize({ signal: cancel.signal, openBrowser: () => firstOpened() });
    await opened;
    const secondProgress = new ProgressRecorder();
    let landed: Promise<unknown> = Promise.resolve();
    const secondDone = second.client.authorize({ onProgress: secondProgress.onProgress, openBrowser: (url) => void (landed = browser.signIn(url, { login: 'fresh' })) });
    await secondProgress.next('waiting-for-other-sign-in');
    // What a refresh writes: new access token, same sign-in time.
    await first.store.save({ issuer: server.issuer, clientId: confidential.clientId, tokenType: 'Bearer', accessToken: 'refreshed', scopes: ['openid', 'email', 'offline_access'], obtainedAt: Date.now(), signedInAt: Date.now() - 86_400_000, refreshToken: 'r' });
    cancel.abort();
    await firstDone.catch(() => undefined);
    expect((await secondDone).account).toBe('fresh@sandbox.test');
    await landed;
  }, 60_000);
});
