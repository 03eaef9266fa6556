/**
 * `npm run bench`: runs every benchmark and prints each figure as a ratio
 * against a baseline measured in the same run on the same machine.
 * Nothing is written into the repository; scratch files live in a temp dir
 * that is removed at the end.
 *
 *   npm run bench                  # all benchmarks
 *   BENCH_ROUNDS=4 npm run bench   # fewer sign-in rounds, for a quick look
 *   BENCH_WINDOWS=4 npm run bench  # fewer expiry windows in the 8-process benchmark
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { makeTempDir } from '@opperator/testing';
import { benchAccessTokenHotPath } from './access-token-hot-path.js';
import { benchAuthorize } from './authorize-flow.js';
import { benchConcurrentRefresh } from './concurrent-refresh.js';
import { startRefreshSandbox, type RefreshSandbox } from './refresh-sandbox.js';
import { benchRotation } from './rotation-processes.js';
import { benchTokenStore } from './token-store.js';
import { benchCliStartup } from './cli-startup.js';
import { benchRuntime } from './runtime.js';
import { printTable, type Comparison } from './stats.js';

/** The whole run takes about 2 minutes on two cores; a hang is a failure, not a wait. */
const WATCHDOG_MS = 210_000;
/** Sandbox access token lifetime of the refresh benchmarks: short, so expiry windows pass quickly. */
const REFRESH_TTL_S = 2;

const rounds = positiveInteger(process.env.BENCH_ROUNDS, 8);
// 10 windows of 1.5 s is 15 s per side; 8 tsx processes start in about as long again on two cores.
const windows = positiveInteger(process.env.BENCH_WINDOWS, 10);
const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MS / 1000} s; giving up.`);
  process.exit(2);
}, WATCHDOG_MS);
// Must not keep the process alive once everything is closed.
watchdog.unref();

const started = performance.now();
const temp = await makeTempDir('opperator-bench-');
const comparisons: Comparison[] = [];
let refreshSandbox: RefreshSandbox | undefined;
try {
  console.log(`Node ${process.version}, ${cpus().length} CPU(s) ${cpus()[0]?.model ?? ''}`.trimEnd());
  console.log(`Scratch directory: ${temp.path}\n`);

  // First, in a pristine process: once oidc-provider or Playwright has used an
  // AsyncLocalStorage, Node keeps promise hooks on and every await costs several
  // times more for the rest of the process, which would swamp a ~100 ns call.
  console.log('[1/7] getAccessToken() with a valid token: 200k calls per side in rotating blocks of 10k ...');
  comparisons.push(...(await benchAccessTokenHotPath({ dir: join(temp.path, 'hot'), iterations: 200_000, blockSize: 10_000, warmup: 50_000 })));

  console.log(`[2/7] sign-in end to end: 2 warm-up + ${rounds} measured rounds per side, alternating ...`);
  comparisons.push(await benchAuthorize({ dir: join(temp.path, 'authorize'), warmupRounds: 2, rounds }));

  console.log('[3/7] token file: 300 save/write and 300 load/read per side, alternating blocks of 25 ...');
  comparisons.push(...(await benchTokenStore({ dir: join(temp.path, 'store'), iterations: 300, blockSize: 25, warmup: 20 })));

  // Benchmarks 4 and 5 share one sandbox (2 s tokens, public client with rotating refresh tokens), proxy and browser.
  refreshSandbox = await startRefreshSandbox(REFRESH_TTL_S);
  console.log('[4/7] 1,000 concurrent getAccessToken() on an expired token: 3 rounds per side, fresh sign-in each ...');
  comparisons.push(await benchConcurrentRefresh({ sandbox: refreshSandbox, dir: join(temp.path, 'concurrent'), callers: 1000, rounds: 3 }));

  console.log(`[5/7] 8 processes, rotating refresh tokens, ${windows} expiry windows per side ...\n`);
  comparisons.push(...(await benchRotation({ sandbox: refreshSandbox, dir: join(temp.path, 'rotation'), workers: 8, windows })));

  console.log('[6/7] opperator secret list cold start vs node -e 0: 30 runs each, alternating ...\n');
  comparisons.push(await benchCliStartup({ home: join(temp.path, 'cli-home'), rounds: 30 }));

  // Last: it starts a daemon and agent processes of its own, which must not compete with the timings above.
  console.log('[7/7] agent runtime: daemon + agent vs socket/pipe echo, 2,000 invokes per side; 5 agent starts per launch; idle RSS ...\n');
  comparisons.push(...(await benchRuntime({ dir: join(temp.path, 'runtime'), invokes: 2_000, warmup: 500, concurrency: 8, starts: 5, idleMs: 3_000 })));

  console.log('Medians; ratio = subject median / baseline median (above 1.00x: the subject is slower).\n');
  printTable(comparisons);
  console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
} catch (err) {
  console.error('bench failed:', err);
  process.exitCode = 1;
} finally {
  await refreshSandbox?.close();
  await temp.remove();
  clearTimeout(watchdog);
}

function positiveInteger(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return text !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}
