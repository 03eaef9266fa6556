/**
 * One "host" of the shared-grant chaos run (shared-grant-chaos.ts): a
 * process in a temporary directory of its own that shares one OAuth grant
 * with the others only through a token store URL (Redis, Postgres, or a file
 * path for comparison). Prints `ready`, starts on `go` (stdin), calls
 * getAccessToken() in a loop until `stop`, then prints a JSON
 * {@link ChaosWorkerReport} as its last stdout line.
 *
 *   node --import tsx packages/testing/src/shared-grant-worker.ts '<ChaosWorkerConfig JSON>'
 */
import { createInterface } from 'node:readline';
import { OAuthClient, isOAuthError, openTokenStore, type OAuthProvider } from '@opperator/oauth';
import { CHAOS_WORKER_HEADER } from './chaos-token-proxy.js';

/** What the runner passes as the only argument (JSON). */
export interface ChaosWorkerConfig {
  /** Names this worker in the proxy's records. */
  id: string;
  /** Its own directory: it works there, with HOME and TMPDIR pointing there too. */
  dir: string;
  /** The sandbox provider, its token endpoint the chaos proxy. */
  provider: OAuthProvider;
  clientId: string;
  /** Where the grant lives: `redis://…`, `postgres://…` or a file path. */
  storeUrl: string;
  /** The record's key in a shared store. */
  key: string;
  leaseMs: number;
}

/** What a worker prints when told to stop. */
export interface ChaosWorkerReport {
  id: string;
  /** getAccessToken() calls that returned a token. */
  served: number;
  /** Failed calls, by error code. */
  errors: Record<string, number>;
  /** Refreshes this process made (the client's `refreshed` events). */
  refreshes: number;
  /** The longest run of failing calls: from the first failure's start to the next success's end, in ms. */
  longestFailingMs: number;
  /** The slowest single call, in ms (waiting for the lease included). */
  longestCallMs: number;
  /** Each call that made a refresh: when it ended (epoch ms) and how long it took (lease, store read, token request, fenced save). */
  refreshCalls: Array<{ endedAt: number; ms: number }>;
  /** Where the sign-in stood at the end (`valid`, `reauthorization-required`, ...). */
  finalState: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChaosWorkerConfig;
process.chdir(config.dir);
process.env.HOME = config.dir;
process.env.TMPDIR = config.dir;

/** Pause between calls, jittered, so the processes do not move in lockstep. */
const PAUSE_MS = 10;

const store = await openTokenStore(config.storeUrl, { key: config.key, leaseMs: config.leaseMs });
const taggedFetch: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set(CHAOS_WORKER_HEADER, config.id);
  return fetch(input, { ...init, headers });
};
const client = new OAuthClient({ provider: config.provider, clientId: config.clientId, store, fetch: taggedFetch });
const report: ChaosWorkerReport = { id: config.id, served: 0, errors: {}, refreshes: 0, longestFailingMs: 0, longestCallMs: 0, refreshCalls: [], finalState: 'unknown' };
let refreshedInCall = false;
client.on('refreshed', () => {
  report.refreshes += 1;
  refreshedInCall = true;
});

let stopping = false;
const lines = createInterface({ input: process.stdin });
const go = new Promise<boolean>((resolve) => {
  lines.on('line', (line) => {
    if (line.trim() === 'go') resolve(true);
    if (line.trim() === 'stop') stopping = true;
  });
  // The runner is gone: stop too.
  lines.once('close', () => {
    stopping = true;
    resolve(false);
  });
});
process.stdout.write('ready\n');

if (await go) {
  let failingSince: number | undefined;
  while (!stopping) {
    const started = performance.now();
    refreshedInCall = false;
    try {
      await client.getAccessToken();
      report.served += 1;
      const ended = performance.now();
      if (failingSince !== undefined) report.longestFailingMs = Math.max(report.longestFailingMs, ended - failingSince);
      failingSince = undefined;
    } catch (err) {
      const code = isOAuthError(err) ? err.code : err instanceof Error ? err.name : 'unknown';
      report.errors[code] = (report.errors[code] ?? 0) + 1;
      failingSince ??= started;
    }
    const tookMs = performance.now() - started;
    report.longestCallMs = Math.max(report.longestCallMs, tookMs);
    if (refreshedInCall) report.refreshCalls.push({ endedAt: Date.now(), ms: Math.round(tookMs * 10) / 10 });
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS * (1 + Math.random())));
  }
  // Still failing at the end counts up to now.
  if (failingSince !== undefined) report.longestFailingMs = Math.max(report.longestFailingMs, performance.now() - failingSince);
}
report.finalState = await client.status().then(
  (status) => status.state,
  (err: unknown) => (isOAuthError(err) ? err.code : 'status failed'),
);
lines.close();
await store.close?.();
process.stdout.write(`${JSON.stringify(report)}\n`);
