/**
 * Benchmark 10: issue 17's chaos run, full size. `workers` processes in
 * separate directories share one grant through Redis, then Postgres (real
 * servers on 127.0.0.1), against the sandbox rotating refresh tokens with
 * 2 s access tokens, for `windows` expiry windows; the lease holder is
 * SIGKILLed mid-refresh in four windows and the store restarted under a
 * refresh once. The baseline is the same run on one shared token file (the
 * file store, one machine, same kills; nothing to restart). The runner is
 * packages/testing/src/shared-grant-chaos.ts; the short version is
 * test/shared-grant-chaos.e2e.test.ts.
 */
import { join } from 'node:path';
import { runSharedGrantChaos, startPostgresServer, startRedisServer, type SharedGrantChaosResult } from '@opperator/testing';
import type { Comparison } from './stats.js';

/** Settings of {@link benchSharedGrantChaos}. */
export interface SharedGrantChaosBenchOptions {
  /** Scratch directory (a temp dir, never the repository). */
  dir: string;
  workers: number;
  windows: number;
}

/** The stores' lease: the goal is that no call fails for longer than this. */
const LEASE_MS = 3_000;

/**
 * Runs the file baseline, then Redis and Postgres, and returns per store:
 * refreshes per window, invalid_grant, the longest failing run of calls,
 * the slowest call, and the latency of a call that refreshed, each against
 * the shared file.
 */
export async function benchSharedGrantChaos(options: SharedGrantChaosBenchOptions): Promise<Comparison[]> {
  const { workers, windows } = options;
  // Kills spread over the run (never the first window: it starts with the workers), the restart in the middle.
  const killWindows = [0.2, 0.45, 0.7, 0.95].map((at) => Math.max(2, Math.round(at * windows))).filter((w, i, all) => all.indexOf(w) === i);
  // The restart in the middle, in a window without a kill.
  let restartWindow = Math.max(2, Math.round(windows * 0.55));
  while (killWindows.includes(restartWindow)) restartWindow += 1;
  const run = (name: string, storeUrl: string, restartStore?: () => Promise<void>) =>
    runSharedGrantChaos({ storeUrl, dir: join(options.dir, name), workers, windows, killWindows, leaseMs: LEASE_MS, ...(restartStore ? { restartWindow, restartStore } : {}), onProgress: (line) => console.log(`  ${name}: ${line}`) });

  const file = await run('file', join(options.dir, 'file', 'shared', 'token.json'));
  const redis = await startRedisServer();
  let onRedis: SharedGrantChaosResult;
  try {
    onRedis = await run('redis', redis.url, () => redis.restart());
  } finally {
    await redis.stop();
  }
  const postgres = await startPostgresServer();
  let onPostgres: SharedGrantChaosResult;
  try {
    onPostgres = await run('postgres', postgres.url, () => postgres.restart());
  } finally {
    await postgres.stop();
  }
  const name = `${workers} processes, separate dirs, rotating RT, ${windows} windows, ${killWindows.length} holders killed`;
  const fileLabel = 'one shared token file';
  return [
    ...compare(`${name}, Redis restarted once`, 'RedisTokenStore', onRedis, fileLabel, file),
    ...compare(`${name}, Postgres restarted once`, 'PostgresTokenStore', onPostgres, fileLabel, file),
  ];
}

function compare(name: string, label: string, subject: SharedGrantChaosResult, baselineLabel: string, baseline: SharedGrantChaosResult): Comparison[] {
  const side = (result: SharedGrantChaosResult) =>
    `${result.refreshesPerWindow.length} windows, refreshes per window ${describeCounts(result.refreshesPerWindow)}, ${result.invalidGrants} invalid_grant, ${result.signedOut} signed out, ${result.kills} killed (${result.droppedRefreshes} held refresh(es) dropped), ${result.served} tokens served, failed calls ${JSON.stringify(result.errors)}, ${(result.durationMs / 1000).toFixed(1)} s`;
  return [
    {
      name: `${name}: refreshes per window`,
      subject: { label, values: subject.refreshesPerWindow },
      baseline: { label: baselineLabel, values: baseline.refreshesPerWindow },
      unit: 'req',
      note: `goal: 1 per window, 0 invalid_grant, 0 signed out, no call failing longer than the ${LEASE_MS} ms lease. ${label}: ${side(subject)}. ${baselineLabel}: ${side(baseline)} (its lock is taken over only once stale, 10 s, so a killed holder stalls everyone longer).`,
    },
    { name: `${name}: invalid_grant`, subject: { label, values: [subject.invalidGrants] }, baseline: { label: baselineLabel, values: [baseline.invalidGrants] }, unit: 'resp' },
    { name: `${name}: longest failing run of calls`, subject: { label, values: [subject.longestFailingMs] }, baseline: { label: baselineLabel, values: [baseline.longestFailingMs] }, unit: 'ms' },
    { name: `${name}: slowest call (waits for a killed holder's lease)`, subject: { label, values: [subject.longestCallMs] }, baseline: { label: baselineLabel, values: [baseline.longestCallMs] }, unit: 'ms' },
    { name: `${name}: a call that refreshes (undisturbed windows)`, subject: { label, values: subject.refreshCallMs }, baseline: { label: baselineLabel, values: baseline.refreshCallMs }, unit: 'ms' },
    { name: `${name}: a call that refreshes after a kill or restart`, subject: { label, values: subject.disturbedRefreshCallMs }, baseline: { label: baselineLabel, values: baseline.disturbedRefreshCallMs }, unit: 'ms' },
  ];
}

/** "all 1" or "1×18, 2×1" from a list of counts. */
function describeCounts(counts: readonly number[]): string {
  const tally = new Map<number, number>();
  for (const count of counts) tally.set(count, (tally.get(count) ?? 0) + 1);
  if (tally.size === 1 && tally.has(1)) return 'all 1';
  return [...tally].map(([count, times]) => `${count}×${times}`).join(', ');
}
