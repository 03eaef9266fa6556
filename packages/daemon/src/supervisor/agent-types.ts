import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { AGENT_PROTOCOL_VERSION, type AgentToDaemon, type InvalidLine, type LogLevel } from '@opperator/protocol';
import type { AgentProcessRecords } from './process-records.js';

/**
 * Where an agent's life is. `stopped` is also the state of an
 * {@link AgentProcess} that was never started; `crashed` means it exited
 * without being asked to (or failed to start).
 *
 * @example
 * ```ts
 * const busy: AgentState[] = ['starting', 'stopping'];
 * ```
 */
export type AgentState = 'starting' | 'running' | 'stopping' | 'stopped' | 'crashed';

/**
 * Where a log line came from: the agent's `log` messages (`agent`), raw
 * stderr lines, stdout lines that were not protocol messages, or the
 * supervisor itself (escalation steps, restarts, invalid lines).
 *
 * @example
 * ```ts
 * const fromProcess = (entry: AgentLogEntry) => entry.source === 'stderr' || entry.source === 'stdout';
 * ```
 */
export type LogSource = 'stdout' | 'stderr' | 'agent' | 'supervisor';

/**
 * One log line of an agent, ready to be persisted.
 *
 * @example
 * ```ts
 * supervisor.on('log', (entry: AgentLogEntry) => logStore.append(name, entry));
 * ```
 */
export interface AgentLogEntry {
  level: LogLevel;
  message: string;
  /** Milliseconds since the epoch. */
  time: number;
  source: LogSource;
  /** Structured fields of an agent `log` message. */
  fields?: Record<string, unknown>;
}

/**
 * How an agent process ended. `expected` is true when `stop()` asked for it.
 *
 * @example
 * ```ts
 * proc.on('exit', (exit: AgentExit) => { if (!exit.expected) console.log('crashed', exit.code, exit.signal); });
 * ```
 */
export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  expected: boolean;
}

/**
 * The spawn seam: `child_process.spawn` by default.
 *
 * @example
 * ```ts
 * const spawn: SpawnFunction = (command, args, options) => childProcess.spawn(command, args, options);
 * ```
 */
export type SpawnFunction = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

/**
 * Options of {@link AgentProcess}: what to run, and the timeouts of its life
 * (defaults in `timeouts.ts`).
 *
 * @example
 * ```ts
 * const options: AgentProcessOptions = {
 *   name: 'invoice-monitor', command: process.execPath, args: ['--import', 'tsx', 'agent.ts'],
 *   cwd: '/home/me/.config/opperator/agents/invoice-monitor', env: { PATH: '/usr/bin' },
 * };
 * ```
 */
export interface AgentProcessOptions {
  /** The agent's name, used in messages and errors. */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  /** The complete environment of the child, already filtered by the caller: nothing of the daemon's own is added. */
  env: Record<string, string>;
  /** Time to `ready`; default `AGENT_READY_TIMEOUT_MS`. */
  readyTimeoutMs?: number;
  /** Time from `shutdown` to SIGTERM; default `AGENT_STOP_GRACE_MS`. */
  stopGraceMs?: number;
  /** Time from SIGTERM to SIGKILL; default `AGENT_KILL_WAIT_MS`. */
  killWaitMs?: number;
  /** Time from SIGKILL to giving up; default `AGENT_EXIT_AFTER_KILL_MS`. */
  exitAfterKillMs?: number;
  /** Time from the agent's exit to the exit report, for its last output; default `AGENT_STDIO_DRAIN_MS`. */
  stdioDrainMs?: number;
  /** Log lines quoted by start failures; default `LOG_TAIL_LINES` (20). */
  logTailLines?: number;
  spawn?: SpawnFunction;
  /** Run the agent isolated (`isolate: true` in agents.yaml): through {@link isolation}, and never without it. */
  isolate?: boolean;
  /** How isolated agents are run (bubblewrap, see the daemon's `isolation.ts`); without it an isolated agent cannot start. */
  isolation?: ProcessIsolation;
  /** Where the process is recorded while it runs, so a daemon started after a crash can stop it (see `stopLeftoverAgents`). */
  processRecords?: Pick<AgentProcessRecords, 'add' | 'remove' | 'dir'>;
  /** Clock for log times; default `Date.now`. */
  now?: () => number;
}

/**
 * What an isolated run is asked to wrap.
 *
 * @example
 * ```ts
 * const run: IsolatedRun = { name: 'mail', command: process.execPath, args: ['runner.mjs', 'agent.mjs'], cwd: agentDir, env: { PATH } };
 * ```
 */
export interface IsolatedRun {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

/**
 * Runs a process in a sandbox: returns the command that does (a wrapper
 * such as bwrap, with the original command after it), or why it cannot,
 * completing "Agent "name" …" with the cause and the fix.
 *
 * @example
 * ```ts
 * const isolation: ProcessIsolation = { wrap: (run) => ({ command: 'bwrap', args: ['--ro-bind', '/', '/', '--', run.command, ...run.args], env: run.env }) };
 * ```
 */
export interface ProcessIsolation {
  wrap(run: IsolatedRun): { command: string; args: string[]; env: Record<string, string> } | { unavailable: string };
}

/**
 * Events of {@link AgentProcess} (and, forwarded, of the supervisor).
 * `log` messages of the agent arrive as `log` events, not as `message`s.
 *
 * @example
 * ```ts
 * proc.on('state', (next, previous) => console.log(`${previous} -> ${next}`));
 * ```
 */
export interface AgentProcessEvents {
  message: [message: AgentToDaemon];
  /** A stdout line that did not become a message (also logged); a refused `response` names the command it ends. */
  invalid: [line: InvalidLine];
  log: [entry: AgentLogEntry];
  state: [next: AgentState, previous: AgentState];
  exit: [exit: AgentExit];
}

/**
 * Agent protocol versions this supervisor accepts in `ready`.
 *
 * @example
 * ```ts
 * SUPPORTED_PROTOCOL_VERSIONS.includes(1); // true
 * ```
 */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [AGENT_PROTOCOL_VERSION];

/**
 * "with code 1", "on SIGKILL": how a process ended, for messages.
 *
 * @example
 * ```ts
 * describeExit(null, 'SIGKILL'); // 'on SIGKILL'
 * ```
 */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `on ${signal}`;
  return code === null ? 'without an exit status' : `with code ${code}`;
}
