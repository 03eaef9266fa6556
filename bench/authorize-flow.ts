/**
 * Benchmark 1: `OAuthClient.authorize()` end to end against the bare
 * hand-rolled flow of `bare-flow.ts`. Both sides share one sandbox
 * authorization server and one Chromium, so the only difference between
 * them is the code under test.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FileTokenStore, OAuthClient, discoverProvider } from '@opperator/oauth';
import { startAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { TestBrowser, type SignInResult } from '@opperator/testing';
import { bareSignIn } from './bare-flow.js';
import { alternate, elapsedMs, type Comparison } from './stats.js';

/** Settings of {@link benchAuthorize}. */
export interface AuthorizeBenchOptions {
  /** Scratch directory for the token files (a temp dir, never the repository). */
  dir: string;
  /** Unmeasured rounds per side first: JIT, Chromium's caches, oidc-provider's first requests. */
  warmupRounds: number;
  /** Measured rounds per side. */
  rounds: number;
}

const SCOPES = ['openid', 'email', 'offline_access'] as const;

/**
 * Measures full sign-ins (discovery, loopback port, browser login and
 * consent, token exchange, token file written) with `authorize()` and with
 * the bare flow, alternating, and returns the comparison in milliseconds.
 */
export async function benchAuthorize(options: AuthorizeBenchOptions): Promise<Comparison> {
  const server = await startAuthorizationServer();
  let browser: TestBrowser | undefined;
  try {
    browser = await TestBrowser.launch();
    const signIn = browser.signIn.bind(browser);
    const [client] = server.clients as [SandboxClient];
    if (!client.clientSecret) throw new Error('the sandbox\'s first client should be confidential');
    const clientSecret = client.clientSecret;
    const bareDir = join(options.dir, 'bare');
    await mkdir(bareDir, { recursive: true });

    // Side A: the toolkit, exactly as a program would call it, discovery included.
    const toolkit = async () => {
      let page: Promise<SignInResult> | undefined;
      const oauthClient = new OAuthClient({
        provider: await discoverProvider(server.issuer),
        clientId: client.clientId,
        clientSecret,
        scopes: SCOPES,
        store: new FileTokenStore(join(options.dir, 'toolkit', 'token.json')),
      });
      await oauthClient.authorize({
        openBrowser: (url) => {
          page = signIn(url);
        },
      });
      const shown = await page;
      if (shown?.heading !== 'Signed in') throw new Error(`authorize(): browser ended on ${JSON.stringify(shown?.heading)}`);
    };
    // Side B: the bare flow, same server, client, scopes and browser.
    const bare = () => bareSignIn({ issuer: server.issuer, clientId: client.clientId, clientSecret, scopes: SCOPES, signIn, tokenPath: join(bareDir, 'token.json') });

    const toolkitMs: number[] = [];
    const bareMs: number[] = [];
    const timed = (run: () => Promise<void>, into: number[] | undefined) => async () => {
      const start = performance.now();
      await run();
      into?.push(elapsedMs(start));
    };
    await alternate(options.warmupRounds, timed(toolkit, undefined), timed(bare, undefined));
    await alternate(options.rounds, timed(toolkit, toolkitMs), timed(bare, bareMs));

    return {
      name: 'sign-in end to end',
      subject: { label: 'authorize() + FileTokenStore', values: toolkitMs },
      baseline: { label: 'bare http+crypto+fetch flow', values: bareMs },
      unit: 'ms',
      note:
        'both sides include discovery, a fresh loopback port, Chromium login + consent, the token request and the token file. ' +
        'authorize() also checks iss and the ID token, holds the browser page until the exchange is done, and saves with fsync + rename; ' +
        'the bare flow answers the browser at once and writes with plain writeFile.',
    };
  } finally {
    await browser?.close();
    await server.close();
  }
}
