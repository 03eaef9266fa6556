import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { FileTokenStore, OAuthClient, SHORT_LIVED_REFRESH_FRACTION, discoverProvider, openTokenStore, type OAuthProvider, type StoredTokens } from '@opperator/oauth';
import { startAuthorizationServer } from '@opperator/sandbox';
import { TestBrowser, type SignInResult } from './browser.js';
import { startChaosTokenProxy, type ChaosTokenProxy, type ProxiedRefresh } from './chaos-token-proxy.js';
import { startChaosWorker, type ChaosWorker } from './chaos-worker-pool.js';
import type { ChaosWorkerReport } from './shared-grant-worker.js';

/** Options of {@link runSharedGrantChaos}. */
export interface SharedGrantChaosOptions {
  /** Where the grant lives: `redis://…`, `postgres://…` (or a file path, for comparison). */
  storeUrl: string;
  /** Scratch directory: every worker gets its own folder under it. */
  dir: string;
  workers: number;
  /** Expiry windows to run: the run ends at this many successful refreshes. */
  windows: number;
  /** Windows (1-based) whose refresh is held at the proxy and its sender SIGKILLed: the lease holder dying mid-refresh. */
  killWindows?: readonly number[];
  /** The window whose refresh is held while {@link restartStore} runs (the store restarts under a holder). */
  restartWindow?: number;
  restartStore?: () => Promise<void>;
  /** The stores' lease (default 2000 ms). */
  leaseMs?: number;
  /** The sandbox's access token lifetime (default 2 s). */
  accessTokenTtlSeconds?: number;
  /** Progress lines. */
  onProgress?: (line: string) => void;
}

/** What {@link runSharedGrantChaos} measured. */
export interface SharedGrantChaosResult {
  /** Successful refreshes per expiry window (the goal: all 1). */
  refreshesPerWindow: number[];
  /** `invalid_grant` answers at the token endpoint (the goal: 0). */
  invalidGrants: number;
  /** Refresh requests held and never forwarded because their sender was killed. */
  droppedRefreshes: number;
  /** Workers SIGKILLed (each replaced by a fresh one). */
  kills: number;
  /** Workers whose sign-in was not usable at the end (the goal: 0). */
  signedOut: number;
  /** The longest run of failing getAccessToken() calls in any worker, in ms (the goal: under one lease). */
  longestFailingMs: number;
  /** The slowest single getAccessToken() call, in ms. */
  longestCallMs: number;
  /** How long each getAccessToken() call that made a refresh took, in ms, in the windows without a kill or restart (from the workers that reported: a killed worker's earlier refreshes are lost with it). */
  refreshCallMs: number[];
  /** The same in the windows with a kill (waiting out the dead holder's lease) or a store restart. */
  disturbedRefreshCallMs: number[];
  /** Failed calls by code, over every worker. */
  errors: Record<string, number>;
  /** Calls that returned a token, over every worker. */
  served: number;
  /** Workers that reported (the killed ones do not). */
  reports: ChaosWorkerReport[];
  durationMs: number;
}

/** How long one window may take beyond its lease and a store restart before the run is declared stuck. */
const WINDOW_TIMEOUT_MS = 30_000;
const USABLE_STATES = new Set(['valid', 'expiring', 'refreshable']);

/**
 * The chaos run of issue 17: `workers` processes, each in its own directory,
 * share one grant only through `storeUrl`, against the sandbox authorization
 * server rotating refresh tokens (its public client) with short-lived access
 * tokens, for `windows` expiry windows; in `killWindows` the lease holder is
 * SIGKILLed with its refresh request held at the proxy (never forwarded, so
 * the provider rotated nothing) and a fresh worker takes its place; in
 * `restartWindow` the store restarts while the holder's refresh is held.
 * Counts come from the proxy in front of the token endpoint and from the
 * workers' own reports.
 *
 * A holder killed after the provider rotated its refresh token but before it
 * was saved loses the grant whatever the store does (the new refresh token
 * died with it); this run kills before the request is forwarded.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer();
 * const result = await runSharedGrantChaos({ storeUrl: redis.url, dir, workers: 4, windows: 4, killWindows: [2], restartWindow: 3, restartStore: () => redis.restart() });
 * expect(result.refreshesPerWindow.every((n) => n === 1)).toBe(true);
 * ```
 */
export async function runSharedGrantChaos(options: SharedGrantChaosOptions): Promise<SharedGrantChaosResult> {
  if (options.restartWindow !== undefined && options.killWindows?.includes(options.restartWindow)) {
    throw new Error(`window ${options.restartWindow} cannot both kill its lease holder and restart the store: choose another restart window`);
  }
  const started = Date.now();
  const leaseMs = options.leaseMs ?? 2_000;
  const ttlSeconds = options.accessTokenTtlSeconds ?? 2;
  const progress = options.onProgress ?? (() => undefined);
  const key = `chaos/${randomUUID()}`;
  const server = await startAuthorizationServer({ accessTokenTtlSeconds: ttlSeconds });
  const workers: ChaosWorker[] = [];
  let proxy: ChaosTokenProxy | undefined;
  try {
    const client = server.clients.find((c) => !c.clientSecret);
    if (!client) throw new Error('the sandbox should register a public client (it rotates refresh tokens)');
    const discovered = await discoverProvider(server.issuer);
    proxy = await startChaosTokenProxy(discovered.metadata!.token_endpoint!);
    const provider: OAuthProvider = { ...discovered, metadata: { ...discovered.metadata!, token_endpoint: proxy.url } };
    const tokens = await signIn(provider, client.clientId, join(options.dir, 'sign-in', 'token.json'));
    const seed = await openTokenStore(options.storeUrl, { key, leaseMs });
    await seed.save(tokens);
    await seed.close?.();
    progress(`signed in; ${options.workers} workers starting`);

    let serial = 0;
    const spawnWorker = async () => {
      const id = `w${(serial += 1)}`;
      const worker = await startChaosWorker({ id, dir: join(options.dir, id), provider, clientId: client.clientId, storeUrl: options.storeUrl, key, leaseMs });
      workers.push(worker);
      await worker.ready;
      return worker;
    };
    await Promise.all(Array.from({ length: options.workers }, spawnWorker));
    for (const worker of workers) worker.go();

    const refreshes = proxy.refreshes;
    const ok = () => refreshes.filter((r) => r.outcome === 'ok').length;
    const replacements: Array<Promise<unknown>> = [];
    let kills = 0;
    for (let window = 1; window <= options.windows; window += 1) {
      const deadline = Date.now() + WINDOW_TIMEOUT_MS + 2 * leaseMs;
      const killing = options.killWindows?.includes(window) ?? false;
      const restarting = window === options.restartWindow && options.restartStore !== undefined;
      if (killing || restarting) {
        const held = await within(proxy.holdNextRefresh(), deadline, `window ${window}: no refresh arrived`);
        if (killing) {
          workers.find((w) => w.id === held.worker)?.kill();
          kills += 1;
          await within(held.closed, deadline, `window ${window}: the killed holder's request stayed open`);
          progress(`window ${window}: killed ${held.worker} mid-refresh`);
          replacements.push(spawnWorker().then((worker) => worker.go()));
        } else {
          await options.restartStore!();
          progress(`window ${window}: store restarted under ${held.worker}'s refresh`);
          held.release();
        }
      }
      while (ok() < window) {
        if (Date.now() > deadline) throw new Error(`window ${window} never got its refresh; the proxy saw ${JSON.stringify(refreshes.slice(-5))}`);
        await sleep(20);
      }
    }
    await Promise.all(replacements);
    for (const worker of workers) if (worker.alive) worker.stop();
    const outcomes = await Promise.all(workers.map((w) => w.report));
    const reports = outcomes.filter((o): o is ChaosWorkerReport => !('failure' in o));
    const unexpected = outcomes.length - reports.length - kills;
    if (unexpected > 0) throw new Error(`${unexpected} worker(s) died unasked: ${outcomes.filter((o) => 'failure' in o).map((o) => (o as { failure: string }).failure).join('; ')}`);
    const disturbed = new Set([...(options.killWindows ?? []), ...(options.restartWindow === undefined ? [] : [options.restartWindow])]);
    return summarize(refreshes, reports, { kills, disturbed, ttlSeconds, durationMs: Date.now() - started });
  } finally {
    // Whatever happened, no worker outlives the run.
    for (const worker of workers) if (worker.alive) worker.kill();
    await proxy?.close();
    await server.close();
  }
}

function summarize(refreshes: readonly ProxiedRefresh[], reports: ChaosWorkerReport[], run: { kills: number; disturbed: ReadonlySet<number>; ttlSeconds: number; durationMs: number }): SharedGrantChaosResult {
  // A refresh within half a refresh interval of the previous one shares its window.
  const intervalMs = run.ttlSeconds * 1000 * (1 - SHORT_LIVED_REFRESH_FRACTION);
  const refreshesPerWindow: number[] = [];
  const windowStarts: number[] = [];
  let previous: number | undefined;
  for (const refresh of refreshes.filter((r) => r.outcome === 'ok')) {
    if (previous !== undefined && refresh.at - previous < intervalMs / 2) refreshesPerWindow[refreshesPerWindow.length - 1]! += 1;
    else {
      refreshesPerWindow.push(1);
      windowStarts.push(refresh.at);
    }
    previous = refresh.at;
  }
  // A refreshing call belongs to the last window that began (its refresh arrived at the proxy) before the call ended.
  const windowOf = (endedAt: number) => windowStarts.filter((at) => at <= endedAt).length;
  const calls = reports.flatMap((r) => r.refreshCalls);
  const errors: Record<string, number> = {};
  for (const report of reports) for (const [code, count] of Object.entries(report.errors)) errors[code] = (errors[code] ?? 0) + count;
  return {
    refreshesPerWindow,
    invalidGrants: refreshes.filter((r) => r.outcome === 'invalid_grant').length,
    droppedRefreshes: refreshes.filter((r) => r.outcome === 'dropped').length,
    kills: run.kills,
    signedOut: reports.filter((r) => !USABLE_STATES.has(r.finalState)).length,
    longestFailingMs: Math.round(Math.max(0, ...reports.map((r) => r.longestFailingMs))),
    longestCallMs: Math.round(Math.max(0, ...reports.map((r) => r.longestCallMs))),
    refreshCallMs: calls.filter((call) => !run.disturbed.has(windowOf(call.endedAt))).map((call) => call.ms),
    disturbedRefreshCallMs: calls.filter((call) => run.disturbed.has(windowOf(call.endedAt))).map((call) => call.ms),
    errors,
    served: reports.reduce((total, r) => total + r.served, 0),
    reports,
    durationMs: run.durationMs,
  };
}

/** A fresh sign-in through headless Chromium, saved to a file first (then copied into the shared store). */
async function signIn(provider: OAuthProvider, clientId: string, tokenPath: string): Promise<StoredTokens> {
  const browser = await TestBrowser.launch();
  try {
    const oauth = new OAuthClient({ provider, clientId, scopes: ['openid', 'offline_access'], store: new FileTokenStore(tokenPath) });
    let page: Promise<SignInResult> | undefined;
    await oauth.authorize({ openBrowser: (url) => void (page = browser.signIn(url)) });
    const shown = await page;
    if (shown?.heading !== 'Signed in') throw new Error(`sign-in ended on ${JSON.stringify(shown?.heading)}`);
    const tokens = await oauth.store.load();
    if (!tokens?.refreshToken) throw new Error('the sign-in gave no refresh token');
    return tokens;
  } finally {
    await browser.close();
  }
}

async function within<T>(promise: Promise<T>, deadline: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} in time`)), Math.max(0, deadline - Date.now()))));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
