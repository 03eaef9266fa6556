/**
 * Stable codes of {@link SupervisorError}. Callers branch on these, never on
 * message text.
 *
 * @example
 * ```ts
 * if (error instanceof SupervisorError && error.code === 'AGENT_START_TIMEOUT') showTail(error.logTail);
 * ```
 */
export type SupervisorErrorCode =
  /** The process could not be spawned at all (command not found, cwd missing, EACCES). */
  | 'AGENT_SPAWN_FAILED'
  /** The agent did not send `ready` within the ready timeout; it was killed. */
  | 'AGENT_START_TIMEOUT'
  /** The agent exited before it sent `ready`. */
  | 'AGENT_CRASHED_DURING_START'
  /** The agent's `ready` named a protocol version this daemon does not speak; it was killed. */
  | 'AGENT_PROTOCOL_UNSUPPORTED'
  /** `stop()` was called while the agent was still starting. */
  | 'AGENT_STOPPED_DURING_START'
  /** The caller's AbortSignal fired while the agent was starting; it was killed. */
  | 'AGENT_START_ABORTED'
  /** `start()` was called twice on one {@link AgentProcess} (each run needs a new one). */
  | 'AGENT_ALREADY_STARTED'
  /** A message was sent to an agent that is not starting or running. */
  | 'AGENT_NOT_RUNNING'
  /** Writing to the agent's stdin failed (it closed it, or exited meanwhile). */
  | 'AGENT_WRITE_FAILED'
  /** The agent did not exit even after SIGKILL to its process group. */
  | 'AGENT_STOP_TIMEOUT'
  /** The agent asks for isolation and it cannot be provided here (no bwrap, no namespaces); it was not started unisolated. */
  | 'AGENT_ISOLATION_UNAVAILABLE'
  /** An option cannot work (negative timeout, `maxRestarts: -1`, ...). */
  | 'SUPERVISOR_INVALID_OPTIONS';

/**
 * Options of {@link SupervisorError}.
 *
 * @example
 * ```ts
 * new SupervisorError('AGENT_START_TIMEOUT', 'Agent "mail" did not send "ready" within 30000 ms.', { agent: 'mail', logTail: proc.logTail() });
 * ```
 */
export interface SupervisorErrorOptions {
  /** The underlying error, always forwarded. */
  cause?: unknown;
  /** The agent the error is about. */
  agent?: string;
  /** The agent's last log lines (stderr, stdout, `log` messages) when the error happened. */
  logTail?: readonly string[];
}

/**
 * The supervisor's error: a stable `code`, the agent's name and, for start
 * failures, the last log lines so the user sees why without opening the logs.
 *
 * @example
 * ```ts
 * try {
 *   await agent.start();
 * } catch (error) {
 *   if (error instanceof SupervisorError && error.code === 'AGENT_CRASHED_DURING_START') {
 *     console.error(error.message); // ends with the agent's last stderr lines
 *   }
 * }
 * ```
 */
export class SupervisorError extends Error {
  readonly code: SupervisorErrorCode;
  readonly agent: string | undefined;
  readonly logTail: readonly string[];

  constructor(code: SupervisorErrorCode, message: string, options: SupervisorErrorOptions = {}) {
    const tail = options.logTail ?? [];
    // The tail goes into the message too: the CLI prints messages, and "exited with code 1" alone explains nothing.
    const full = tail.length === 0 ? message : `${message}\nLast log lines:\n${tail.map((line) => `  ${line}`).join('\n')}`;
    super(full, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SupervisorError';
    this.code = code;
    this.agent = options.agent;
    this.logTail = tail;
  }
}
