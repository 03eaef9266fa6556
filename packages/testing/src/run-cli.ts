import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI (scripts/build-cli.mjs; vitest's global setup builds it). */
export const CLI_PATH = fileURLToPath(new URL('../../cli/dist/opperator.js', import.meta.url));

/** What a CLI run printed and how it exited. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** Added to a clean environment (the test runner's, without any desktop D-Bus session). */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed; without it stdin is empty and closed. */
  input?: string;
}

/** Runs `opperator ...args` as a real child process. */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const { DBUS_SESSION_BUS_ADDRESS: _desktopBus, BROWSER: _browser, ...base } = process.env;
  const child = spawn(process.execPath, [CLI_PATH, ...args], { env: { ...base, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
