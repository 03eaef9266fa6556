import { readFileSync } from 'node:fs';
import { liveProcesses, readResidentBytes } from './proc-stat.js';

/**
 * Clock ticks per second of the CPU times in `/proc` (`USER_HZ`): 100 on
 * every Linux architecture Node runs on. Node cannot ask `sysconf(_SC_CLK_TCK)`,
 * and the kernel keeps this value fixed for user space precisely so that it
 * need not be asked.
 */
export const PROC_TICKS_PER_SECOND = 100;

/**
 * Two measurements of a group closer than this give no CPU figure of their
 * own: at 100 ticks a second, a shorter window rounds to 0 or to steps of
 * 10 % and more. A list asked for sooner repeats the last figure.
 */
export const MIN_CPU_WINDOW_MS = 1_000;

/**
 * What one agent's process group uses: CPU in % of one core (more than 100
 * when it keeps several cores busy) and resident memory in bytes (summed over
 * its processes, so pages they share count once per process, as in pm2 and top).
 *
 * @example
 * ```ts
 * const { cpuPercent, memoryBytes }: ProcessUsage = sampler.sample([pid]).get(pid)!;
 * ```
 */
export interface ProcessUsage {
  cpuPercent: number;
  memoryBytes: number;
}

/** Options of {@link ProcessUsageSampler}. */
export interface ProcessUsageSamplerOptions {
  /** Where `/proc` is (tests). */
  procRoot?: string;
  /** Clock, ms since the epoch; default `Date.now`. */
  now?: () => number;
}

interface Measurement {
  /** The leader's start time: a reused pid is another process. */
  leaderStart: string;
  cpuTicks: number;
  at: number;
  cpuPercent: number;
}

/**
 * Measures agents' process groups (an agent is spawned as the leader of its
 * own group, so its helpers count with it) from `/proc`, on demand: nothing
 * runs between two `agent list`s. The CPU figure covers the time since the
 * previous measurement of the same run, and for the first one the run's whole
 * life (as `ps` does), like pm2's `pidusage`: an instant figure would need a
 * second measurement after a wait, and at 100 ticks a second a short wait
 * cannot tell 0.3 % from 0. Where there is no `/proc` (macOS), nothing is
 * measured and the figures are absent.
 *
 * @example
 * ```ts
 * const sampler = new ProcessUsageSampler();
 * const usage = sampler.sample([agentPid]).get(agentPid); // { cpuPercent: 0.3, memoryBytes: 43_000_000 } or undefined
 * ```
 */
export class ProcessUsageSampler {
  readonly #procRoot: string;
  readonly #now: () => number;
  readonly #previous = new Map<number, Measurement>();

  constructor(options: ProcessUsageSamplerOptions = {}) {
    this.#procRoot = options.procRoot ?? '/proc';
    this.#now = options.now ?? Date.now;
  }

  /** The usage of each group led by one of `leaders` that still has a live process; one pass over `/proc` for all of them. */
  sample(leaders: readonly number[]): Map<number, ProcessUsage> {
    const usage = new Map<number, ProcessUsage>();
    const wanted = new Set(leaders);
    // Forget runs that ended: their pids may come back as other processes.
    for (const pid of this.#previous.keys()) if (!wanted.has(pid)) this.#previous.delete(pid);
    if (wanted.size === 0) return usage;
    const uptimeSeconds = this.#readUptimeSeconds();
    if (uptimeSeconds === undefined) return usage;
    const now = this.#now();
    const groups = new Map<number, { cpuTicks: number; memoryBytes: number; leaderStart?: string }>();
    for (const stat of liveProcesses(this.#procRoot)) {
      if (!wanted.has(stat.pgrp)) continue;
      const group = groups.get(stat.pgrp) ?? { cpuTicks: 0, memoryBytes: 0 };
      group.cpuTicks += stat.cpuTicks;
      group.memoryBytes += readResidentBytes(stat.pid, this.#procRoot) ?? 0;
      if (stat.pid === stat.pgrp) group.leaderStart = stat.startTime;
      groups.set(stat.pgrp, group);
    }
    for (const [pid, group] of groups) {
      // A group whose leader is gone (helpers left behind while the agent stops) has no run to measure against.
      if (group.leaderStart === undefined) continue;
      const previous = this.#previous.get(pid);
      const measurement = previous?.leaderStart === group.leaderStart
        ? this.#since(previous, group.cpuTicks, now)
        : { leaderStart: group.leaderStart, cpuTicks: group.cpuTicks, at: now, cpuPercent: percentOf(group.cpuTicks, uptimeSeconds - Number(group.leaderStart) / PROC_TICKS_PER_SECOND) };
      this.#previous.set(pid, measurement);
      usage.set(pid, { cpuPercent: measurement.cpuPercent, memoryBytes: group.memoryBytes });
    }
    return usage;
  }

  #since(previous: Measurement, cpuTicks: number, now: number): Measurement {
    const windowMs = now - previous.at;
    if (windowMs < MIN_CPU_WINDOW_MS) return previous;
    // A helper that exited unwaited takes its ticks along: the sum can shrink, never below 0 %.
    return { leaderStart: previous.leaderStart, cpuTicks, at: now, cpuPercent: percentOf(Math.max(0, cpuTicks - previous.cpuTicks), windowMs / 1000) };
  }

  /** Seconds since boot, the clock of the start times in `/proc/<pid>/stat`; undefined without `/proc`. */
  #readUptimeSeconds(): number | undefined {
    try {
      const seconds = Number(readFileSync(`${this.#procRoot}/uptime`, 'utf8').split(' ')[0]);
      return Number.isFinite(seconds) ? seconds : undefined;
    } catch {
      return undefined; // no /proc (macOS): usage is not measured there
    }
  }
}

/** CPU ticks over a wall-clock window as % of one core, to one decimal. */
function percentOf(cpuTicks: number, windowSeconds: number): number {
  if (windowSeconds <= 0) return 0;
  return Math.round((cpuTicks / PROC_TICKS_PER_SECOND / windowSeconds) * 1000) / 10;
}
