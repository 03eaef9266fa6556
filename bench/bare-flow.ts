/**
 * The baseline of the authorize() benchmark: the same authorization-code +
 * PKCE sign-in written by hand with nothing but node:http, node:crypto,
 * fetch and writeFile, the least a program could do. No toolkit code runs
 * here, so the difference to authorize() is what the toolkit costs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SignInResult } from '@opperator/testing';

/** What {@link bareSignIn} needs. */
export interface BareSignInOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: readonly string[];
  /** Plays the user, like `TestBrowser.signIn`. */
  signIn: (authorizationUrl: string) => Promise<SignInResult>;
  /** Where the token response JSON is written. */
  tokenPath: string;
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

/**
 * One complete bare sign-in: discovery, loopback server on 127.0.0.1:0 at
 * /callback, PKCE S256, state, browser, token request with
 * client_secret_basic (what the sandbox's confidential client is
 * registered with), then writeFile of the token response.
 * Resolves when the tokens are written and the browser has shown the page.
 */
export async function bareSignIn(options: BareSignInOptions): Promise<void> {
  // Discovery, as the toolkit side does with discoverProvider() in every round.
  const metadata = (await (await fetch(`${options.issuer}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string;
    token_endpoint: string;
  };

  let onCallback!: (query: URLSearchParams) => void;
  const callback = new Promise<URLSearchParams>((resolve) => {
    onCallback = resolve;
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    // Answered at once: the minimal flow does not hold the page until the exchange is done.
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<h1>Signed in</h1><p>You can close this window.</p>');
    onCallback(url.searchParams);
  });
  const port = await listen(server);
  try {
    const redirectUri = `http://127.0.0.1:${port}/callback`;
    const verifier = base64url(randomBytes(32));
    const challenge = base64url(createHash('sha256').update(verifier).digest());
    const state = base64url(randomBytes(32));
    const authorizationUrl = new URL(metadata.authorization_endpoint);
    authorizationUrl.search = new URLSearchParams({
      response_type: 'code',
      client_id: options.clientId,
      redirect_uri: redirectUri,
      scope: options.scopes.join(' '),
      // discoverProvider() adds this for offline_access too: OIDC needs it for a refresh token.
      prompt: 'consent',
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();

    const page = options.signIn(authorizationUrl.href);
    // Surface a browser failure instead of waiting forever for a callback that never comes.
    const query = await Promise.race([callback, page.then(() => callback)]);
    if (query.get('state') !== state) throw new Error('bare flow: state mismatch');
    const code = query.get('code');
    if (!code) throw new Error(`bare flow: no code (${query.get('error') ?? 'no error either'})`);

    const credentials = Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64');
    const response = await fetch(metadata.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${credentials}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }),
    });
    const tokens = (await response.json()) as Record<string, unknown>;
    if (!response.ok || typeof tokens.access_token !== 'string') throw new Error(`bare flow: token request failed (HTTP ${response.status})`);
    await writeFile(options.tokenPath, JSON.stringify(tokens));
    await page;
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
