/**
 * Benchmark 3: `getAccessToken()` while the access token is valid, the call
 * a program makes before every API request. Three sides, no network:
 *
 * - ours: `OAuthClient` on a `FileTokenStore`, the token loaded once so it is
 *   served from the client's memory cache;
 * - google-auth-library: `OAuth2Client.getAccessToken()` with valid
 *   credentials set;
 * - the floor: an async function doing only an in-memory lookup, an expiry
 *   check and the await, the least any async token getter can cost.
 *
 * Run it before anything in the process has used an AsyncLocalStorage (the
 * sandbox's oidc-provider and Playwright both do): from then on Node runs
 * promise hooks on every await, which makes all three sides 5-8x slower and
 * hides the differences.
 */
import { join } from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import { FileTokenStore, OAuthClient, type OAuthProvider } from '@opperator/oauth';
import type { Comparison } from './stats.js';

/** Settings of {@link benchAccessTokenHotPath}. */
export interface HotPathBenchOptions {
  /** Scratch directory for the token file (a temp dir, never the repository). */
  dir: string;
  /** Measured calls per side. */
  iterations: number;
  /** Calls per timed block; one block gives one ns/op sample. */
  blockSize: number;
  /** Unmeasured calls per side first, so every side runs optimized code. */
  warmup: number;
}

/** Static metadata of an issuer nobody listens on: a valid token never needs it. */
const OFFLINE_PROVIDER: OAuthProvider = {
  name: 'bench',
  issuer: 'http://127.0.0.1:9',
  metadata: { issuer: 'http://127.0.0.1:9', authorization_endpoint: 'http://127.0.0.1:9/auth', token_endpoint: 'http://127.0.0.1:9/token' },
  defaultScopes: ['openid'],
};

type Call = () => Promise<unknown>;

/** Times `size` sequential awaited calls of `call`; returns ns per call. */
async function timeBlock(size: number, call: Call): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < size; i += 1) await call();
  return ((performance.now() - start) * 1e6) / size;
}

/**
 * Measures the three sides in alternating blocks (the order rotates every
 * round, so drift and GC fall on all of them) and returns three
 * comparisons in ns/op: ours vs floor, ours vs google-auth-library and
 * google-auth-library vs floor.
 */
export async function benchAccessTokenHotPath(options: HotPathBenchOptions): Promise<Comparison[]> {
  const now = Date.now();
  const accessToken = 'a'.repeat(43);
  const expiresAt = now + 3_600_000;

  const store = new FileTokenStore(join(options.dir, 'token.json'));
  await store.save({ issuer: OFFLINE_PROVIDER.issuer, clientId: 'bench', tokenType: 'bearer', accessToken, refreshToken: 'r'.repeat(43), scopes: ['openid'], obtainedAt: now, expiresAt });
  const ours = new OAuthClient({ provider: OFFLINE_PROVIDER, clientId: 'bench', store });
  // The first call reads the file; from then on the client answers from memory.
  if ((await ours.getAccessToken()) !== accessToken) throw new Error('OAuthClient did not return the stored token');

  // The token is an hour from expiry, so neither side's refresh threshold comes into play.
  const google = new OAuth2Client({ clientId: 'bench' });
  google.setCredentials({ access_token: accessToken, refresh_token: 'r'.repeat(43), expiry_date: expiresAt, token_type: 'Bearer' });
  if ((await google.getAccessToken()).token !== accessToken) throw new Error('OAuth2Client did not return the set token');

  const cache = { token: accessToken, expiresAt };
  const floor = async () => {
    const t = cache;
    if (Date.now() < t.expiresAt) return t.token;
    return undefined;
  };

  const sides: { call: Call; values: number[] }[] = [
    { call: () => ours.getAccessToken(), values: [] },
    { call: () => google.getAccessToken(), values: [] },
    { call: floor, values: [] },
  ];
  for (const side of sides) await timeBlock(options.warmup, side.call);
  const rounds = Math.ceil(options.iterations / options.blockSize);
  for (let round = 0; round < rounds; round += 1) {
    for (let k = 0; k < sides.length; k += 1) {
      const side = sides[(round + k) % sides.length]!;
      side.values.push(await timeBlock(options.blockSize, side.call));
    }
  }
  // Guard against a side silently taking another path (a refresh, an error) during the run.
  if ((await ours.getAccessToken()) !== accessToken || (await google.getAccessToken()).token !== accessToken) throw new Error('a client changed its token');

  const [oursNs, googleNs, floorNs] = sides.map((side) => side.values) as [number[], number[], number[]];
  const name = 'getAccessToken(), valid token';
  const oursLabel = 'OAuthClient (cached)';
  const googleLabel = 'google-auth-library OAuth2Client';
  const floorLabel = 'floor: async lookup+expiry check';
  return [
    {
      name,
      subject: { label: oursLabel, values: oursNs },
      baseline: { label: floorLabel, values: floorNs },
      unit: 'ns',
      note:
        `ns per awaited call, median of ${rounds} blocks of ${options.blockSize} per side, order rotating, no network. ` +
        'Goals: ours within 1.50x of the floor and at most 1.00x of google-auth-library.',
    },
    { name, subject: { label: oursLabel, values: oursNs }, baseline: { label: googleLabel, values: googleNs }, unit: 'ns' },
    { name, subject: { label: googleLabel, values: googleNs }, baseline: { label: floorLabel, values: floorNs }, unit: 'ns' },
  ];
}
