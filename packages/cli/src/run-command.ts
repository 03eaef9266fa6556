import { CONTROL_ERROR } from '@opperator/protocol';
import { CliError, EXIT_CODES, type CliErrorKind } from './cli-error.js';
import { toTerminalText } from './terminal-text.js';

/** Maps package error codes to CLI error kinds. The only place errors become exit codes. */
const KIND_BY_CODE: Record<string, CliErrorKind> = {
  SECRET_INVALID_NAME: 'usage',
  SECRET_EMPTY_VALUE: 'usage',
  SECRET_INVALID_VALUE: 'usage',
  SECRET_NOT_FOUND: 'notFound',
  SECRET_VALUE_MISSING: 'notFound',
  SECRET_EXISTS: 'conflict',
  SECRET_KEYRING_UNAVAILABLE: 'unavailable',
  [CONTROL_ERROR.NOT_RUNNING]: 'unavailable',
  // The daemon runs another version: unavailable until it is restarted (the message says how).
  [CONTROL_ERROR.PROTOCOL_MISMATCH]: 'unavailable',
  [CONTROL_ERROR.AGENT_NOT_RUNNING]: 'unavailable',
  [CONTROL_ERROR.AGENT_NOT_FOUND]: 'notFound',
  [CONTROL_ERROR.COMMAND_NOT_FOUND]: 'notFound',
  [CONTROL_ERROR.TASK_NOT_FOUND]: 'notFound',
  [CONTROL_ERROR.BAD_REQUEST]: 'usage',
  DAEMON_ALREADY_RUNNING: 'conflict',
  DAEMON_AGENTS_CONFIG_INVALID: 'usage',
};

/**
 * Runs a command's action: on failure prints `opperator: <message>` to stderr
 * (messages already name the fix; remote text in them is neutralised, see
 * terminal-text.ts) and exits with the code of the error's kind.
 */
export async function runCommand(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    const kind = err instanceof CliError ? err.kind : kindOf(err);
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`opperator: ${toTerminalText(message, { multiline: true })}\n`);
    process.exitCode = EXIT_CODES[kind];
  }
}

function kindOf(err: unknown): CliErrorKind {
  const code = err && typeof err === 'object' && 'code' in err ? String(err.code) : '';
  return KIND_BY_CODE[code] ?? 'failure';
}
