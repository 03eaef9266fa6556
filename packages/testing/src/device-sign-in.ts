import { spawn } from 'node:child_process';
import { TestBrowser, type DeviceVerificationOptions } from './browser.js';
import { CLI_PATH, type CliResult } from './run-cli.js';

/** What {@link invokeWithDeviceCode} saw: the CLI's outcome and the verification URL it showed. */
export interface DeviceSignInResult extends CliResult {
  /** The URL the CLI told the user to open. */
  shownUrl: string;
}

/**
 * Runs `opperator agent invoke AGENT COMMAND --json` for a device-flow
 * sign-in as a user would: waits for the "Open URL and enter the code CODE"
 * line, has Chromium enter the code on that page, and returns how the CLI
 * ended. `env` is added to the test runner's environment.
 *
 * @example
 * ```ts
 * const run = await invokeWithDeviceCode('github-notifications', 'authorize_github', { OPPERATOR_HOME: home }, { login: 'octocat' });
 * ```
 */
export async function invokeWithDeviceCode(agent: string, command: string, env: Record<string, string>, options: DeviceVerificationOptions = {}): Promise<DeviceSignInResult> {
  const invoke = spawn(process.execPath, [CLI_PATH, 'agent', 'invoke', agent, command, '--json'], { env: { ...process.env, ...env } });
  let stderr = '';
  let stdout = '';
  invoke.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  // Listened for at once: the command may finish while the browser is still closing.
  const exited = new Promise<number | null>((resolve) => invoke.once('close', resolve));
  const prompt = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      invoke.kill();
      reject(new Error(`no device code shown; stderr: ${stderr}`));
    }, 20_000);
    invoke.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const match = /Open (\S+) and enter the code (\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
  });
  const browser = await TestBrowser.launch();
  try {
    const done = await browser.completeDeviceFlow(prompt[1]!, prompt[2]!, options);
    if (done.outcome !== (options.decision === 'deny' ? 'denied' : 'approved')) throw new Error(`the device page ended ${done.outcome}: ${done.heading}`);
  } finally {
    await browser.close();
  }
  return { code: await exited, stdout, stderr, shownUrl: prompt[1]! };
}
