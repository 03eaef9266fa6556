import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryTokenStore, OAuthClient, discoverProvider, emulateProvider, providers, type DeviceUserCode, type OAuthProvider, type TokenSet } from '@opperator/oauth';
import { TextBrowser, type RecordedResponse } from '@opperator/testing';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '../src/index.js';

// A person finishing a device sign-in in a text browser: Debian's w3m (no
// JavaScript at all) in a real terminal, typing the code, confirming,
// signing in and consenting on the sandbox's pages and on the Google
// emulator's, while the agent side (the OAuth client as shipped) polls the
// token endpoint. Every page w3m was shown is read back through its proxy
// and must be completable as plain HTML: no script, no handler attributes,
// every button inside its form.
let server: RunningAuthorizationServer;
let sandbox: OAuthProvider;
let confidential: SandboxClient;
let publicClient: SandboxClient;

beforeAll(async () => {
  // A 1 s poll interval instead of the RFC's default 5 s keeps the suite quick.
  server = await startAuthorizationServer({ emulate: ['google'], devicePollIntervalSeconds: 1 });
  [confidential, publicClient] = server.clients as [SandboxClient, SandboxClient];
  sandbox = await discoverProvider(server.issuer, { name: 'sandbox' });
});

afterAll(async () => {
  await server?.close();
});

/**
 * Runs the agent's device sign-in while `person` plays the user in w3m on
 * the code the agent shows; resolves with the agent's tokens (or its error)
 * and what w3m saw.
 */
async function deviceSignIn(
  client: OAuthClient,
  person: (code: DeviceUserCode, w3m: () => Promise<TextBrowser>) => Promise<void>,
): Promise<{ tokens: TokenSet | undefined; error: unknown; pages: RecordedResponse[]; shown: DeviceUserCode }> {
  let shown: DeviceUserCode | undefined;
  let browser: TextBrowser | undefined;
  let played: Promise<void> = Promise.resolve();
  const pagesFailed = new AbortController();
  const outcome = client
    .authorizeWithDevice({
      signal: AbortSignal.any([pagesFailed.signal, AbortSignal.timeout(40_000)]),
      onUserCode: (code) => {
        shown = code;
        played = person(code, async () => (browser = await TextBrowser.open(code.verificationUri)));
        // A failure on the pages ends the agent's poll at once, not when the code expires; it is thrown below.
        played.catch((err: unknown) => pagesFailed.abort(err));
      },
    })
    .then(
      (tokens) => ({ tokens, error: undefined }),
      (error: unknown) => ({ tokens: undefined, error }),
    );
  try {
    const result = await outcome;
    await played;
    return { ...result, pages: browser?.htmlPages() ?? [], shown: shown! };
  } finally {
    await browser?.close();
  }
}

/** What makes a page need script, or keeps a text browser from submitting it. */
function expectCompletableWithoutScript(pages: readonly RecordedResponse[]): void {
  expect(pages.length).toBeGreaterThan(0);
  for (const page of pages) {
    const where = `${page.method} ${page.url}`;
    expect(page.body, where).not.toMatch(/<script/i);
    expect(page.body, where).not.toMatch(/\son[a-z]+\s*=/i);
    expect(page.body, where).not.toMatch(/<button[^>]*\sform=/i);
    expect(page.body, where).not.toMatch(/<noscript/i);
    expect(page.csp, where).toContain("default-src 'none'");
    // Every button sits between its form's tags: outside one, w3m and lynx have nothing to submit.
    const outside = page.body.replace(/<form[\s\S]*?<\/form>/g, '');
    expect(outside, where).not.toMatch(/<button|<input/i);
  }
}

describe('the sandbox device flow in w3m', () => {
  it('types a wrong code, then the right one, confirms, signs in and allows: the agent gets tokens for that account', async () => {
    const started = performance.now();
    const client = new OAuthClient({ provider: sandbox, clientId: publicClient.clientId, scopes: ['openid', 'email', 'offline_access'], store: new MemoryTokenStore() });
    const run = await deviceSignIn(client, async (code, open) => {
      const w3m = await open();
      await w3m.waitForHeading('Connect a device');
      await w3m.fill('Code', 'BCDF-BCDF');
      await w3m.press('Continue');
      // oidc-provider's re-rendered code page: the notice, and the typed code back in the field.
      await w3m.waitFor(/That code is not right[\s\S]*Code \[BCDF-BCDF/);
      await w3m.fill('Code', code.userCode.toLowerCase());
      await w3m.press('Continue');
      const confirm = await w3m.waitForHeading('Confirm the device');
      expect(confirm).toContain(code.userCode);
      await w3m.press('Continue');
      await w3m.waitForHeading('Sign in');
      await w3m.fill('User name', 'wendy');
      await w3m.fill('Password', 'not checked');
      await w3m.press('Sign in');
      const consent = await w3m.waitForHeading('Allow access?');
      expect(consent).toContain('wendy@sandbox.test');
      await w3m.press('Allow');
      expect(await w3m.waitForHeading('Sign-in Success')).toContain('You can close this page');
    });
    expect(run.error).toBeUndefined();
    expect(run.tokens?.account).toBe('wendy@sandbox.test');
    expect(run.tokens?.refreshToken).toBeTruthy();
    expect(run.pages.map((p) => pageKind(p))).toEqual(['device-code', 'device-code', 'device-confirm', 'login', 'consent', 'device-success']);
    expectCompletableWithoutScript(run.pages);
    console.log(`w3m sandbox device sign-in: ${Math.round(performance.now() - started)} ms`);
  }, 60_000);

  it('opens verification_uri_complete with the code filled in; Deny ends the agent with access denied', async () => {
    const client = new OAuthClient({ provider: sandbox, clientId: confidential.clientId, clientSecret: confidential.clientSecret!, scopes: ['openid', 'email'], store: new MemoryTokenStore() });
    const run = await deviceSignIn(client, async (code) => {
      expect(code.verificationUriComplete).toBeDefined();
      const w3m = await TextBrowser.open(code.verificationUriComplete!);
      try {
        const entry = await w3m.waitForHeading('Connect a device');
        expect(entry).toContain(`Code [${code.userCode}`);
        await w3m.press('Continue');
        await w3m.waitForHeading('Confirm the device');
        await w3m.press('Continue');
        await w3m.waitForHeading('Sign in');
        await w3m.fill('User name', 'dan');
        await w3m.press('Sign in');
        await w3m.waitForHeading('Allow access?');
        await w3m.press('Deny');
        expect(await w3m.waitForHeading('Connect a device')).toContain('The sign-in request was interrupted');
        expectCompletableWithoutScript(w3m.htmlPages());
      } finally {
        await w3m.close();
      }
    });
    expect(run.tokens).toBeUndefined();
    expect(run.error).toMatchObject({ name: 'OAuthError', code: 'OAUTH_ACCESS_DENIED' });
  }, 60_000);
});

describe('the Google emulator device flow in w3m', () => {
  it('types the code on the emulated www.google.com/device, signs in and allows: the agent gets tokens', async () => {
    const started = performance.now();
    const google = emulateProvider(providers.google, server.issuer);
    const client = new OAuthClient({ provider: google, clientId: confidential.clientId, clientSecret: confidential.clientSecret!, scopes: ['openid', 'email'], store: new MemoryTokenStore() });
    const run = await deviceSignIn(client, async (code, open) => {
      expect(code.verificationUri).toBe(`${server.issuer}/emulate/www.google.com/device`);
      const w3m = await open();
      await w3m.waitForHeading('Connect a device');
      await w3m.fill('Code', 'WRONG-CODE');
      await w3m.press('Continue');
      // A refused code comes back in the field, with why, to be corrected (the page keeps its heading).
      await w3m.waitFor(/That code is not right[\s\S]*Code \[WRONG-CODE/);
      await w3m.fill('Code', code.userCode);
      await w3m.press('Continue');
      await w3m.waitForHeading('Confirm the device');
      await w3m.press('Continue');
      await w3m.waitForHeading('Sign in');
      await w3m.fill('User name', 'gwen');
      await w3m.press('Sign in');
      await w3m.waitForHeading('Allow access?');
      await w3m.press('Allow');
      await w3m.waitForHeading('Sign-in Success');
    });
    expect(run.error).toBeUndefined();
    expect(run.tokens?.account).toBe('gwen@sandbox.test');
    expect(run.pages.map((p) => pageKind(p))).toEqual(['device-code', 'device-code', 'device-confirm', 'login', 'consent', 'device-success']);
    expectCompletableWithoutScript(run.pages);
    console.log(`w3m Google emulator device sign-in: ${Math.round(performance.now() - started)} ms`);
  }, 60_000);
});

function pageKind(page: RecordedResponse): string | undefined {
  return /<body data-page="([\w-]+)"/.exec(page.body)?.[1];
}
