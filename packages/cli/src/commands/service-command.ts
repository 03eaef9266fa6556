import { execFile } from 'node:child_process';
import { CliError } from '../cli-error.js';

/** How long one `systemctl`, `launchctl` or `loginctl` call may take. */
export const SERVICE_COMMAND_TIMEOUT_MS = 15_000;

/** How a service manager command ended; `code` is null when it could not run (not installed) or timed out. */
export interface ServiceCommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `systemctl`, `launchctl` or `loginctl`: the seam that lets tests check
 * what install and uninstall ask of the service manager without one.
 *
 * @example
 * ```ts
 * const run: ServiceCommandRunner = async (command, args) => ({ code: 0, stdout: '', stderr: '' });
 * ```
 */
export type ServiceCommandRunner = (command: string, args: readonly string[]) => Promise<ServiceCommandResult>;

/**
 * The real runner: `execFile`, no shell, a timeout; never rejects.
 *
 * @example
 * ```ts
 * const { code } = await runServiceCommand('systemctl', ['--user', 'show-environment']);
 * ```
 */
export const runServiceCommand: ServiceCommandRunner = (command, args) =>
  new Promise((resolve) => {
    execFile(command, args, { timeout: SERVICE_COMMAND_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (!error) return resolve({ code: 0, stdout, stderr });
      // A number: the exit status; ENOENT (not installed) or a timeout: no status.
      resolve({ code: typeof error.code === 'number' ? error.code : null, stdout, stderr: stderr.trim() || error.message });
    });
  });

/**
 * Runs a service manager command that must succeed; a failure is a
 * `CliError` naming the command, its exit status and its first line of output.
 *
 * @example
 * ```ts
 * await mustRun(runServiceCommand, 'systemctl', ['--user', 'daemon-reload']);
 * ```
 */
export async function mustRun(run: ServiceCommandRunner, command: string, args: readonly string[]): Promise<void> {
  const result = await run(command, args);
  if (result.code !== 0) throw new CliError('failure', `\`${[command, ...args].join(' ')}\` failed (${result.code === null ? 'it did not run' : `exit ${result.code}`}): ${firstLine(result.stderr)}`);
}

/**
 * The first line of a command's message, for one-line reports.
 *
 * @example
 * ```ts
 * firstLine('Failed to connect to bus\nmore'); // 'Failed to connect to bus'
 * ```
 */
export function firstLine(text: string): string {
  return text.trim().split('\n')[0] || 'no message';
}

