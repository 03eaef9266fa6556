/**
 * Benchmark 7: the agent runtime. A real daemon (`opperator daemon start`
 * for a temp OPPERATOR_HOME) with one agent whose only command, `ping`,
 * returns `{}`; the CLI's own DaemonClient talks to it. Measures, in one run:
 * the invoke round trip against a bare socket + pipe echo (the transport
 * floor), agent start-to-ready through the daemon (which pre-compiles agents
 * with esbuild) against the same agent started directly under tsx and as an
 * esbuild bundle, and idle memory against a bare node.
 */
import { existsSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI_PATH, makeAgentHome, runCli } from '@opperator/testing';
import { DaemonClient } from '../packages/cli/src/daemon-client.js';
import { bundledJsAgent, cpuMs, killPid, rssMb, spawnIdleNode, startDirect, tsxLaunch, type AgentLaunchSpec } from './agent-processes.js';
import { startEchoFloor, type EchoFloor } from './runtime-floor.js';
import { alternate, alternateAll, elapsedMs, median, percentile, type Comparison } from './stats.js';

/** Settings of {@link benchRuntime}. */
export interface RuntimeBenchOptions {
  /** Scratch directory for the floor's socket and the bundled-JS agent; the OPPERATOR_HOME is a temp dir of its own. */
  dir: string;
  /** Sequential invokes per side after warm-up, run in alternating blocks. */
  invokes: number;
  /** Sequential invokes per side before measuring (JIT, socket buffers). */
  warmup: number;
  /** Requests in flight for the throughput figure. */
  concurrency: number;
  /** Measured starts per launch kind. */
  starts: number;
  /** How long everything idles before memory is read, in ms. */
  idleMs: number;
}

/** Goals from the runtime's brief, checked against the medians below. */
const GOALS = { p50Ratio: 3, commandsPerSecond: 5_000, startMs: 400, agentRssMb: 60 };
const BLOCK = 500;
const AGENT = 'ping';
/** Valid TypeScript and valid JavaScript: the bundled-JS baseline runs the very same text. */
const AGENT_SOURCE = `import { Agent } from '@opperator/sdk';

export default class Ping extends Agent {
  async initialize() {
    this.registerCommand('ping', () => ({}));
  }
}
`;

/**
 * Process ids (negative: a process group) to SIGKILL if the bench exits
 * before its finally blocks run: the watchdog calls process.exit(), and the
 * daemon is detached, so it would outlive us.
 */
const strays = new Set<number>();

/** Starts the daemon, runs the three measurements, and always stops the daemon and removes its home. */
export async function benchRuntime(options: RuntimeBenchOptions): Promise<Comparison[]> {
  await waitForBundle();
  await mkdir(options.dir, { recursive: true });
  const home = await makeAgentHome([{ name: AGENT, source: AGENT_SOURCE, yaml: 'auto_restart: false' }]);
  const env = { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' };
  const emergency = () => {
    for (const pid of strays) killPid(pid);
    rmSync(home.path, { recursive: true, force: true });
  };
  process.once('exit', emergency);
  let client: DaemonClient | undefined;
  let floor: EchoFloor | undefined;
  try {
    await startDaemon(env);
    client = await DaemonClient.connect(join(home.path, 'run', 'daemon.sock'));
    const daemonPid = (await client.request('daemon.status')).pid;
    strays.add(daemonPid);
    const js = await bundledJsAgent(join(options.dir, 'ping-js'), AGENT, AGENT_SOURCE);
    // Leaves the daemon's agent running, for the invokes and the memory figures.
    const starts = await benchStarts(client, tsxLaunch(join(home.path, 'agents', AGENT), AGENT), js, options.starts);
    floor = await startEchoFloor(join(options.dir, 'floor.sock'));
    const invokes = await benchInvokes(client, floor, { daemon: daemonPid, agent: await agentPid(client) }, options);
    const memory = await benchMemory(client, daemonPid, js, options.idleMs);
    return [...invokes, ...starts, ...memory];
  } finally {
    client?.close();
    await floor?.close().catch(() => undefined);
    // Stops the agent too; whatever is still alive afterwards (a failed stop) is killed.
    await runCli(['daemon', 'stop'], { env });
    for (const pid of strays) killPid(pid);
    strays.clear();
    process.off('exit', emergency);
    await home.remove();
  }
}

/**
 * `agent.start` through the daemon (stop before, untimed) against the same
 * agent spawned directly under tsx (the daemon's fallback launch). The daemon
 * itself runs a cached esbuild bundle of the agent.
 */
async function benchStarts(client: DaemonClient, tsx: AgentLaunchSpec, js: AgentLaunchSpec, rounds: number): Promise<Comparison[]> {
  const viaDaemon = (into: number[]) => async () => {
    const [agent] = await listAgents(client);
    if (agent?.state === 'running') await client.request('agent.stop', { name: AGENT });
    if (agent?.pid) strays.delete(-agent.pid);
    const start = performance.now();
    await client.request('agent.start', { name: AGENT });
    into.push(elapsedMs(start));
    const [running] = await listAgents(client);
    if (running?.pid) strays.add(-running.pid);
  };
  const direct = (spec: AgentLaunchSpec, into: number[]) => async () => {
    const agent = await startDirect(spec);
    strays.add(-agent.pid);
    into.push(agent.readyMs);
    await agent.stop();
    strays.delete(-agent.pid);
  };
  const daemonMs: number[] = [];
  const tsxMs: number[] = [];
  const jsMs: number[] = [];
  // One unmeasured round: the first tsx start compiles into tsx's disk cache, which every later start then hits.
  await alternateAll(1, [viaDaemon([]), direct(tsx, []), direct(js, [])]);
  await alternateAll(rounds, [viaDaemon(daemonMs), direct(tsx, tsxMs), direct(js, jsMs)]);
  const [daemonMedian, tsxMedian, jsMedian] = [median(daemonMs), median(tsxMs), median(jsMs)];
  const tsxLabel = 'node --import tsx runner.ts';
  return [
    {
      name: 'agent start to ready (daemon)',
      subject: { label: 'agent.start (daemon, bundled)', values: daemonMs },
      baseline: { label: tsxLabel, values: tsxMs },
      unit: 'ms',
      note: `from the agent.start request to its answer (the daemon answers on "ready"); baseline: the same launch spawned directly, so the ratio is the daemon's share. Goal at most ${GOALS.startMs} ms: ${verdict(daemonMedian <= GOALS.startMs)}.`,
    },
    {
      name: 'agent start to ready (tsx vs JS)',
      subject: { label: tsxLabel, values: tsxMs },
      baseline: { label: 'node runner.js (esbuild)', values: jsMs },
      unit: 'ms',
      note: `the same agent spawned directly, from source under tsx vs. an esbuild bundle of the SDK with agent.js: the ratio is what loading TypeScript at start costs. Under the daemon a JS agent would take about ${Math.round(jsMedian + daemonMedian - tsxMedian)} ms (estimate: JS start plus the daemon's share above).`,
    },
  ];
}

/** Sequential round trips (latency) and `concurrency` in flight (throughput), daemon and floor in alternating blocks. */
async function benchInvokes(client: DaemonClient, floor: EchoFloor, pids: { daemon: number; agent: number }, options: RuntimeBenchOptions): Promise<Comparison[]> {
  const params = { name: AGENT, command: 'ping', args: {} };
  const answer = await client.request('agent.invoke', params);
  if (!('ok' in answer) || !answer.ok) throw new Error(`ping failed: ${JSON.stringify(answer)}`);
  const makeSide = (send: () => Promise<unknown>, servers: number[]) => ({ send, servers, latencyUs: [] as number[], sequentialMs: 0, perCommandUs: [] as number[], cpuUs: [0, ...servers.map(() => 0)], commands: 0 });
  const sides = {
    daemon: makeSide(() => client.request('agent.invoke', params), [pids.daemon, pids.agent]),
    floor: makeSide(() => floor.request('agent.invoke', params), [floor.childPid]),
  };
  type Side = (typeof sides)['daemon'];
  const sequential = (side: Side, count: number, record: boolean) => async () => {
    const latencies: number[] = [];
    const blockStart = performance.now();
    for (let i = 0; i < count; i += 1) {
      const start = performance.now();
      await side.send();
      latencies.push((performance.now() - start) * 1000);
    }
    if (!record) return;
    side.sequentialMs += elapsedMs(blockStart);
    side.latencyUs.push(...latencies);
  };
  const inFlight = (side: Side, count: number, record: boolean) => async () => {
    let left = count;
    // CPU of this process (the client; the floor's forwarding server too) and of the serving processes.
    const cpuBefore = [process.cpuUsage(), side.servers.map(cpuMs)] as const;
    const blockStart = performance.now();
    const worker = async () => {
      while (left > 0) {
        left -= 1; // before the await, or all workers would see the same count
        await side.send();
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    if (!record) return;
    side.perCommandUs.push((elapsedMs(blockStart) * 1000) / count);
    const own = process.cpuUsage(cpuBefore[0]);
    const used = [own.user + own.system, ...side.servers.map((pid, i) => (cpuMs(pid) - (cpuBefore[1][i] ?? 0)) * 1000)];
    side.cpuUs = side.cpuUs.map((total, i) => total + (used[i] ?? 0));
    side.commands += count;
  };
  const cpuPerCommand = (side: Side) => side.cpuUs.map((us) => Math.round(us / side.commands));
  await alternate(1, sequential(sides.daemon, options.warmup, false), sequential(sides.floor, options.warmup, false));
  await alternate(Math.max(1, Math.round(options.invokes / BLOCK)), sequential(sides.daemon, BLOCK, true), sequential(sides.floor, BLOCK, true));
  await alternate(1, inFlight(sides.daemon, BLOCK, false), inFlight(sides.floor, BLOCK, false));
  await alternate(4, inFlight(sides.daemon, 2 * BLOCK, true), inFlight(sides.floor, 2 * BLOCK, true));

  const rate = (side: Side) => (side.latencyUs.length / side.sequentialMs) * 1000;
  // p50 is the table's median (the mean of the middle two of an even count), so the note and the table agree.
  const p = (side: Side, q: number) => Math.round(q === 50 ? median(side.latencyUs) : percentile(side.latencyUs, q));
  const p50Ratio = median(sides.daemon.latencyUs) / median(sides.floor.latencyUs);
  const inFlightRate = (side: Side) => 1e6 / median(side.perCommandUs);
  return [
    {
      name: 'invoke round trip, sequential',
      subject: { label: 'DaemonClient > daemon > agent', values: sides.daemon.latencyUs },
      baseline: { label: 'socket + pipe echo (floor)', values: sides.floor.latencyUs },
      unit: 'µs',
      note:
        `p50 ${p(sides.daemon, 50)} vs ${p(sides.floor, 50)} µs (${p50Ratio.toFixed(2)}x the floor; goal at most ${GOALS.p50Ratio}x: ${verdict(p50Ratio <= GOALS.p50Ratio)}); ` +
        `p99 ${p(sides.daemon, 99)} vs ${p(sides.floor, 99)} µs; ${commandsPerSecond(rate(sides.daemon))} vs ${commandsPerSecond(rate(sides.floor))} one at a time (goal at least ${GOALS.commandsPerSecond.toLocaleString('en')}/s: ${verdict(rate(sides.daemon) >= GOALS.commandsPerSecond)}` +
        `${rate(sides.floor) < GOALS.commandsPerSecond ? '; the floor itself does not reach it one at a time on this machine' : ''}).`,
    },
    {
      name: `invoke, ${options.concurrency} in flight`,
      subject: { label: 'DaemonClient > daemon > agent', values: sides.daemon.perCommandUs },
      baseline: { label: 'socket + pipe echo (floor)', values: sides.floor.perCommandUs },
      unit: 'µs/cmd',
      note:
        `wall time per command over blocks of ${2 * BLOCK}: ${commandsPerSecond(inFlightRate(sides.daemon))} vs ${commandsPerSecond(inFlightRate(sides.floor))} (goal at least ${GOALS.commandsPerSecond.toLocaleString('en')}/s: ${verdict(inFlightRate(sides.daemon) >= GOALS.commandsPerSecond)}). ` +
        `CPU per command, client/daemon/agent: ${cpuPerCommand(sides.daemon).join('/')} µs; floor, client+server/echo: ${cpuPerCommand(sides.floor).join('/')} µs.`,
    },
  ];
}

/** VmRSS after everything has idled for `idleMs`: the daemon's agent, a bundled-JS agent, the daemon, and a bare node. */
async function benchMemory(client: DaemonClient, daemonPid: number, js: AgentLaunchSpec, idleMs: number): Promise<Comparison[]> {
  const pid = await agentPid(client);
  const idleNode = await spawnIdleNode();
  strays.add(idleNode.pid);
  const jsAgent = await startDirect(js);
  strays.add(-jsAgent.pid);
  const read = { agent: [] as number[], js: [] as number[], daemon: [] as number[], node: [] as number[] };
  try {
    await sleep(idleMs);
    for (let i = 0; i < 5; i += 1) {
      read.agent.push(rssMb(pid, { tree: true }));
      read.js.push(rssMb(jsAgent.pid, { tree: true }));
      // Not the tree: the daemon's descendants are its agents.
      read.daemon.push(rssMb(daemonPid));
      read.node.push(rssMb(idleNode.pid));
      await sleep(200);
    }
  } finally {
    idleNode.stop();
    await jsAgent.stop();
  }
  const node = { label: 'node -e setInterval', values: read.node };
  return [
    {
      name: 'idle RSS, agent',
      subject: { label: 'daemon\'s agent after load', values: read.agent },
      baseline: node,
      unit: 'MB',
      note: `VmRSS of the daemon's agent (pre-compiled by the daemon since it bundles agents with esbuild; with any children) after serving the invoke benchmark (~10,000 commands) and ${idleMs / 1000} s idle. Goal at most ${GOALS.agentRssMb} MB: ${verdict(median(read.agent) <= GOALS.agentRssMb)}.`,
    },
    {
      name: 'idle RSS, agent as JS',
      subject: { label: 'ping agent, bundled JS', values: read.js },
      baseline: node,
      unit: 'MB',
      note: `the same agent spawned directly from the esbuild bundle (no tsx, no commands served); goal at most ${GOALS.agentRssMb} MB: ${verdict(median(read.js) <= GOALS.agentRssMb)}.`,
    },
    { name: 'idle RSS, daemon', subject: { label: 'daemon, one agent', values: read.daemon }, baseline: node, unit: 'MB', note: 'VmRSS of the daemon process alone (bundled JS), after the invoke runs; no goal set.' },
  ];
}

function listAgents(client: DaemonClient): Promise<Array<{ name: string; state: string; pid: number | null }>> {
  return client.request('agent.list');
}

async function agentPid(client: DaemonClient): Promise<number> {
  const [agent] = await listAgents(client);
  if (!agent?.pid || agent.state !== 'running') throw new Error(`agent ${AGENT} is not running: ${JSON.stringify(agent)}`);
  return agent.pid;
}

function verdict(met: boolean): string {
  return met ? 'met' : 'NOT met';
}

function commandsPerSecond(rate: number): string {
  return `${Math.round(rate).toLocaleString('en')} commands/s`;
}

/** `opperator daemon start`, tried again if a rebuild of the bundle (see {@link waitForBundle}) removed it under us. */
async function startDaemon(env: Record<string, string>): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const started = await runCli(['daemon', 'start'], { env });
    if (started.code === 0) return;
    if (attempt === 3 || !started.stderr.includes('Cannot find module')) throw new Error(`opperator daemon start exited ${started.code}: ${started.stderr.trim()}`);
    await waitForBundle();
  }
}

/** The daemon runs from packages/cli/dist; a build swaps it by rename, so give one in progress a moment. */
async function waitForBundle(): Promise<void> {
  const files = [CLI_PATH, join(dirname(CLI_PATH), 'daemon.js')];
  for (let i = 0; i < 50 && !files.every((file) => existsSync(file)); i += 1) await sleep(200);
  const missing = files.filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: run npm run build`);
}
