/**
 * `npm run bench`: runs every benchmark and prints each figure as a ratio
 * against a baseline measured in the same run on the same machine.
 * Nothing is written into the repository; scratch files live in a temp dir
 * that is removed at the end.
 *
 *   npm run bench                 # all benchmarks
 *   BENCH_ROUNDS=4 npm run bench  # fewer sign-in rounds, for a quick look
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { makeTempDir } from '@opperator/testing';
import { benchAuthorize } from './authorize-flow.js';
import { benchTokenStore } from './token-store.js';
import { printTable, type Comparison } from './stats.js';

/** The whole run must stay well under two minutes on two cores; a hang is a failure, not a wait. */
const WATCHDOG_MS = 180_000;

const rounds = positiveInteger(process.env.BENCH_ROUNDS, 8);
const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MS / 1000} s; giving up.`);
  process.exit(2);
}, WATCHDOG_MS);
// Must not keep the process alive once everything is closed.
watchdog.unref();

const started = performance.now();
const temp = await makeTempDir('opperator-bench-');
const comparisons: Comparison[] = [];
try {
  console.log(`Node ${process.version}, ${cpus().length} CPU(s) ${cpus()[0]?.model ?? ''}`.trimEnd());
  console.log(`Scratch directory: ${temp.path}\n`);

  console.log(`[1/2] sign-in end to end: 2 warm-up + ${rounds} measured rounds per side, alternating ...`);
  comparisons.push(await benchAuthorize({ dir: join(temp.path, 'authorize'), warmupRounds: 2, rounds }));

  console.log('[2/2] token file: 300 save/write and 300 load/read per side, alternating blocks of 25 ...\n');
  comparisons.push(...(await benchTokenStore({ dir: join(temp.path, 'store'), iterations: 300, blockSize: 25, warmup: 20 })));

  console.log('Medians; ratio = subject median / baseline median (above 1.00x: the subject is slower).\n');
  printTable(comparisons);
  console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
} catch (err) {
  console.error('bench failed:', err);
  process.exitCode = 1;
} finally {
  await temp.remove();
  clearTimeout(watchdog);
}

function positiveInteger(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return text !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}
