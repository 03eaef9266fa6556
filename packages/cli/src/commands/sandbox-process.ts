import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CliError } from '../cli-error.js';
import { childEnvironment } from '../config.js';
import { startFailure, startInBackground } from '../background-start.js';
import { discoveryAnswers } from './sandbox-state.js';

// The sandbox process: started detached by `sandbox start`, kept once it answers.

/** How long `sandbox start` waits for the discovery document to answer. */
export const SANDBOX_START_TIMEOUT_MS = 15_000;
/** How long `sandbox stop` waits for the process to be gone. */
export const SANDBOX_STOP_TIMEOUT_MS = 10_000;
/** Exit code of dist/sandbox.js when its port is taken (SANDBOX_EXIT_PORT_IN_USE in packages/sandbox/src/main.ts). */
const EXIT_PORT_IN_USE = 3;

/** The bundled sandbox entry next to the CLI bundle (this module may sit in dist/ or dist/chunks/). */
function sandboxScript(): string {
  for (const candidate of ['./sandbox.js', '../sandbox.js']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('The sandbox bundle is missing next to the CLI; run `npm run build`.');
}

/**
 * Starts the sandbox detached and waits for its discovery document; resolves
 * with its pid. Ctrl-C or SIGTERM before it answers stops it and ends the
 * command (see `startInterruptibly`): a sandbox left running with no pid in
 * sandbox.json could be neither stopped nor started again (its port taken).
 *
 * @example
 * ```ts
 * const pid = await startSandboxProcess(9440, 'http://127.0.0.1:9440', logPath, { port: 9440, clients });
 * ```
 */
export async function startSandboxProcess(port: number, issuer: string, logPath: string, config: object): Promise<number> {
  const started = await startInBackground({
    what: 'the sandbox',
    script: sandboxScript(),
    logPath,
    env: childEnvironment({ OPPERATOR_SANDBOX_CONFIG: JSON.stringify(config) }),
    startTimeoutMs: SANDBOX_START_TIMEOUT_MS,
    stopTimeoutMs: SANDBOX_STOP_TIMEOUT_MS,
    // Only while it runs (startInBackground checks): another server already on the port could answer discovery.
    probe: async () => ((await discoveryAnswers(issuer)) ? true : undefined),
  });
  if (started.answer && started.child.pid) return started.child.pid;
  if (started.exited === EXIT_PORT_IN_USE) throw portInUse(port);
  throw startFailure('The sandbox', started.exited, SANDBOX_START_TIMEOUT_MS, logPath);
}

/**
 * The error for a port something else listens on (exit 5), naming the fix.
 *
 * @example
 * ```ts
 * if (await portAnswers(9440)) throw portInUse(9440);
 * ```
 */
export function portInUse(port: number): CliError {
  return new CliError('unavailable', `Port ${port} on 127.0.0.1 is already in use. Stop what uses it, or choose another port: opperator sandbox start --port <N>`);
}

/**
 * Whether something already accepts connections on the port: its discovery
 * answer must not be mistaken for ours.
 *
 * @example
 * ```ts
 * await portAnswers(9440); // true while a sandbox (or anything else) listens there
 * ```
 */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

