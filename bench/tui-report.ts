/**
 * What one phase of the TUI benchmark (bench/tui.ts) measures, and the
 * comparisons and notes printed from it: staleness, key latency, RSS, and
 * the live heap after a full GC of the TUI and of the daemon.
 */
import { formatSites, type AllocationSite, type LiveHeap } from './live-heap.js';
import { median, percentile, type Comparison } from './stats.js';

/** Goals from issue 7. */
const GOALS = { stalenessMs: 100, keyMs: 100 };
/** A key not shown after this long counts as this long (and as missed). */
export const KEY_TIMEOUT_MS = 3_000;
/** The firehose agent sends one batch per 10 ms tick (bench/fixtures/firehose-agent.ts), so content is superseded at most this often. */
export const FIXTURE_TICK_MS = 10;
/** Memory (RSS) is read this often, in every phase. */
export const MEMORY_EVERY_MS = 1_000;

/** The phases, in the order they run; `soak` (a long one at the measured rate) only when asked for. */
export type PhaseName = 'idle' | 'slow' | 'fast' | 'probe' | 'soak';

/** Live heap after a full GC of the TUI and of the daemon, at one instant between phases. */
export interface Heaps {
  tui: LiveHeap;
  daemon: LiveHeap;
}

/** Everything one phase measured. */
export interface PhaseResult {
  /** Updates a second of the phase (0: idle) and its length in ms. */
  rate: number;
  phaseMs: number;
  /** Age of the shown content: capture start - t, capture end - t, and the midpoint. */
  ageLo: number[];
  ageHi: number[];
  ageMid: number[];
  /** Midpoint age minus the time until the shown content was superseded: how far behind the latest the screen is. */
  lag: number[];
  /** From the start of send-keys to the end of the first capture that shows the switched pane. */
  keyMs: number[];
  keyMissed: number;
  captureMs: number[];
  sendKeysMs: number[];
  /** Captures without a readable feed line (after the phase's first update was shown). */
  unreadable: number;
  /** From the flood request to the end of the first capture showing this phase's content. */
  firstShownMs: number;
  /** Highest sequence number seen on screen. */
  lastSeqSeen: number;
  /** RSS in MB every {@link MEMORY_EVERY_MS}, the first at the phase's start, the last at its end. */
  tuiRss: number[];
  daemonRss: number[];
  /** Read between phases (one phase's end is the next one's start), so the full GC never falls into a measured window. */
  heap: { start: Heaps; end: Heaps };
  /** CPU used during the phase, in ms. */
  cpu: { tui: number; daemon: number; agent: number; bench: number };
  flood?: { sent: number; ms: number };
  /** Probe phase only: age of each section update as it reaches a second watch client (the bench's own). */
  streamAge: number[];
}

/**
 * The TUI benchmark's comparisons: staleness (fast against slow), key
 * latency and RSS (fast against idle), and the live heap after GC at the end
 * of the run against its start, with per-phase start/end figures in the notes.
 *
 * @example
 * ```ts
 * printTable(reportTui({ idle, slow, fast, probe }, { rate: 1000, baselineRate: 10, sites }, [0.8, 1.9]));
 * ```
 */
export function reportTui(
  phases: Partial<Record<PhaseName, PhaseResult>> & Record<'idle' | 'slow' | 'fast' | 'probe', PhaseResult>,
  options: { rate: number; baselineRate: number; sites: Record<keyof Heaps, AllocationSite[]> },
  load: number[],
): Comparison[] {
  const { idle, slow, fast, probe, soak } = phases;
  const rateLabel = (rate: number) => `${rate.toLocaleString('en')}/s`;
  const triple = (values: number[]) => `${ms(percentile(values, 50))}/${ms(percentile(values, 95))}/${ms(Math.max(...values))}`;
  const stalenessVerdict = verdict(percentile(fast.ageHi, 95) <= GOALS.stalenessMs, percentile(fast.ageLo, 95) <= GOALS.stalenessMs);
  const keyVerdict = verdict(percentile(fast.keyMs, 95) <= GOALS.keyMs, percentile(fast.keyMs, 95) - median(fast.sendKeysMs) - median(fast.captureMs) <= GOALS.keyMs);
  const memory = (values: number[]) => `start ${values[0]?.toFixed(1)}, end ${values.at(-1)?.toFixed(1)}, max ${Math.max(...values).toFixed(1)} MB, growth ${growthPer10s(values).toFixed(1)} MB/10 s`;
  const soakRss = (pick: (p: PhaseResult) => number[]) => (soak ? `; ${soak.phaseMs / 1000} s soak at ${rateLabel(soak.rate)}: ${memory(pick(soak))}` : '');
  const ordered = (['idle', 'slow', 'fast', 'probe', 'soak'] as const).flatMap((name) => (phases[name] ? [[name, phases[name]] as const] : []));
  const last = ordered.at(-1)?.[1] ?? probe;
  const heapNote = (who: keyof Heaps, rss: (p: PhaseResult) => number[]) =>
    `V8's used heap right after a full GC (bench/heap-probe.mjs, between phases), start -> end of each phase, with the growth per minute, the performance timeline's entries (marks/measures, kept until cleared) and VmRSS start -> end (the start follows that GC): ` +
    ordered.map(([name, p]) => `${name} (${p.phaseMs / 1000} s) ${mb(p.heap.start[who])} -> ${mb(p.heap.end[who])} MB (${perMinute(p, who)} MB/min; timeline ${p.heap.start[who].timelineEntries} -> ${p.heap.end[who].timelineEntries}; RSS ${rss(p)[0]?.toFixed(1)} -> ${rss(p).at(-1)?.toFixed(1)})`).join('; ') +
    `. Live at the end, by the code that allocated it (V8's sampling heap profiler over the whole run): ${formatSites(options.sites[who])}. Goal: flat.`;
  return [
    {
      name: `TUI staleness at ${rateLabel(options.rate)}`,
      subject: { label: `section age, ${rateLabel(options.rate)}`, values: fast.ageMid },
      baseline: { label: `section age, ${rateLabel(options.baselineRate)}`, values: slow.ageMid },
      unit: 'ms',
      note:
        `age of the section content on screen = time of the capture - the agent's Date.now() shown in it, at the midpoint of the capture-pane call (which takes p50 ${ms(median(fast.captureMs))}, p95 ${ms(percentile(fast.captureMs, 95))} ms at ${rateLabel(options.rate)}; the pane is read at some instant inside it). ` +
        `p50/p95/max ${triple(fast.ageMid)} ms; bounds: from the call's start ${triple(fast.ageLo)}, from its end ${triple(fast.ageHi)} ms. ` +
        `Behind the latest content (age - the time until it was superseded, ${Math.max(1000 / options.rate, FIXTURE_TICK_MS)} ms): ${triple(fast.lag)} ms; at ${rateLabel(options.baselineRate)} (superseded after ${1000 / options.baselineRate} ms, so its age is mostly the update interval): ${triple(slow.lag)} ms. ` +
        `Goal p95 at most ${GOALS.stalenessMs} ms: ${stalenessVerdict}. First update shown ${ms(fast.firstShownMs)} ms after the flood request; ${fast.unreadable} unreadable captures. ` +
        `Where the age comes from, in a further ${probe.phaseMs / 1000} s at ${rateLabel(probe.rate)} with a second watch client (the bench's): updates reached it at age ${triple(probe.streamAge)} ms (agent > daemon > socket), while the screen showed age ${triple(probe.ageMid)} ms.`,
    },
    {
      name: `TUI key latency at ${rateLabel(options.rate)}`,
      subject: { label: `Tab shown, ${rateLabel(options.rate)}`, values: fast.keyMs },
      baseline: { label: 'Tab shown, idle', values: idle.keyMs },
      unit: 'ms',
      note:
        `from the start of tmux send-keys Tab to the end of the first capture showing the other pane header (Logs/Tasks), polling back to back: includes one send-keys call (p50 ${ms(median(fast.sendKeysMs))} ms) and up to two captures (p50 ${ms(median(fast.captureMs))} ms each), the same on both sides. ` +
        `p50/p95/max ${triple(fast.keyMs)} ms vs idle ${triple(idle.keyMs)} ms, at ${rateLabel(options.baselineRate)} ${triple(slow.keyMs)} ms; missed (over ${KEY_TIMEOUT_MS} ms): ${fast.keyMissed}. Goal p95 at most ${GOALS.keyMs} ms: ${keyVerdict}.`,
    },
    {
      name: `TUI RSS at ${rateLabel(options.rate)}`,
      subject: { label: `TUI, ${rateLabel(options.rate)}`, values: fast.tuiRss },
      baseline: { label: 'TUI, idle', values: idle.tuiRss },
      unit: 'MB',
      note:
        `VmRSS of the TUI process (with any children), every second. ${rateLabel(options.rate)}: ${memory(fast.tuiRss)}; idle: ${memory(idle.tuiRss)}; ${rateLabel(options.baselineRate)}: ${memory(slow.tuiRss)}${soakRss((p) => p.tuiRss)}. ` +
        `RSS includes heap V8 has grown but not yet given back: a leak shows in the live heap below, not here alone.`,
    },
    {
      name: 'TUI live heap after GC',
      subject: { label: `end of ${ordered.at(-1)?.[0]}`, values: [last.heap.end.tui.usedBytes / 1e6] },
      baseline: { label: 'start of idle', values: [idle.heap.start.tui.usedBytes / 1e6] },
      unit: 'MB',
      note: heapNote('tui', (p) => p.tuiRss),
    },
    {
      name: `daemon RSS at ${rateLabel(options.rate)}`,
      subject: { label: `daemon, ${rateLabel(options.rate)}`, values: fast.daemonRss },
      baseline: { label: 'daemon, idle', values: idle.daemonRss },
      unit: 'MB',
      note:
        `VmRSS of the daemon process alone, every second. ${rateLabel(options.rate)}: ${memory(fast.daemonRss)}; idle: ${memory(idle.daemonRss)}${soakRss((p) => p.daemonRss)}. Goal: flat. ` +
        `CPU per phase (TUI/daemon/agent/bench, ms of the phase's length): ${ordered.map(([name, p]) => `${name} ${cpuLine(p)} of ${p.phaseMs}`).join(', ')}. ` +
        `Load average (1 min) ${load.map((value) => value.toFixed(2)).join(' -> ')}: other work on this machine moves these figures.`,
    },
    {
      name: 'daemon live heap after GC',
      subject: { label: `end of ${ordered.at(-1)?.[0]}`, values: [last.heap.end.daemon.usedBytes / 1e6] },
      baseline: { label: 'start of idle', values: [idle.heap.start.daemon.usedBytes / 1e6] },
      unit: 'MB',
      note: heapNote('daemon', (p) => p.daemonRss),
    },
  ];
}

/**
 * One line about a finished phase, for the progress log.
 *
 * @example
 * ```ts
 * console.log(`  fast: ${summarizePhase(fast)}`);
 * ```
 */
export function summarizePhase(result: PhaseResult): string {
  const parts = [`${result.captureMs.length} captures`, `${result.keyMs.length} keys (p50 ${ms(median(result.keyMs))} ms)`];
  if (result.rate > 0) {
    const achieved = result.flood ? Math.round((result.flood.sent / result.flood.ms) * 1000) : Number.NaN;
    parts.push(`${result.flood?.sent ?? '?'} updates in ${result.flood?.ms ?? '?'} ms (${achieved}/s)`, `screen age p50 ${ms(median(result.ageMid))} ms`, `last seq seen ${result.lastSeqSeen}`);
    if (result.streamAge.length > 0) parts.push(`${result.streamAge.length} updates reached the probe, age p50 ${ms(median(result.streamAge))} ms`);
  }
  const { start, end } = result.heap;
  parts.push(
    `TUI RSS ${result.tuiRss[0]?.toFixed(1)} -> ${result.tuiRss.at(-1)?.toFixed(1)} MB, live heap ${mb(start.tui)} -> ${mb(end.tui)} MB`,
    `daemon RSS ${result.daemonRss[0]?.toFixed(1)} -> ${result.daemonRss.at(-1)?.toFixed(1)} MB, live heap ${mb(start.daemon)} -> ${mb(end.daemon)} MB`,
    `CPU ${cpuLine(result)} ms of ${result.phaseMs}`,
  );
  return parts.join(', ');
}

function mb(heap: LiveHeap): string {
  return (heap.usedBytes / 1e6).toFixed(1);
}

function perMinute(result: PhaseResult, who: keyof Heaps): string {
  const growth = ((result.heap.end[who].usedBytes - result.heap.start[who].usedBytes) / 1e6) * (60_000 / result.phaseMs);
  return `${growth >= 0 ? '+' : ''}${growth.toFixed(1)}`;
}

function cpuLine(result: PhaseResult): string {
  return [result.cpu.tui, result.cpu.daemon, result.cpu.agent, result.cpu.bench].map((value) => Math.round(value)).join('/');
}

/** Least-squares slope of samples taken every {@link MEMORY_EVERY_MS}, scaled to 10 s. */
function growthPer10s(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const n = values.length;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((sum, v) => sum + v, 0) / n;
  let num = 0;
  let den = 0;
  values.forEach((v, i) => {
    num += (i - meanX) * (v - meanY);
    den += (i - meanX) ** 2;
  });
  return (num / den) * (10_000 / MEMORY_EVERY_MS);
}

function verdict(met: boolean, metWithoutInstrument: boolean): string {
  if (met) return 'met';
  return metWithoutInstrument ? 'met only once the measuring calls are subtracted' : 'NOT met';
}

function ms(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value)) : '-';
}
