import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPostgresBinDir, makeTempDir, redisServerMissing, runSharedGrantChaos, startPostgresServer, startRedisServer, type SharedGrantChaosResult, type TempDir } from '@opperator/testing';

// Issue 17's chaos run, short: 4 worker processes in separate directories
// share one grant only through the store, against the sandbox rotating
// refresh tokens with 2 s access tokens, for 4 expiry windows; the lease
// holder is SIGKILLed mid-refresh in window 2 and the store restarted under
// the holder's refresh in window 3. The full run (16 workers, 20 windows) is
// `npx tsx bench/run.ts chaos`.

const WORKERS = 4;
const WINDOWS = 4;
const LEASE_MS = 3_000;
const RUN_TIMEOUT_MS = 90_000;

let temp: TempDir;
beforeAll(async () => {
  temp = await makeTempDir('opperator-chaos-');
});
afterAll(async () => {
  await temp.remove();
});

function expectGoalsMet(result: SharedGrantChaosResult): void {
  const summary = JSON.stringify({ ...result, reports: undefined });
  expect(result.refreshesPerWindow, summary).toEqual(Array.from({ length: WINDOWS }, () => 1));
  expect(result.invalidGrants, summary).toBe(0);
  expect(result.signedOut, summary).toBe(0);
  expect(result.kills, summary).toBe(1);
  expect(result.longestFailingMs, summary).toBeLessThan(LEASE_MS);
}

describe.skipIf(redisServerMissing())('one grant shared through Redis under chaos', () => {
  it(`${WORKERS} processes, ${WINDOWS} windows, a holder killed mid-refresh, Redis restarted: one refresh per window, no invalid_grant, nobody signed out`, async () => {
    const redis = await startRedisServer();
    try {
      const result = await runSharedGrantChaos({ storeUrl: redis.url, dir: `${temp.path}/redis`, workers: WORKERS, windows: WINDOWS, killWindows: [2], restartWindow: 3, restartStore: () => redis.restart(), leaseMs: LEASE_MS });
      console.log(`chaos on Redis: ${JSON.stringify({ ...result, reports: undefined })}`);
      expectGoalsMet(result);
    } finally {
      await redis.stop();
    }
  }, RUN_TIMEOUT_MS);
});

describe.skipIf((await findPostgresBinDir()) === undefined)('one grant shared through Postgres under chaos', () => {
  it(`${WORKERS} processes, ${WINDOWS} windows, a holder killed mid-refresh, Postgres restarted: one refresh per window, no invalid_grant, nobody signed out`, async () => {
    const postgres = await startPostgresServer();
    try {
      const result = await runSharedGrantChaos({ storeUrl: postgres.url, dir: `${temp.path}/postgres`, workers: WORKERS, windows: WINDOWS, killWindows: [2], restartWindow: 3, restartStore: () => postgres.restart(), leaseMs: LEASE_MS });
      console.log(`chaos on Postgres: ${JSON.stringify({ ...result, reports: undefined })}`);
      expectGoalsMet(result);
    } finally {
      await postgres.stop();
    }
  }, RUN_TIMEOUT_MS);
});
