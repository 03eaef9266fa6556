/**
 * Benchmark 8: the TUI under an agent pushing 1,000 section updates a second
 * (issue 7). A real daemon, two agents (bench/fixtures: `firehose`, whose
 * `flood` command updates its section at a given rate with its clock and a
 * sequence number in the content, and `quiet`), and `opperator` with no
 * arguments in a real terminal (tmux 100x30). Three measured phases of the
 * same length: idle, 10 updates/s, 1,000 updates/s, then a fourth at
 * 1,000 updates/s with a watch stream of the bench's own (the probe: how old
 * updates are when they leave the daemon, against the screen). In each, the screen is captured every
 * ~50 ms (back to back while a key is pending) and Tab is pressed every
 * ~300 ms (it switches the right pane between "Logs" and "Tasks").
 *
 * Optionally a fifth, longer one at 1,000 updates/s (the soak).
 *
 * Figures: how old the section content on screen is (1,000/s against 10/s),
 * how long a key takes to show (1,000/s against idle), the RSS of the TUI
 * and of the daemon, read every second (1,000/s against idle), and their
 * live heap after a full GC between phases (end of the run against its
 * start), with the code that allocated what stays live. For those, the TUI
 * and the daemon run with bench/heap-probe.mjs preloaded and V8's sampling
 * heap profiler on (one stack every ~32 KiB allocated; see bench/live-heap.ts).
 */
import { rmSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { TmuxSession, makeAgentHome } from '@opperator/testing';
import { DaemonClient } from '../packages/cli/src/daemon-client.js';
import { cpuMs, killPid, rssMb } from './agent-processes.js';
import { heapProbeSocket, liveHeapLaunch, readLiveHeap, startHeapSampling, stopHeapSampling } from './live-heap.js';
import { FIXTURE_TICK_MS, KEY_TIMEOUT_MS, MEMORY_EVERY_MS, reportTui, summarizePhase, type Heaps, type PhaseName, type PhaseResult } from './tui-report.js';
import { findPidByEnv, runNode, snapshotCli } from './tui-processes.js';
import type { Comparison } from './stats.js';

/** Settings of {@link benchTui}. */
export interface TuiBenchOptions {
  /** Scratch directory: a snapshot of the built CLI runs from here (kept apart from rebuilds of packages/cli/dist by test runs). */
  dir: string;
  /** Length of each phase (idle, slow, fast, probe), in ms. */
  phaseMs: number;
  /** Length of a further phase at `rate` after the others, for memory over a long flood, in ms; 0 or absent: none. At most {@link MAX_FLOOD_MS}. */
  soakMs?: number;
  /** Updates a second of the measured phase. */
  rate: number;
  /** Updates a second of the staleness baseline. */
  baselineRate: number;
}

/** The firehose fixture floods for at most 120 s per request. */
export const MAX_FLOOD_MS = 120_000;
/** Allocation sites listed per process. */
const TOP_SITES = 6;
/** Terminal size of the e2e test: sidebar 30 columns, wide enough for `seq 99999 t=<13 digits>`. */
const SIZE = { width: 100, height: 30 };
/** Time between two screen captures when no key is pending. */
const CAPTURE_EVERY_MS = 50;
/** Time between two Tab presses, plus up to {@link KEY_JITTER_MS} so presses do not lock onto the TUI's 33 ms render timer. */
const KEY_EVERY_MS = 300;
const KEY_JITTER_MS = 100;
/** The firehose's content as the screen shows it, and as the watch stream carries it (markup and all). */
const FEED = /seq (\d+) t=(\d{13})/;
const FEED_MARKUP = /seq (\d+)<\/b> t=(\d{13})/;
/** The right pane's header, on the first row: "Logs · follow ...", "Tasks" or "Tasks · 1 running ...". */
const PANE = /^[^\n]*│(Logs|Tasks)\b/;

/** Process ids to SIGKILL if the bench exits before its finally block: the daemon is detached. */
const strays = new Set<number>();

/** What every phase works with. */
interface PhaseContext {
  tmux: TmuxSession;
  client: DaemonClient;
  pids: { tui: number; daemon: number; agent: number };
  socketPath: string;
  /** Sockets of the heap probes preloaded into the TUI and the daemon (see {@link liveHeapLaunch}). */
  probes: { tui: string; daemon: string };
}

/**
 * Starts daemon, agents and TUI, runs the phases (idle, slow, fast, probe,
 * and the soak if asked for), and always stops everything and removes the home.
 *
 * @example
 * ```ts
 * printTable(await benchTui({ dir: scratch, phaseMs: 10_000, rate: 1_000, baselineRate: 10, soakMs: 60_000 }));
 * ```
 */
export async function benchTui(options: TuiBenchOptions): Promise<Comparison[]> {
  const soakMs = options.soakMs ?? 0;
  if (options.phaseMs > MAX_FLOOD_MS || soakMs > MAX_FLOOD_MS) throw new Error(`the firehose floods for at most ${MAX_FLOOD_MS / 1000} s; phase ${options.phaseMs} ms, soak ${soakMs} ms`);
  const cli = await snapshotCli(options.dir);
  const probeDir = join(options.dir, 'heap');
  await mkdir(probeDir, { recursive: true });
  const heapProbe = liveHeapLaunch(probeDir);
  const [firehose, quiet] = await Promise.all(
    ['firehose-agent.ts', 'quiet-agent.ts'].map((file) => readFile(new URL(`./fixtures/${file}`, import.meta.url), 'utf8')),
  );
  const home = await makeAgentHome([
    { name: 'firehose', source: firehose as string, yaml: 'auto_restart: false' },
    { name: 'quiet', source: quiet as string, yaml: 'auto_restart: false' },
  ]);
  const env = { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' };
  const runCli = (args: string[]) => runNode([cli, ...args], env);
  const emergency = () => {
    for (const pid of strays) killPid(pid);
    rmSync(home.path, { recursive: true, force: true });
  };
  process.once('exit', emergency);
  let client: DaemonClient | undefined;
  let tmux: TmuxSession | undefined;
  try {
    // The probe reaches the daemon (and the short-lived CLI that spawns it: each process listens on a socket named after its pid),
    // never the agents: the daemon passes them only an allow-list of its environment, without NODE_OPTIONS.
    const nodeOptions = [process.env.NODE_OPTIONS ?? '', heapProbe.nodeOptions].join(' ').trim();
    const started = await runNode([cli, 'daemon', 'start'], { ...env, ...heapProbe.env, NODE_OPTIONS: nodeOptions });
    if (started.code !== 0) throw new Error(`opperator daemon start exited ${started.code}: ${started.stderr.trim()}`);
    client = await DaemonClient.connect(join(home.path, 'run', 'daemon.sock'));
    const daemonPid = (await client.request('daemon.status')).pid;
    strays.add(daemonPid);
    for (const name of ['firehose', 'quiet']) await client.request('agent.start', { name });
    const agents = await client.request('agent.list');
    for (const agent of agents) if (agent.pid) strays.add(-agent.pid);
    const agentPid = agents.find((agent) => agent.name === 'firehose')?.pid;
    if (!agentPid) throw new Error(`firehose is not running: ${JSON.stringify(agents)}`);

    // A marker in the TUI's environment finds its process without reaching into TmuxSession's private socket.
    const marker = randomBytes(6).toString('hex');
    tmux = await TmuxSession.start([process.execPath, ...heapProbe.execArgv, cli], { ...SIZE, env: { ...env, ...heapProbe.env, TERM: 'xterm-256color', OPPERATOR_BENCH_TUI: marker } });
    await tmux.waitFor(/▾ Feed[\s\S]*● connected/, 20_000);
    const tuiPid = findPidByEnv(`OPPERATOR_BENCH_TUI=${marker}`);
    strays.add(tuiPid);
    // Warm-up: a few switches, so the first measured key does not pay for first renders of either pane.
    for (let i = 0; i < 4; i += 1) {
      await tmux.sendKeys('Tab');
      await sleep(150);
    }
    await tmux.waitFor(PANE);

    const probes = { tui: heapProbeSocket(probeDir, tuiPid), daemon: heapProbeSocket(probeDir, daemonPid) };
    const context: PhaseContext = { tmux, client, pids: { tui: tuiPid, daemon: daemonPid, agent: agentPid }, socketPath: join(home.path, 'run', 'daemon.sock'), probes };
    const load = [loadavg()[0] ?? 0];
    await Promise.all([startHeapSampling(probes.tui), startHeapSampling(probes.daemon)]);
    const idle = await runPhase('idle', context, options.phaseMs, 0, await readHeaps(context));
    const slow = await runPhase('slow', context, options.phaseMs, options.baselineRate, idle.heap.end);
    const fast = await runPhase('fast', context, options.phaseMs, options.rate, slow.heap.end);
    load.push(loadavg()[0] ?? 0);
    // Not part of the figures above: a second watch client costs the daemon a second copy of every event.
    const probe = await runPhase('probe', context, options.phaseMs, options.rate, fast.heap.end);
    load.push(loadavg()[0] ?? 0);
    // Without the probe's watch client, as in the fast phase.
    const soak = soakMs > 0 ? await runPhase('soak', context, soakMs, options.rate, probe.heap.end) : undefined;
    if (soak) load.push(loadavg()[0] ?? 0);
    // Right after the last phase's closing GC: what the profiles still hold is live.
    const [tuiSites, daemonSites] = await Promise.all([stopHeapSampling(probes.tui, TOP_SITES), stopHeapSampling(probes.daemon, TOP_SITES)]);
    return reportTui({ idle, slow, fast, probe, ...(soak && { soak }) }, { ...options, sites: { tui: tuiSites, daemon: daemonSites } }, load);
  } finally {
    await tmux?.kill();
    client?.close();
    await runCli(['daemon', 'stop']);
    for (const pid of strays) killPid(pid);
    strays.clear();
    process.off('exit', emergency);
    await home.remove();
  }
}

/** Live heap of the TUI and the daemon after a full GC of each, between phases (a GC pause must not fall into a measured window). */
async function readHeaps(context: PhaseContext): Promise<Heaps> {
  const [tui, daemon] = await Promise.all([readLiveHeap(context.probes.tui), readLiveHeap(context.probes.daemon)]);
  return { tui, daemon };
}

/**
 * One phase: floods at `rate` (0: none) while capturing the screen, pressing
 * Tab and reading RSS, then reads the live heaps that end it (`start`: the
 * ones that ended the previous phase).
 */
async function runPhase(name: PhaseName, context: PhaseContext, phaseMs: number, rate: number, start: Heaps): Promise<PhaseResult> {
  const { tmux, client, pids, socketPath } = context;
  const result: PhaseResult = {
    rate, phaseMs, heap: { start, end: start },
    ageLo: [], ageHi: [], ageMid: [], lag: [], keyMs: [], keyMissed: 0, captureMs: [], sendKeysMs: [], unreadable: 0,
    firstShownMs: Number.NaN, lastSeqSeen: 0, tuiRss: [], daemonRss: [], cpu: { tui: 0, daemon: 0, agent: 0, bench: 0 }, streamAge: [],
  };
  // The probe: a watch stream of our own, to tell the daemon's share of the age from the TUI's.
  const probe = name === 'probe' ? await DaemonClient.connect(socketPath) : undefined;
  const probeEnd = performance.now() + phaseMs;
  probe
    ?.request('watch', {}, {
      onEvent: (event) => {
        const feed = FEED_MARKUP.exec(JSON.stringify(event));
        if (feed && performance.now() < probeEnd) result.streamAge.push(Date.now() - Number(feed[2]));
      },
    })
    // Ends with DAEMON_DISCONNECTED when the probe is closed below.
    .catch(() => undefined);
  const readMemory = () => {
    result.tuiRss.push(rssMb(pids.tui, { tree: true }));
    // Alone: the daemon's descendants are its agents.
    result.daemonRss.push(rssMb(pids.daemon));
  };
  const cpuBefore = { tui: cpuMs(pids.tui), daemon: cpuMs(pids.daemon), agent: cpuMs(pids.agent), bench: process.cpuUsage() };
  readMemory();
  const memoryTimer = setInterval(readMemory, MEMORY_EVERY_MS);
  const supersededAfterMs = rate > 0 ? Math.max(1000 / rate, FIXTURE_TICK_MS) : 0;
  let pane = PANE.exec(await tmux.screen())?.[1];
  const floodStart = Date.now();
  const flood = rate > 0 ? client.request('agent.invoke', { name: 'firehose', command: 'flood', args: { rate, seconds: phaseMs / 1000 } }) : undefined;
  // A rejected flood surfaces when awaited below; until then it must not count as unhandled.
  flood?.catch(() => undefined);
  const end = performance.now() + phaseMs;
  let nextKeyAt = performance.now() + KEY_EVERY_MS;
  let pending: { expected: string; sentAt: number } | undefined;
  let phaseShown = rate === 0;
  try {
    while (performance.now() < end || pending) {
      if (!pending && performance.now() >= nextKeyAt && pane && performance.now() < end) {
        const sentAt = performance.now();
        await tmux.sendKeys('Tab');
        result.sendKeysMs.push(performance.now() - sentAt);
        pending = { expected: pane === 'Logs' ? 'Tasks' : 'Logs', sentAt };
      }
      const wallStart = Date.now();
      const captureStart = performance.now();
      const screen = await tmux.screen();
      const captureEnd = performance.now();
      const wallEnd = Date.now();
      result.captureMs.push(captureEnd - captureStart);
      pane = PANE.exec(screen)?.[1] ?? pane;
      if (pending && pane === pending.expected) {
        result.keyMs.push(captureEnd - pending.sentAt);
        pending = undefined;
        nextKeyAt = captureEnd + KEY_EVERY_MS + Math.random() * KEY_JITTER_MS;
      } else if (pending && captureEnd - pending.sentAt > KEY_TIMEOUT_MS) {
        if (result.keyMissed === 0) console.log(`  ${name}: Tab not shown within ${KEY_TIMEOUT_MS} ms (expected the ${pending.expected} pane); the screen:\n${screen}`);
        result.keyMs.push(KEY_TIMEOUT_MS);
        result.keyMissed += 1;
        pending = undefined;
        nextKeyAt = captureEnd + KEY_EVERY_MS;
      }
      if (rate > 0) {
        const feed = FEED.exec(screen);
        const shownAt = feed ? Number(feed[2]) : Number.NaN;
        if (!phaseShown && shownAt >= floodStart) {
          phaseShown = true;
          result.firstShownMs = wallEnd - floodStart;
        }
        if (phaseShown && captureEnd < end) {
          if (!feed) {
            result.unreadable += 1;
          } else {
            const mid = (wallStart + wallEnd) / 2 - shownAt;
            result.ageLo.push(wallStart - shownAt);
            result.ageHi.push(wallEnd - shownAt);
            result.ageMid.push(mid);
            result.lag.push(Math.max(0, mid - supersededAfterMs));
            result.lastSeqSeen = Math.max(result.lastSeqSeen, Number(feed[1]));
          }
        }
      }
      if (!pending) await sleep(Math.max(0, CAPTURE_EVERY_MS - (performance.now() - captureStart)));
    }
    if (flood) {
      const answer = await flood;
      if (!('ok' in answer) || !answer.ok || !answer.result) throw new Error(`flood at ${rate}/s failed: ${JSON.stringify(answer)}`);
      result.flood = answer.result as { sent: number; ms: number };
    }
  } finally {
    clearInterval(memoryTimer);
    probe?.close();
  }
  readMemory();
  const bench = process.cpuUsage(cpuBefore.bench);
  result.cpu = {
    tui: cpuMs(pids.tui) - cpuBefore.tui,
    daemon: cpuMs(pids.daemon) - cpuBefore.daemon,
    agent: cpuMs(pids.agent) - cpuBefore.agent,
    bench: (bench.user + bench.system) / 1000,
  };
  result.heap.end = await readHeaps(context);
  console.log(`  ${name}: ${summarizePhase(result)}`);
  return result;
}
