import type { Readable, Writable } from 'node:stream';

/**
 * How long `stop()`, background runs and cancelled commands get to finish
 * once the agent is asked to stop. Kept under the daemon's grace period
 * (5 s from `shutdown` to SIGTERM), so that even a stop() that hangs leaves
 * time to send `stopped` and exit before the daemon escalates.
 *
 * @example
 * ```ts
 * new AgentRuntime(agent, { ...streams, agentName, agentDir, stopTimeoutMs: STOP_TIMEOUT_MS * 2 });
 * ```
 */
export const STOP_TIMEOUT_MS = 4_000;

/**
 * How long the last messages get to reach the daemon before the runtime gives up on them.
 *
 * @example
 * ```ts
 * const worstCaseStopMs = STOP_TIMEOUT_MS + FLUSH_TIMEOUT_MS;
 * ```
 */
export const FLUSH_TIMEOUT_MS = 1_000;

/**
 * Where a runtime is in its life.
 *
 * @example
 * ```ts
 * if (runtime.phase === 'ready') console.error('serving commands');
 * ```
 */
export type RuntimePhase = 'created' | 'starting' | 'ready' | 'stopping' | 'stopped';

/**
 * Options of {@link AgentRuntime}.
 *
 * @example
 * ```ts
 * const options: AgentRuntimeOptions = { input: process.stdin, output: process.stdout, agentName: 'demo', agentDir: '/tmp/demo' };
 * ```
 */
export interface AgentRuntimeOptions {
  /** Where daemon messages arrive (the agent's stdin). */
  input: Readable;
  /** Where agent messages go (the agent's stdout). */
  output: Writable;
  /** The agent's name in agents.yaml. */
  agentName: string;
  /** The agent's folder. */
  agentDir: string;
  /**
   * Where `useOAuth` sends requests for well-known providers instead of the
   * real hosts: a local emulator (`opperator sandbox start --emulate`), from
   * `OPPERATOR_EMULATE`. Absent: the real providers.
   */
  providerEmulator?: string;
  /**
   * Where `useOAuth` keeps tokens unless the agent says (`openTokenStore`: a
   * path, `redis://…`, `postgres://…`): `token_store` in agents.yaml, given as
   * `OPPERATOR_TOKEN_STORE`. Absent: `token.json` in the agent's folder.
   */
  tokenStore?: string;
  /** Default {@link STOP_TIMEOUT_MS}. */
  stopTimeoutMs?: number;
  /** Default `SECRET_TIMEOUT_MS` (30 s). */
  secretTimeoutMs?: number;
  /** Announced in `ready`; default `process.pid`. */
  pid?: number;
  /** Clock for log timestamps; default `Date.now`. */
  now?: () => number;
}
