import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CliError } from '../cli-error.js';
import { childEnvironment } from '../config.js';
import { startInterruptibly } from '../interrupt.js';
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
  mkdirSync(dirname(logPath), { recursive: true, mode: 0o700 });
  const logFd = openSync(logPath, 'a', 0o600);
  let exited: number | null | undefined;
  const deadline = Date.now() + SANDBOX_START_TIMEOUT_MS;
  const { child, result: answered } = await startInterruptibly({
    what: 'the sandbox',
    spawn: () => {
      const child = spawn(process.execPath, [sandboxScript()], {
        detached: true,
        stdio: ['ignore', logFd, logFd],
        env: childEnvironment({ OPPERATOR_SANDBOX_CONFIG: JSON.stringify(config) }),
      });
      // The child has its own copy of the descriptor.
      closeSync(logFd);
      child.once('exit', (code) => (exited = code));
      return child;
    },
    wait: async (interrupted) => {
      while (Date.now() < deadline && exited === undefined) {
        interrupted.throwIfAborted();
        // Checking the child too: another server already on the port could answer discovery.
        const answers = await discoveryAnswers(issuer);
        interrupted.throwIfAborted();
        if (answers && exited === undefined) return true;
        await sleep(100, undefined, { signal: interrupted });
      }
      return false;
    },
    stopTimeoutMs: SANDBOX_STOP_TIMEOUT_MS,
  });
  if (answered && child.pid) {
    child.unref();
    return child.pid;
  }
  if (exited === EXIT_PORT_IN_USE) {
    throw portInUse(port);
  }
  if (exited === undefined) child.kill();
  const tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-10).join('\n');
  throw new CliError('failure', `The sandbox did not start${exited === undefined ? ` within ${SANDBOX_START_TIMEOUT_MS / 1000} s` : ` (exit code ${exited})`}. Last lines of ${logPath}:\n${tail}`);
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

