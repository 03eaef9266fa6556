import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryTokenStore, OAuthClient, createBrowserOpener, discoverProvider, emulateProvider, providers, type DeviceUserCode, type OAuthProvider } from '@opperator/oauth';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '../src/index.js';

// scripts/headless-browser, the BROWSER command for machines without a
// screen, run as a real process (its shell wrapper, tsx, Chromium) against
// the sandbox while the OAuth client as shipped waits for tokens: on an
// authorization URL (as before), and on device verification URLs with the
// code in the URL, as a second argument, or in HEADLESS_BROWSER_USER_CODE.
const HELPER = fileURLToPath(new URL('../../../scripts/headless-browser', import.meta.url));

let server: RunningAuthorizationServer;
let sandbox: OAuthProvider;
let confidential: SandboxClient;
let publicClient: SandboxClient;

beforeAll(async () => {
  server = await startAuthorizationServer({ emulate: ['google'], devicePollIntervalSeconds: 1 });
  [confidential, publicClient] = server.clients as [SandboxClient, SandboxClient];
  sandbox = await discoverProvider(server.issuer, { name: 'sandbox' });
});

afterAll(async () => {
  await server?.close();
});

/** Runs the helper to its end; its environment is the test's plus `env`. */
function runHelper(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(HELPER, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

function sandboxClient(): OAuthClient {
  return new OAuthClient({ provider: sandbox, clientId: publicClient.clientId, scopes: ['openid', 'email'], store: new MemoryTokenStore() });
}

/** A device sign-in whose user is the helper, started by `play` on the code shown; resolves with the account signed in and how the helper ended. */
async function deviceSignInWith(client: OAuthClient, play: (code: DeviceUserCode) => Promise<{ code: number | null; stderr: string }>) {
  let helper: Promise<{ code: number | null; stderr: string }> | undefined;
  const tokens = await client.authorizeWithDevice({ signal: AbortSignal.timeout(40_000), onUserCode: (code) => void (helper = play(code)) });
  return { account: tokens.account, helper: await helper! };
}

describe('scripts/headless-browser', () => {
  it('still signs in at an authorization URL, as BROWSER for the loopback flow', async () => {
    const client = sandboxClient();
    await client.authorize({ timeoutMs: 30_000, openBrowser: createBrowserOpener({ browser: HELPER }) });
    expect((await client.getTokens())?.account).toBe('demo@sandbox.test');
  }, 60_000);

  it('finishes a device sign-in at verification_uri_complete, the code in the URL', async () => {
    const started = performance.now();
    const run = await deviceSignInWith(sandboxClient(), (code) => runHelper([code.verificationUriComplete!]));
    expect(run.helper.code).toBe(0);
    expect(run.helper.stderr).toContain('finished the device sign-in as demo; the page says "Sign-in Success"');
    expect(run.account).toBe('demo@sandbox.test');
    console.log(`headless-browser on verification_uri_complete: ${Math.round(performance.now() - started)} ms`);
  }, 60_000);

  it('types the code given as a second argument on the Google emulator, whose device page has no code in its URL', async () => {
    const google = emulateProvider(providers.google, server.issuer);
    const client = new OAuthClient({ provider: google, clientId: confidential.clientId, clientSecret: confidential.clientSecret!, scopes: ['openid', 'email'], store: new MemoryTokenStore() });
    const run = await deviceSignInWith(client, (code) => {
      expect(code.verificationUriComplete).toBeUndefined();
      return runHelper([code.verificationUri, code.userCode]);
    });
    expect(run.helper.code).toBe(0);
    expect(run.account).toBe('demo@sandbox.test');
  }, 60_000);

  it('takes the code from HEADLESS_BROWSER_USER_CODE when it is given the URL only, as a BROWSER command is', async () => {
    const run = await deviceSignInWith(sandboxClient(), (code) => runHelper([code.verificationUri], { HEADLESS_BROWSER_USER_CODE: code.userCode }));
    expect(run.helper.code).toBe(0);
    expect(run.account).toBe('demo@sandbox.test');
  }, 60_000);

  it('fails with exit status 1 and says how to give the code when a device page asks for one it was not given', async () => {
    const client = sandboxClient();
    const stop = new AbortController();
    let helper: Promise<{ code: number | null; stderr: string }> | undefined;
    const flow = client.authorizeWithDevice({ signal: stop.signal, onUserCode: (code) => void (helper = runHelper([code.verificationUri], { HEADLESS_BROWSER_USER_CODE: '' })) });
    const ended = flow.catch((err: unknown) => err);
    await expect.poll(() => helper, { timeout: 10_000 }).toBeDefined();
    const result = await helper!;
    stop.abort();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the verification page asks for the user code and none was given');
    expect(result.stderr).toContain('pass it as the second argument or in HEADLESS_BROWSER_USER_CODE');
    expect(await ended).toMatchObject({ code: 'OAUTH_ABORTED' });
  }, 60_000);

  it('exits 2 when given no URL', async () => {
    const result = await runHelper(['not-a-url']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no URL given');
  });
});
