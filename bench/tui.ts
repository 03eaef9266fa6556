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
 * Figures: how old the section content on screen is (1,000/s against 10/s),
 * how long a key takes to show (1,000/s against idle), and the RSS of the TUI
 * and of the daemon, read every second (1,000/s against idle).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cp, mkdir, readFile, symlink } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { CLI_PATH, TmuxSession, makeAgentHome } from '@opperator/testing';
import { DaemonClient } from '../packages/cli/src/daemon-client.js';
import { cpuMs, killPid, rssMb } from './agent-processes.js';
import { median, percentile, type Comparison } from './stats.js';

/** Settings of {@link benchTui}. */
export interface TuiBenchOptions {
  /** Scratch directory: a snapshot of the built CLI runs from here (kept apart from rebuilds of packages/cli/dist by test runs). */
  dir: string;
  /** Length of each phase (idle, slow, fast), in ms. */
  phaseMs: number;
  /** Updates a second of the measured phase. */
  rate: number;
  /** Updates a second of the staleness baseline. */
  baselineRate: number;
}

/** Goals from issue 7. */
const GOALS = { stalenessMs: 100, keyMs: 100 };
/** Terminal size of the e2e test: sidebar 30 columns, wide enough for `seq 99999 t=<13 digits>`. */
const SIZE = { width: 100, height: 30 };
/** Time between two screen captures when no key is pending. */
const CAPTURE_EVERY_MS = 50;
/** Time between two Tab presses, plus up to {@link KEY_JITTER_MS} so presses do not lock onto the TUI's 33 ms render timer. */
const KEY_EVERY_MS = 300;
const KEY_JITTER_MS = 100;
/** A key not shown after this long counts as this long (and as missed). */
const KEY_TIMEOUT_MS = 3_000;
/** The firehose agent sends one batch per 10 ms tick (bench/fixtures/firehose-agent.ts), so content is superseded at most this often. */
const FIXTURE_TICK_MS = 10;
/** Memory is read this often, in every phase. */
const MEMORY_EVERY_MS = 1_000;
/** The firehose's content as the screen shows it, and as the watch stream carries it (markup and all). */
const FEED = /seq (\d+) t=(\d{13})/;
const FEED_MARKUP = /seq (\d+)<\/b> t=(\d{13})/;
/** The right pane's header, on the first row: "Logs · follow ...", "Tasks" or "Tasks · 1 running ...". */
const PANE = /^[^\n]*│(Logs|Tasks)\b/;

type PhaseName = 'idle' | 'slow' | 'fast' | 'probe';

interface PhaseResult {
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
  tuiRss: number[];
  daemonRss: number[];
  /** CPU used during the phase, in ms. */
  cpu: { tui: number; daemon: number; agent: number; bench: number };
  flood?: { sent: number; ms: number };
  /** Probe phase only: age of each section update as it reaches a second watch client (the bench's own). */
  streamAge: number[];
}

/** Process ids to SIGKILL if the bench exits before its finally block: the daemon is detached. */
const strays = new Set<number>();

/** Starts daemon, agents and TUI, runs the three phases, and always stops everything and removes the home. */
export async function benchTui(options: TuiBenchOptions): Promise<Comparison[]> {
  const cli = await snapshotCli(options.dir);
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
    const started = await runCli(['daemon', 'start']);
    if (started.code !== 0) throw new Error(`opperator daemon start exited ${started.code}: ${started.stderr.trim()}`);
    client = await DaemonClient.connect(join(home.path, 'run', 'daemon.sock'));
    const daemonPid = (await client.request<{ pid: number }>('daemon.status')).pid;
    strays.add(daemonPid);
    for (const name of ['firehose', 'quiet']) await client.request('agent.start', { name });
    const agents = await client.request<Array<{ name: string; pid: number | null }>>('agent.list');
    for (const agent of agents) if (agent.pid) strays.add(-agent.pid);
    const agentPid = agents.find((agent) => agent.name === 'firehose')?.pid;
    if (!agentPid) throw new Error(`firehose is not running: ${JSON.stringify(agents)}`);

    // A marker in the TUI's environment finds its process without reaching into TmuxSession's private socket.
    const marker = randomBytes(6).toString('hex');
    tmux = await TmuxSession.start([process.execPath, cli], { ...SIZE, env: { ...env, TERM: 'xterm-256color', OPPERATOR_BENCH_TUI: marker } });
    await tmux.waitFor(/▾ Feed[\s\S]*● connected/, 20_000);
    const tuiPid = findPidByEnv(`OPPERATOR_BENCH_TUI=${marker}`);
    strays.add(tuiPid);
    // Warm-up: a few switches, so the first measured key does not pay for first renders of either pane.
    for (let i = 0; i < 4; i += 1) {
      await tmux.sendKeys('Tab');
      await sleep(150);
    }
    await tmux.waitFor(PANE);

    const pids = { tui: tuiPid, daemon: daemonPid, agent: agentPid };
    const load = [loadavg()[0] ?? 0];
    const socketPath = join(home.path, 'run', 'daemon.sock');
    const idle = await runPhase('idle', tmux, client, pids, socketPath, options.phaseMs, 0);
    const slow = await runPhase('slow', tmux, client, pids, socketPath, options.phaseMs, options.baselineRate);
    const fast = await runPhase('fast', tmux, client, pids, socketPath, options.phaseMs, options.rate);
    load.push(loadavg()[0] ?? 0);
    // Not part of the figures above: a second watch client costs the daemon a second copy of every event.
    const probe = await runPhase('probe', tmux, client, pids, socketPath, options.phaseMs, options.rate);
    load.push(loadavg()[0] ?? 0);
    return report({ idle, slow, fast, probe }, options, load);
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

/** One phase: floods at `rate` (0: none) while capturing the screen, pressing Tab and reading memory. */
async function runPhase(
  name: PhaseName,
  tmux: TmuxSession,
  client: DaemonClient,
  pids: { tui: number; daemon: number; agent: number },
  socketPath: string,
  phaseMs: number,
  rate: number,
): Promise<PhaseResult> {
  const result: PhaseResult = {
    ageLo: [], ageHi: [], ageMid: [], lag: [], keyMs: [], keyMissed: 0, captureMs: [], sendKeysMs: [], unreadable: 0,
    firstShownMs: Number.NaN, lastSeqSeen: 0, tuiRss: [], daemonRss: [], cpu: { tui: 0, daemon: 0, agent: 0, bench: 0 }, streamAge: [],
  };
  // The probe: a watch stream of our own, to tell the daemon's share of the age from the TUI's.
  const probe = name === 'probe' ? await DaemonClient.connect(socketPath) : undefined;
  const probeEnd = performance.now() + phaseMs;
  probe
    ?.request('watch', {}, (event) => {
      const feed = FEED_MARKUP.exec(JSON.stringify(event));
      if (feed && performance.now() < probeEnd) result.streamAge.push(Date.now() - Number(feed[2]));
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
  const flood = rate > 0 ? client.request<{ ok: boolean; result?: { sent: number; ms: number }; error?: unknown }>('agent.invoke', { name: 'firehose', command: 'flood', args: { rate, seconds: phaseMs / 1000 } }) : undefined;
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
      if (!answer.ok || !answer.result) throw new Error(`flood at ${rate}/s failed: ${JSON.stringify(answer.error ?? answer)}`);
      result.flood = answer.result;
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
  console.log(`  ${name}: ${summarizePhase(result, rate, phaseMs)}`);
  return result;
}

function report(phases: Record<PhaseName, PhaseResult>, options: TuiBenchOptions, load: number[]): Comparison[] {
  const { idle, slow, fast, probe } = phases;
  const rateLabel = (rate: number) => `${rate.toLocaleString('en')}/s`;
  const triple = (values: number[]) => `${ms(percentile(values, 50))}/${ms(percentile(values, 95))}/${ms(Math.max(...values))}`;
  const stalenessVerdict = verdict(percentile(fast.ageHi, 95) <= GOALS.stalenessMs, percentile(fast.ageLo, 95) <= GOALS.stalenessMs);
  const keyVerdict = verdict(percentile(fast.keyMs, 95) <= GOALS.keyMs, percentile(fast.keyMs, 95) - median(fast.sendKeysMs) - median(fast.captureMs) <= GOALS.keyMs);
  const memory = (values: number[]) => `start ${values[0]?.toFixed(1)}, end ${values.at(-1)?.toFixed(1)}, max ${Math.max(...values).toFixed(1)} MB, growth ${growthPer10s(values).toFixed(1)} MB/10 s`;
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
        `Where the age comes from, in a further ${options.phaseMs / 1000} s at ${rateLabel(options.rate)} with a second watch client (the bench's): updates reached it at age ${triple(probe.streamAge)} ms (agent > daemon > socket), while the screen showed age ${triple(probe.ageMid)} ms.`,
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
      note: `VmRSS of the TUI process (with any children), every second. ${rateLabel(options.rate)}: ${memory(fast.tuiRss)}; idle: ${memory(idle.tuiRss)}; ${rateLabel(options.baselineRate)}: ${memory(slow.tuiRss)}. Goal: flat.`,
    },
    {
      name: `daemon RSS at ${rateLabel(options.rate)}`,
      subject: { label: `daemon, ${rateLabel(options.rate)}`, values: fast.daemonRss },
      baseline: { label: 'daemon, idle', values: idle.daemonRss },
      unit: 'MB',
      note:
        `VmRSS of the daemon process alone, every second. ${rateLabel(options.rate)}: ${memory(fast.daemonRss)}; idle: ${memory(idle.daemonRss)}. Goal: flat. ` +
        `CPU per phase (TUI/daemon/agent/bench, ms of ${options.phaseMs}): idle ${cpuLine(idle)}, ${rateLabel(options.baselineRate)} ${cpuLine(slow)}, ${rateLabel(options.rate)} ${cpuLine(fast)}, probe ${cpuLine(probe)}. ` +
        `Load average (1 min) ${load.map((value) => value.toFixed(2)).join(' -> ')}: other work on this machine moves these figures.`,
    },
  ];
}

function summarizePhase(result: PhaseResult, rate: number, phaseMs: number): string {
  const parts = [`${result.captureMs.length} captures`, `${result.keyMs.length} keys (p50 ${ms(median(result.keyMs))} ms)`];
  if (rate > 0) {
    const achieved = result.flood ? Math.round((result.flood.sent / result.flood.ms) * 1000) : Number.NaN;
    parts.push(`${result.flood?.sent ?? '?'} updates in ${result.flood?.ms ?? '?'} ms (${achieved}/s)`, `screen age p50 ${ms(median(result.ageMid))} ms`, `last seq seen ${result.lastSeqSeen}`);
    if (result.streamAge.length > 0) parts.push(`${result.streamAge.length} updates reached the probe, age p50 ${ms(median(result.streamAge))} ms`);
  }
  parts.push(`TUI ${result.tuiRss.at(-1)?.toFixed(1)} MB`, `daemon ${result.daemonRss.at(-1)?.toFixed(1)} MB`, `CPU ${cpuLine(result)} ms of ${phaseMs}`);
  return parts.join(', ');
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

/** The pid of the process whose environment holds `entry` (the TUI: tmux runs it through `env`, which execs; the tmux server does not have it). */
function findPidByEnv(entry: string): number {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Only the environment: the CLI sets process.title ("opperator"), which overwrites its command line.
      if (readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(entry)) return Number(name);
    } catch {
      // Gone, or not ours: neither is the TUI.
      continue;
    }
  }
  throw new Error(`no process with ${entry} in its environment`);
}

const execFileAsync = promisify(execFile);

/** Runs node with `args` in the caller's environment plus `env`; never throws on a non-zero exit. */
async function runNode(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const { DBUS_SESSION_BUS_ADDRESS: _bus, ...base } = process.env;
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, args, { env: { ...base, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? String(err) };
  }
}

/**
 * Copies packages/cli/dist (CLI, daemon, chunks) into `dir` and returns the
 * copy's CLI path. Test runs rebuild dist in place (rm, then write) and the
 * TUI, the daemon and every lazily loaded chunk must come from one build for
 * the whole run. A node_modules link next to the copy resolves the packages
 * the bundle leaves external (keyring, esbuild, the SDK runner, tsx).
 */
async function snapshotCli(dir: string): Promise<string> {
  const source = dirname(CLI_PATH);
  const target = join(dir, 'cli');
  await mkdir(dir, { recursive: true });
  await symlink(fileURLToPath(new URL('../node_modules', import.meta.url)), join(dir, 'node_modules'));
  const builtAt = () => (existsSync(CLI_PATH) && existsSync(join(source, 'daemon.js')) ? statSync(CLI_PATH).mtimeMs : undefined);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const before = builtAt();
    if (before !== undefined) {
      rmSync(target, { recursive: true, force: true });
      const copied = await cp(source, target, { recursive: true }).then(() => true, () => false);
      if (copied && builtAt() === before) {
        const cli = join(target, 'opperator.js');
        const version = await runNode([cli, '--version'], {});
        if (version.code === 0) return cli;
      }
    }
    await sleep(200);
  }
  throw new Error(`no complete build in ${source}: run npm run build`);
}
