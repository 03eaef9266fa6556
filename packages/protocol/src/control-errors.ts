/**
 * The error codes of the control socket, as named constants. The daemon
 * answers with the first group; a client raises the second itself. Clients
 * branch on these, never on messages. Errors of other packages that cross
 * the socket (`DAEMON_AGENTS_CONFIG_INVALID`, ...) keep their own codes.
 *
 * @example
 * ```ts
 * if (err instanceof ControlClientError && err.code === CONTROL_ERROR.NOT_RUNNING) startDaemon();
 * ```
 */
export const CONTROL_ERROR = {
  // Answered by the daemon.
  /** No such method: the client is newer than the daemon. */
  UNKNOWN_METHOD: 'DAEMON_UNKNOWN_METHOD',
  /** The params do not match the method's schema; the message names the field. */
  BAD_REQUEST: 'DAEMON_BAD_REQUEST',
  /** `hello` named another protocol version; the message names both and the fix. */
  PROTOCOL_MISMATCH: 'DAEMON_PROTOCOL_MISMATCH',
  AGENT_NOT_FOUND: 'DAEMON_AGENT_NOT_FOUND',
  AGENT_NOT_RUNNING: 'DAEMON_AGENT_NOT_RUNNING',
  /** The agent did not reach `ready`; the message carries its last log lines. */
  AGENT_START_FAILED: 'DAEMON_AGENT_START_FAILED',
  COMMAND_NOT_FOUND: 'DAEMON_COMMAND_NOT_FOUND',
  /** No such task, or it is not running (`task.cancel`). */
  TASK_NOT_FOUND: 'DAEMON_TASK_NOT_FOUND',
  INTERNAL: 'DAEMON_INTERNAL',
  /** The request line nests deeper than MAX_MESSAGE_DEPTH (limits.ts); refused unread. */
  REQUEST_TOO_DEEP: 'DAEMON_REQUEST_TOO_DEEP',
  /** The request line is longer than MAX_LINE_BYTES or holds more than MAX_MESSAGE_ENTRIES entries. */
  REQUEST_TOO_LARGE: 'DAEMON_REQUEST_TOO_LARGE',
  /** The method's result could not be encoded (a cycle, too deep). */
  RESULT_UNENCODABLE: 'DAEMON_RESULT_UNENCODABLE',
  // Raised by a client.
  /** Nothing listens on the socket. */
  NOT_RUNNING: 'DAEMON_NOT_RUNNING',
  /** The socket exists but cannot be reached (permissions, ...). */
  UNREACHABLE: 'DAEMON_UNREACHABLE',
  /** The connection closed before the answer (the daemon stopped or crashed), or was already closed. */
  DISCONNECTED: 'DAEMON_DISCONNECTED',
  /** The daemon sent something the method's schema refuses. */
  BAD_RESPONSE: 'DAEMON_BAD_RESPONSE',
  /** No answer within the request's `timeoutMs`. */
  TIMEOUT: 'DAEMON_TIMEOUT',
  /** The request's `signal` aborted; the daemon may still be working on it. */
  ABORTED: 'DAEMON_REQUEST_ABORTED',
} as const;

/** One of {@link CONTROL_ERROR}'s codes. */
export type ControlErrorCode = (typeof CONTROL_ERROR)[keyof typeof CONTROL_ERROR];

/** The fix for a version mismatch, as every message about one says it. */
export const RESTART_DAEMON_HINT = 'Restart the daemon so both run the same version: opperator daemon stop && opperator daemon start';

/**
 * The message of a protocol version mismatch, naming both versions and the fix.
 *
 * @example
 * ```ts
 * protocolMismatchMessage(1, 2); // 'The daemon speaks control protocol 1, this client 2. Restart ...'
 * ```
 */
export function protocolMismatchMessage(daemonVersion: number | string, clientVersion: number): string {
  return `The daemon speaks control protocol ${daemonVersion}, this client ${clientVersion}. ${RESTART_DAEMON_HINT}`;
}
