/**
 * Small statistics and printing helpers shared by the benchmarks. Medians,
 * not means: one slow outlier (a GC pause, a Chromium hiccup) must not move
 * the figure.
 */

/** Timings of one side of a comparison, in the unit the benchmark chose. */
export interface Sample {
  /** What was measured, as printed. */
  label: string;
  values: number[];
}

/** Median of `values`; `NaN` for an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

/**
 * The `p`-th percentile (0..100) of `values` by nearest rank: always one of
 * the measured values, never an interpolation between two of them.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Smallest and largest of `values`. */
export function range(values: readonly number[]): { min: number; max: number } {
  return { min: Math.min(...values), max: Math.max(...values) };
}

/** Milliseconds since `start` (a `performance.now()` value). */
export function elapsedMs(start: number): number {
  return performance.now() - start;
}

/**
 * Runs `rounds` rounds of two measured actions in ABBA order (A B, B A, A B,
 * ...), so slow drift (thermal, caches, a busy neighbour) and any
 * "second one is warmer" effect fall on both sides equally.
 */
export async function alternate(rounds: number, a: () => Promise<void>, b: () => Promise<void>): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    if (round % 2 === 0) {
      await a();
      await b();
    } else {
      await b();
      await a();
    }
  }
}

/**
 * {@link alternate} for any number of actions: forward order on even rounds,
 * reversed on odd ones, so no action always runs first or last.
 */
export async function alternateAll(rounds: number, actions: ReadonlyArray<() => Promise<void>>): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    for (const action of round % 2 === 0 ? actions : [...actions].reverse()) await action();
  }
}

/** One line of the comparison table. */
export interface Comparison {
  /** Benchmark name, e.g. "authorize() end to end". */
  name: string;
  subject: Sample;
  baseline: Sample;
  /** Unit of the samples, e.g. "ms" or "µs". */
  unit: string;
  /** Optional remark printed under the table. */
  note?: string;
}

/** Formats a number with a sensible number of digits for the table. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Prints comparisons as an aligned table of medians, ranges and ratios, then their notes. */
export function printTable(comparisons: readonly Comparison[]): void {
  const header = ['benchmark', 'subject', 'median', 'min..max', 'baseline', 'median', 'min..max', 'ratio', 'n'];
  const rows = comparisons.map((c) => {
    const subject = range(c.subject.values);
    const baseline = range(c.baseline.values);
    return [
      c.name,
      c.subject.label,
      `${formatNumber(median(c.subject.values))} ${c.unit}`,
      `${formatNumber(subject.min)}..${formatNumber(subject.max)}`,
      c.baseline.label,
      `${formatNumber(median(c.baseline.values))} ${c.unit}`,
      `${formatNumber(baseline.min)}..${formatNumber(baseline.max)}`,
      formatRatio(median(c.subject.values), median(c.baseline.values)),
      `${c.subject.values.length}/${c.baseline.values.length}`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
  const notes = comparisons.filter((c) => c.note);
  if (notes.length > 0) console.log('');
  for (const c of notes) console.log(`* ${c.name}: ${c.note}`);
}

/** `subject / baseline` as "1.23x"; counts can be zero, so 0/0 prints "-" and n/0 "inf". */
function formatRatio(subject: number, baseline: number): string {
  if (baseline === 0) return subject === 0 ? '-' : 'inf';
  return `${(subject / baseline).toFixed(2)}x`;
}
