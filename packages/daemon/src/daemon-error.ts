/** Stable codes of {@link DaemonError}; clients branch on these. */
export type DaemonErrorCode =
  | 'DAEMON_UNKNOWN_METHOD'
  | 'DAEMON_BAD_REQUEST'
  | 'DAEMON_PROTOCOL_MISMATCH'
  | 'DAEMON_AGENT_NOT_FOUND'
  | 'DAEMON_AGENT_NOT_RUNNING'
  | 'DAEMON_AGENT_BUSY'
  | 'DAEMON_AGENT_START_FAILED'
  | 'DAEMON_COMMAND_NOT_FOUND'
  | 'DAEMON_COMMAND_FAILED'
  | 'DAEMON_TASK_NOT_FOUND'
  | 'DAEMON_ALREADY_RUNNING'
  | 'DAEMON_SOCKET_DIR_UNSAFE'
  | 'DAEMON_INTERNAL';

/**
 * The daemon's error: crosses the control socket as `{ code, message }`,
 * where the message names the fix.
 *
 * @example
 * ```ts
 * throw new DaemonError('DAEMON_AGENT_NOT_FOUND', 'No agent named "mail" in agents.yaml. `opperator agent list` shows the agents.');
 * ```
 */
export class DaemonError extends Error {
  readonly code: DaemonErrorCode;

  constructor(code: DaemonErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DaemonError';
    this.code = code;
  }
}
