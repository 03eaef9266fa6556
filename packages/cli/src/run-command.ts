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

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  /** The agent name the command was given: an unknown one gets a did-you-mean from agents.yaml. */
  agentName?: string;
}

/**
 * Runs a command's action: on failure prints `opperator: <message>` to stderr
 * (messages already name the fix; remote text in them is neutralised, see
 * terminal-text.ts) and exits with the code of the error's kind.
 *
 * @example
 * ```ts
 * await runCommand(async () => agentLifecycle('start', name), { agentName: name });
 * ```
 */
export async function runCommand(action: () => Promise<void>, options: RunCommandOptions = {}): Promise<void> {
  try {
    await action();
  } catch (err) {
    const kind = err instanceof CliError ? err.kind : kindOf(err);
    const message = err instanceof Error ? err.message : String(err);
    const hint = codeOf(err) === CONTROL_ERROR.AGENT_NOT_FOUND && options.agentName !== undefined ? await agentSuggestion(options.agentName) : '';
    process.stderr.write(`opperator: ${toTerminalText(message + hint, { multiline: true })}\n`);
    process.exitCode = EXIT_CODES[kind];
  }
}

/** " Did you mean NAME?" for the agent in agents.yaml closest to `typed`, else "". */
async function agentSuggestion(typed: string): Promise<string> {
  const [{ join }, { readConfig }, { AgentsFile }, { suggestName }] = await Promise.all([import('node:path'), import('./config.js'), import('./agents-file.js'), import('@opperator/protocol/suggest-name')]);
  try {
    const suggestion = suggestName(typed, await new AgentsFile(join(readConfig().home, 'agents.yaml')).names());
    return suggestion ? ` Did you mean ${suggestion}?` : '';
  } catch (err) {
    // No readable agents.yaml: the not-found message stands on its own.
    if (err instanceof CliError || (err instanceof Error && 'code' in err)) return '';
    throw err;
  }
}

function codeOf(err: unknown): string {
  return err && typeof err === 'object' && 'code' in err ? String(err.code) : '';
}

function kindOf(err: unknown): CliErrorKind {
  return KIND_BY_CODE[codeOf(err)] ?? 'failure';
}
