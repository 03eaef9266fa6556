/**
 * Shared set-up of the refresh benchmarks: a sandbox authorization server
 * with short-lived access tokens, a counting proxy in front of its token
 * endpoint, and one Chromium to sign in with. Both clients under comparison
 * (ours and google-auth-library) send their token requests to the proxy, so
 * requests and `invalid_grant` answers are counted in one place, the same
 * way for both, outside the code being measured.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FileTokenStore, OAuthClient, discoverProvider, type OAuthProvider, type StoredTokens } from '@opperator/oauth';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { TestBrowser, type SignInResult } from '@opperator/testing';

/** Token endpoint traffic seen by the proxy since it started. */
export interface TokenCounts {
  /** POSTs with `grant_type=refresh_token`. */
  refreshRequests: number;
  /** Of those, answers with `error: invalid_grant`. */
  invalidGrants: number;
  /** Other token requests (the code exchanges of sign-ins). */
  otherRequests: number;
}

/** The difference `after - before`, field by field. */
export function countsSince(before: TokenCounts, after: TokenCounts): TokenCounts {
  return {
    refreshRequests: after.refreshRequests - before.refreshRequests,
    invalidGrants: after.invalidGrants - before.invalidGrants,
    otherRequests: after.otherRequests - before.otherRequests,
  };
}

/** A running sandbox, proxy and browser; see {@link startRefreshSandbox}. */
export interface RefreshSandbox {
  server: RunningAuthorizationServer;
  /** The public client: no secret, and the sandbox rotates its refresh token on every use. */
  client: SandboxClient;
  /** Discovered provider whose token endpoint is the counting proxy. */
  provider: OAuthProvider;
  /** The proxy's token URL, for google-auth-library's `endpoints.oauth2TokenUrl`. */
  tokenUrl: string;
  accessTokenTtlSeconds: number;
  /** A copy of the counters right now. */
  counts(): TokenCounts;
  /** A fresh sign-in (new grant, new refresh token) saved to `tokenPath`, through the browser. */
  signIn(tokenPath: string): Promise<StoredTokens>;
  close(): Promise<void>;
}

/**
 * Starts the sandbox with `accessTokenTtlSeconds`-second access tokens, the
 * counting proxy and Chromium. Close it even when a benchmark fails: it owns
 * two listening servers and a browser process.
 */
export async function startRefreshSandbox(accessTokenTtlSeconds: number): Promise<RefreshSandbox> {
  const server = await startAuthorizationServer({ accessTokenTtlSeconds });
  const closers: (() => Promise<void>)[] = [() => server.close()];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined); // Best effort: close the rest anyway.
  };
  try {
    const client = server.clients.find((c) => !c.clientSecret);
    if (!client) throw new Error('the sandbox should register a public client');
    const discovered = await discoverProvider(server.issuer);
    const metadata = discovered.metadata;
    if (!metadata?.token_endpoint) throw new Error('the sandbox should announce a token endpoint');
    const proxy = await startCountingProxy(metadata.token_endpoint);
    closers.push(proxy.close);
    // Only the token endpoint moves; issuer, keys and authorization endpoint stay the sandbox's.
    const provider: OAuthProvider = { ...discovered, metadata: { ...metadata, token_endpoint: proxy.url } };
    const browser = await TestBrowser.launch();
    closers.push(() => browser.close());
    const signIn = async (tokenPath: string): Promise<StoredTokens> => {
      const oauth = new OAuthClient({ provider, clientId: client.clientId, scopes: ['openid', 'offline_access'], store: new FileTokenStore(tokenPath) });
      let page: Promise<SignInResult> | undefined;
      await oauth.authorize({ openBrowser: (url) => void (page = browser.signIn(url)) });
      const shown = await page;
      if (shown?.heading !== 'Signed in') throw new Error(`sign-in ended on ${JSON.stringify(shown?.heading)}`);
      const tokens = await oauth.store.load();
      if (!tokens?.refreshToken || tokens.expiresAt === undefined) throw new Error('sign-in gave no refresh token or no expiry');
      return tokens;
    };
    return { server, client, provider, tokenUrl: proxy.url, accessTokenTtlSeconds, counts: () => ({ ...proxy.counts }), signIn, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * A reverse proxy on 127.0.0.1 that forwards every request to `target` (the
 * sandbox token endpoint) unchanged and counts refresh requests and
 * `invalid_grant` answers on the way.
 */
async function startCountingProxy(target: string): Promise<{ url: string; counts: TokenCounts; close: () => Promise<void> }> {
  const counts: TokenCounts = { refreshRequests: 0, invalidGrants: 0, otherRequests: 0 };
  const upstream = new URL(target);
  const proxy = createServer((req, res) => {
    void forward(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(err));
    });
  });
  const forward = async (req: IncomingMessage, res: ServerResponse) => {
    const body = Buffer.concat(await req.toArray());
    const isRefresh = req.method === 'POST' && new URLSearchParams(body.toString('utf8')).get('grant_type') === 'refresh_token';
    if (isRefresh) counts.refreshRequests += 1;
    else counts.otherRequests += 1;
    const answer = await new Promise<IncomingMessage>((resolve, reject) => {
      const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
      const out = httpRequest(upstream, { method: req.method, headers }, resolve);
      out.once('error', reject);
      out.end(body);
    });
    const payload = Buffer.concat(await answer.toArray());
    if (isRefresh && answer.statusCode === 400 && payload.toString('utf8').includes('"invalid_grant"')) counts.invalidGrants += 1;
    // The body is re-sent whole, so drop hop-by-hop framing headers and let node set them.
    const { 'transfer-encoding': _te, connection: _conn, ...headers } = answer.headers;
    res.writeHead(answer.statusCode ?? 502, { ...headers, 'content-length': String(payload.length) }).end(payload);
  };
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        proxy.close(() => resolve());
        proxy.closeAllConnections();
      }),
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
