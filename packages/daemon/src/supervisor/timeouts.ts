/**
 * Every default duration of an agent's life, in the order they apply.
 * One place, so the escalation can be read top to bottom (as nuxt/cli's
 * `dev/shutdown.ts` does) and tests can shrink them through options.
 *
 * Start:  spawn ──(AGENT_READY_TIMEOUT_MS)──▶ `ready`, else SIGTERM → SIGKILL.
 * Stop:   `shutdown` + stdin closed ──(AGENT_STOP_GRACE_MS)──▶ SIGTERM to the group
 *         ──(AGENT_KILL_WAIT_MS)──▶ SIGKILL to the group ──(AGENT_EXIT_AFTER_KILL_MS)──▶ give up.
 * Exit:   leader exited ──(AGENT_STDIO_DRAIN_MS)──▶ stop waiting for its stdout/stderr to close.
 *
 * @example
 * ```ts
 * import { AGENT_STOP_GRACE_MS } from './timeouts.js';
 * const proc = new AgentProcess({ ...spec, stopGraceMs: AGENT_STOP_GRACE_MS * 2 });
 * ```
 * @packageDocumentation
 */

/**
 * 1. How long a spawned agent has to send `ready`. Generous because the first
 * start of a TypeScript agent compiles it (tsx) and may load heavy SDKs.
 *
 * @example
 * ```ts
 * new AgentProcess({ ...spec, readyTimeoutMs: AGENT_READY_TIMEOUT_MS });
 * ```
 */
export const AGENT_READY_TIMEOUT_MS = 30_000;

/**
 * 2. After `shutdown` is sent and stdin is closed: how long the agent may take
 * to finish its work and exit on its own before it gets SIGTERM.
 *
 * @example
 * ```ts
 * new AgentProcess({ ...spec, stopGraceMs: AGENT_STOP_GRACE_MS });
 * ```
 */
export const AGENT_STOP_GRACE_MS = 5_000;

/**
 * 3. After SIGTERM to the process group: how long before SIGKILL. Short: an
 * agent that ignored `shutdown` has already had its grace period.
 *
 * @example
 * ```ts
 * new AgentProcess({ ...spec, killWaitMs: AGENT_KILL_WAIT_MS });
 * ```
 */
export const AGENT_KILL_WAIT_MS = 2_000;

/**
 * 4. After SIGKILL: how long to wait for the exit to be reported before `stop()`
 * rejects (only a process stuck in uninterruptible sleep takes longer).
 *
 * @example
 * ```ts
 * new AgentProcess({ ...spec, exitAfterKillMs: AGENT_EXIT_AFTER_KILL_MS });
 * ```
 */
export const AGENT_EXIT_AFTER_KILL_MS = 2_000;

/**
 * After the agent itself has exited: how long to wait for its stdout/stderr to
 * close, so its last lines (often the reason it crashed) are not lost. A
 * grandchild holding the pipes open cannot delay the exit report longer than this.
 *
 * @example
 * ```ts
 * new AgentProcess({ ...spec, stdioDrainMs: AGENT_STDIO_DRAIN_MS });
 * ```
 */
export const AGENT_STDIO_DRAIN_MS = 500;
