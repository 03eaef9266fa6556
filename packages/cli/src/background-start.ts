import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from './cli-error.js';
import { startInterruptibly } from './interrupt.js';
import { rotateLogAtStart } from './log-rotation.js';

/** What {@link startInBackground} starts, and how it knows it is up. */
export interface BackgroundStart<T> {
  /** For messages: `the daemon`, `the sandbox`. */
  what: string;
  /** The bundled entry run with this Node. */
  script: string;
  /** Arguments after the script. */
  args?: string[];
  /** Its stdout and stderr are appended here. */
  logPath: string;
  /** Its environment; default this process's. */
  env?: NodeJS.ProcessEnv;
  startTimeoutMs: number;
  stopTimeoutMs: number;
  /** Asks whether it answers yet: a value when it does, `undefined` while not. */
  probe(): Promise<T | undefined>;
}

/** How a background start ended: what the probe answered, or the exit code of a process that ended first. */
export interface BackgroundStartResult<T> {
  child: ChildProcess;
  /** The probe's answer; `undefined` when the process exited or the time ran out. */
  answer: T | undefined;
  /** Its exit code when it ended before answering. */
  exited: number | null | undefined;
}

/**
 * Spawns `script` detached with its output appended to `logPath` (moved
 * aside first when it is too large, see `rotateLogAtStart`), then probes every
 * 100 ms until it answers, exits or `startTimeoutMs` passes. Ctrl-C or
 * SIGTERM meanwhile stops it and ends the command (`startInterruptibly`).
 * An answer counts only while the process still runs: something else on its
 * port must not be taken for it. An answer detaches it from this process.
 *
 * @example
 * ```ts
 * const { answer } = await startInBackground({ what: 'the daemon', script, logPath, startTimeoutMs, stopTimeoutMs, probe: () => tryStatus(socketPath) });
 * ```
 */
export async function startInBackground<T>(start: BackgroundStart<T>): Promise<BackgroundStartResult<T>> {
  mkdirSync(dirname(start.logPath), { recursive: true, mode: 0o700 });
  // Nothing writes to it before the spawn: a large log moves aside by rename here.
  rotateLogAtStart(start.logPath);
  const logFd = openSync(start.logPath, 'a', 0o600);
  let exited: number | null | undefined;
  const deadline = Date.now() + start.startTimeoutMs;
  const { child, result: answer } = await startInterruptibly({
    what: start.what,
    spawn: () => {
      const child = spawn(process.execPath, [start.script, ...(start.args ?? [])], { detached: true, stdio: ['ignore', logFd, logFd], ...(start.env ? { env: start.env } : {}) });
      // The child has its own copy of the descriptor.
      closeSync(logFd);
      child.once('exit', (code) => (exited = code));
      return child;
    },
    wait: async (interrupted) => {
      while (Date.now() < deadline && exited === undefined) {
        interrupted.throwIfAborted();
        const answered = await start.probe();
        interrupted.throwIfAborted();
        if (answered !== undefined && exited === undefined) return answered;
        await sleep(100, undefined, { signal: interrupted });
      }
      return undefined;
    },
    stopTimeoutMs: start.stopTimeoutMs,
  });
  if (answer !== undefined) child.unref();
  else if (exited === undefined) child.kill();
  return { child, answer, exited };
}

/**
 * The error for a start that did not answer: timed out or exited, with the
 * last lines of its log.
 *
 * @example
 * ```ts
 * throw startFailure('The daemon', result.exited, DAEMON_START_TIMEOUT_MS, logPath);
 * ```
 */
export function startFailure(what: string, exited: number | null | undefined, timeoutMs: number, logPath: string): CliError {
  const tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-10).join('\n');
  return new CliError('failure', `${what} did not start${exited === undefined ? ` within ${timeoutMs / 1000} s` : ` (exit code ${exited})`}. Last lines of ${logPath}:\n${tail}`);
}
