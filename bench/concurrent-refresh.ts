/**
 * Benchmark 4: 1,000 concurrent `getAccessToken()` calls on one client
 * whose access token has really expired (sandbox tokens live a few seconds
 * and the benchmark waits them out; no clock seam). Counts the refresh
 * requests that reach the authorization server: ours (`OAuthClient` on a
 * `FileTokenStore`) against google-auth-library (`OAuth2Client` with the
 * expired credentials and a refresh token set). One would be ideal.
 */
import { join } from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import { FileTokenStore, OAuthClient, type StoredTokens } from '@opperator/oauth';
import { countsSince, sleep, type RefreshSandbox } from './refresh-sandbox.js';
import { median, type Comparison } from './stats.js';

/** Settings of {@link benchConcurrentRefresh}. */
export interface ConcurrentRefreshBenchOptions {
  sandbox: RefreshSandbox;
  /** Scratch directory for the token files (a temp dir, never the repository). */
  dir: string;
  /** Concurrent callers per client. */
  callers: number;
  /** Rounds per side, each from a fresh sign-in; the order alternates. */
  rounds: number;
}

/** What one burst of concurrent calls did. */
interface Burst {
  requests: number;
  ms: number;
  distinctTokens: number;
  failures: number;
}

/**
 * Same eager-refresh margin as ours for these short tokens (a quarter of the
 * lifetime, see SHORT_LIVED_REFRESH_FRACTION); google-auth-library's default
 * of 5 minutes would call every sandbox token expiring from the start.
 */
export function googleEagerRefreshMs(accessTokenTtlSeconds: number): number {
  return accessTokenTtlSeconds * 250;
}

/**
 * Signs in once per side per round, waits until both access tokens have
 * expired, then fires `callers` concurrent calls at each client and counts
 * the refresh requests at the proxy. Returns the comparison in requests.
 */
export async function benchConcurrentRefresh(options: ConcurrentRefreshBenchOptions): Promise<Comparison> {
  const { sandbox, callers } = options;
  const ours: Burst[] = [];
  const google: Burst[] = [];
  // The last round's clients, for the second-expiry check at the end.
  let lastOurs: OAuthClient | undefined;
  let lastGoogle: OAuth2Client | undefined;

  const burst = async (call: () => Promise<string | null | undefined>, stale: string): Promise<Burst> => {
    const before = sandbox.counts();
    const start = performance.now();
    const settled = await Promise.allSettled(Array.from({ length: callers }, call));
    const ms = performance.now() - start;
    const tokens = settled.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
    if (tokens.includes(stale)) throw new Error('a caller got the expired access token back');
    return { requests: countsSince(before, sandbox.counts()).refreshRequests, ms, distinctTokens: new Set(tokens).size, failures: callers - tokens.length };
  };

  const runOurs = async (tokenPath: string, signedIn: StoredTokens) => {
    const client = new OAuthClient({ provider: sandbox.provider, clientId: sandbox.client.clientId, store: new FileTokenStore(tokenPath) });
    ours.push(await burst(() => client.getAccessToken(), signedIn.accessToken));
    lastOurs = client;
  };
  const runGoogle = async (signedIn: StoredTokens) => {
    // Public client: no client_secret; google-auth-library leaves the undefined secret out of the form.
    const client = new OAuth2Client({ clientId: sandbox.client.clientId, endpoints: { oauth2TokenUrl: sandbox.tokenUrl }, eagerRefreshThresholdMillis: googleEagerRefreshMs(sandbox.accessTokenTtlSeconds) });
    client.setCredentials({ access_token: signedIn.accessToken, refresh_token: signedIn.refreshToken ?? null, expiry_date: signedIn.expiresAt ?? null, token_type: 'Bearer' });
    google.push(await burst(async () => (await client.getAccessToken()).token, signedIn.accessToken));
    lastGoogle = client;
  };

  for (let round = 0; round < options.rounds; round += 1) {
    // Each side gets its own grant: the public client's refresh token is single-use.
    const oursPath = join(options.dir, `ours-${round}`, 'token.json');
    const oursTokens = await options.sandbox.signIn(oursPath);
    const googleTokens = await options.sandbox.signIn(join(options.dir, `google-${round}`, 'token.json'));
    await sleep(Math.max(oursTokens.expiresAt ?? 0, googleTokens.expiresAt ?? 0) - Date.now() + 50);
    if (round % 2 === 0) {
      await runOurs(oursPath, oursTokens);
      await runGoogle(googleTokens);
    } else {
      await runGoogle(googleTokens);
      await runOurs(oursPath, oursTokens);
    }
  }

  // One more expiry on the same clients: each must now redeem the refresh token the first refresh rotated to.
  await sleep(sandbox.accessTokenTtlSeconds * 1000 + 50);
  const second = async (call: () => Promise<unknown>) => {
    const before = sandbox.counts();
    const outcome = await call().then(
      () => 'ok',
      (err: unknown) => `failed (${err instanceof Error ? err.message.slice(0, 60) : String(err)})`,
    );
    const { refreshRequests, invalidGrants } = countsSince(before, sandbox.counts());
    return `${outcome}, ${refreshRequests} request(s), ${invalidGrants} invalid_grant`;
  };
  const oursSecond = await second(() => lastOurs!.getAccessToken());
  const googleSecond = await second(() => lastGoogle!.getAccessToken());

  const describe = (bursts: Burst[]) =>
    `${median(bursts.map((b) => b.ms)).toFixed(1)} ms median for the burst, ` +
    `${bursts.map((b) => b.distinctTokens).join('/')} distinct new token(s), ${bursts.reduce((sum, b) => sum + b.failures, 0)} failed call(s)`;
  return {
    name: `${callers} concurrent callers, expired token`,
    subject: { label: 'OAuthClient + FileTokenStore', values: ours.map((b) => b.requests) },
    baseline: { label: 'google-auth-library OAuth2Client', values: google.map((b) => b.requests) },
    unit: 'req',
    note:
      `refresh requests counted at a proxy in front of the sandbox token endpoint (ideal: 1 per round). ours: ${describe(ours)}; google-auth-library: ${describe(google)}. ` +
      `Second expiry on the same client, one call: ours ${oursSecond}; google-auth-library ${googleSecond}.`,
  };
}
