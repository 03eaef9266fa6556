/**
 * `npm run bench`: runs every benchmark and prints each figure as a ratio
 * against a baseline measured in the same run on the same machine.
 * Nothing is written into the repository; scratch files live in a temp dir
 * that is removed at the end.
 *
 *   npm run bench                  # all benchmarks
 *   BENCH_ROUNDS=4 npm run bench   # fewer sign-in rounds, for a quick look
 *   BENCH_WINDOWS=4 npm run bench  # fewer expiry windows in the 8-process benchmark
 *   BENCH_TUI_PHASE_S=30 npm run bench  # longer TUI phases (memory over a longer flood)
 *   BENCH_TUI_SOAK_S=60 npm run bench   # plus one 60 s TUI phase at 1,000 updates/s (RSS and live heap over a long flood; at most 120)
 *   BENCH_CHAOS_WINDOWS=8 BENCH_CHAOS_WORKERS=8 npm run bench  # a smaller chaos run (default 20 windows, 16 processes)
 *   npx tsx bench/run.ts tui       # only the named steps (after npm run build):
 *                                  # hot authorize store concurrent rotation cli runtime tui install chaos
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
import { benchTui } from './tui.js';
import { benchInstallFootprint } from './install-footprint.js';
import { benchSharedGrantChaos } from './shared-grant-chaos.js';
import { printTable, type Comparison } from './stats.js';

/** The whole run takes about 3 minutes on two cores; a hang is a failure, not a wait. */
const WATCHDOG_MS = 270_000;
/** Sandbox access token lifetime of the refresh benchmarks: short, so expiry windows pass quickly. */
const REFRESH_TTL_S = 2;

const rounds = positiveInteger(process.env.BENCH_ROUNDS, 8);
// 10 windows of 1.5 s is 15 s per side; 8 tsx processes start in about as long again on two cores.
const windows = positiveInteger(process.env.BENCH_WINDOWS, 10);
const tuiPhaseS = positiveInteger(process.env.BENCH_TUI_PHASE_S, 10);
const tuiSoakS = positiveInteger(process.env.BENCH_TUI_SOAK_S, 0);
const chaosWindows = positiveInteger(process.env.BENCH_CHAOS_WINDOWS, 20);
const chaosWorkers = positiveInteger(process.env.BENCH_CHAOS_WORKERS, 16);
const STEPS = ['hot', 'authorize', 'store', 'concurrent', 'rotation', 'cli', 'runtime', 'tui', 'install', 'chaos'] as const;
const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(STEPS as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`bench: unknown step(s) ${unknown.join(', ')}; steps: ${STEPS.join(' ')}`);
  process.exit(2);
}
const selected = (step: (typeof STEPS)[number]) => chosen.length === 0 || chosen.includes(step);
/** Full GCs of the TUI and the daemon between TUI phases, and the heap profiles at the end: well under a second each, with room to spare. */
const TUI_HEAP_READS_MS = 30_000;
/** The install step: npm pack of four packages (each builds; tsc is most of it) and 8 installs with npm i -g: 85-120 s on two busy cores (load 10). */
const INSTALL_STEP_MS = 150_000;
/** The chaos step: three runs (file, Redis, Postgres) of 16 tsx processes starting on two cores (~20 s each), 20 windows of 1.5 s, four killed holders (3 s leases; 10 s stale locks for the file) and a restart. */
const CHAOS_STEP_MS = 360_000;
// Longer TUI phases (four of them) and the soak get the time they take.
const watchdogMs = WATCHDOG_MS + TUI_HEAP_READS_MS + INSTALL_STEP_MS + (selected('chaos') ? (CHAOS_STEP_MS * Math.max(chaosWindows, 20)) / 20 : 0) + 4 * 1000 * Math.max(0, tuiPhaseS - 10) + 1000 * tuiSoakS;
const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${watchdogMs / 1000} s; giving up.`);
  process.exit(2);
}, watchdogMs);
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
  if (selected('hot')) {
    console.log('[1/10] getAccessToken() with a valid token: 200k calls per side in rotating blocks of 10k ...');
    comparisons.push(...(await benchAccessTokenHotPath({ dir: join(temp.path, 'hot'), iterations: 200_000, blockSize: 10_000, warmup: 50_000 })));
  }

  if (selected('authorize')) {
    console.log(`[2/10] sign-in end to end: 2 warm-up + ${rounds} measured rounds per side, alternating ...`);
    comparisons.push(await benchAuthorize({ dir: join(temp.path, 'authorize'), warmupRounds: 2, rounds }));
  }

  if (selected('store')) {
    console.log('[3/10] token file: 300 save/write and 300 load/read per side, alternating blocks of 25 ...');
    comparisons.push(...(await benchTokenStore({ dir: join(temp.path, 'store'), iterations: 300, blockSize: 25, warmup: 20 })));
  }

  // Benchmarks 4 and 5 share one sandbox (2 s tokens, public client with rotating refresh tokens), proxy and browser.
  if (selected('concurrent') || selected('rotation')) refreshSandbox = await startRefreshSandbox(REFRESH_TTL_S);
  if (refreshSandbox && selected('concurrent')) {
    console.log('[4/10] 1,000 concurrent getAccessToken() on an expired token: 3 rounds per side, fresh sign-in each ...');
    comparisons.push(await benchConcurrentRefresh({ sandbox: refreshSandbox, dir: join(temp.path, 'concurrent'), callers: 1000, rounds: 3 }));
  }

  if (refreshSandbox && selected('rotation')) {
    console.log(`[5/10] 8 processes, rotating refresh tokens, ${windows} expiry windows per side ...\n`);
    comparisons.push(...(await benchRotation({ sandbox: refreshSandbox, dir: join(temp.path, 'rotation'), workers: 8, windows })));
  }

  if (selected('cli')) {
    console.log('[6/10] opperator secret list cold start vs node -e 0: 30 runs each, alternating ...\n');
    comparisons.push(await benchCliStartup({ home: join(temp.path, 'cli-home'), rounds: 30 }));
  }

  // These two start a daemon and agent processes of their own, which must not compete with the timings above.
  if (selected('runtime')) {
    console.log('[7/10] agent runtime: daemon + agent vs socket/pipe echo, 2,000 invokes per side; 5 agent starts per launch; idle RSS ...\n');
    comparisons.push(...(await benchRuntime({ dir: join(temp.path, 'runtime'), invokes: 2_000, warmup: 500, concurrency: 8, starts: 5, idleMs: 3_000 })));
  }

  if (selected('tui')) {
    const soak = tuiSoakS > 0 ? `, ${tuiSoakS} s soak at 1,000 updates/s` : '';
    console.log(`[8/10] TUI in tmux 100x30 under a section flood: ${tuiPhaseS} s idle, ${tuiPhaseS} s at 10 updates/s, ${tuiPhaseS} s at 1,000 updates/s, ${tuiPhaseS} s more with a watch probe${soak}; screen every 50 ms, Tab every ~300 ms, RSS every 1 s, live heap after a full GC between phases ...`);
    comparisons.push(...(await benchTui({ dir: join(temp.path, 'tui'), phaseMs: tuiPhaseS * 1000, rate: 1_000, baselineRate: 10, soakMs: tuiSoakS * 1000 })));
    console.log('');
  }

  if (selected('install')) {
    console.log('[9/10] npm pack of the public packages, then npm i -g of the CLI tarball vs a no-dependency tarball: 1 warm-up + 3 rounds each, alternating, fresh prefixes ...\n');
    comparisons.push(...(await benchInstallFootprint({ dir: join(temp.path, 'install'), rounds: 3 })));
  }

  if (selected('chaos')) {
    console.log(`[10/10] one grant shared through Redis and Postgres under chaos: ${chaosWorkers} processes in separate directories, ${chaosWindows} expiry windows, lease holders SIGKILLed mid-refresh, the store restarted once; baseline one shared token file ...\n`);
    comparisons.push(...(await benchSharedGrantChaos({ dir: join(temp.path, 'chaos'), workers: chaosWorkers, windows: chaosWindows })));
  }

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
