import type { ChildProcess } from 'node:child_process';

/** The signals that end a command: Ctrl-C in a terminal, and what service managers and `kill` send. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/**
 * A repeat of the signal within this time is the same Ctrl-C relayed by a
 * parent (npm, npx and tsx forward the signal the terminal already sent to
 * the whole group), not the user asking a second time.
 */
export const SIGNAL_ECHO_MS = 1_000;

/**
 * The exit code after a signal: 128 + its number, as shells report it.
 *
 * @example
 * ```ts
 * signalExitCode('SIGINT'); // 130
 * ```
 */
export function signalExitCode(signal: StopSignal): number {
  return signal === 'SIGINT' ? 130 : 143;
}

/** A process a command started in the background and is waiting for (see {@link whileStarting}). */
export interface StartingProcess {
  /** What it is, for the messages: `the daemon`, `the sandbox`. */
  what: string;
  pid: number;
  /** Stops it; resolves true once it is gone, false when it is still there after the stop timeout. */
  stop(): Promise<boolean>;
}

/**
 * Runs `wait` (until a process the command just started in the background
 * answers) with SIGINT and SIGTERM caught. Before it answered nothing can
 * be using it, so an interrupt stops it (by pid, the one process this
 * command started) rather than leave a half-started one: it says so on
 * stderr, and ends the command with 130 (SIGINT) or 143 (SIGTERM). `wait`
 * gets a signal that aborts at the interrupt and must return soon after.
 * A second Ctrl-C while stopping exits at once and names what may be left.
 * Once `wait` returned without an interrupt, the process is the caller's to
 * keep, and signals have their default effect again.
 *
 * @example
 * ```ts
 * const child = spawn(process.execPath, ['server.js'], { detached: true });
 * const port = await whileStarting({ what: 'the server', pid: child.pid!, stop: () => stopChild(child, 5_000) }, (signal) => waitForPort(signal));
 * ```
 */
export async function whileStarting<T>(starting: StartingProcess, wait: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = new AbortController();
  let received: StopSignal | undefined;
  let receivedAt = 0;
  const onSignal = (signal: StopSignal) => {
    if (received) {
      if (Date.now() - receivedAt < SIGNAL_ECHO_MS) return;
      process.stderr.write(`opperator: interrupted again; ${starting.what} (pid ${starting.pid}) may still be running. Stop it with: kill ${starting.pid}\n`);
      process.exit(signalExitCode(signal));
    }
    received = signal;
    receivedAt = Date.now();
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    let result: T | undefined;
    try {
      result = await wait(interrupt.signal);
    } catch (err) {
      if (!received) throw err;
    }
    if (!received) return result as T;
    // Exits: the command was interrupted, whatever it would have done next must not run.
    return await stopAndExit(starting, received);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function stopAndExit(starting: StartingProcess, signal: StopSignal): Promise<never> {
  const { what, pid } = starting;
  process.stderr.write(`\n${signal === 'SIGINT' ? 'Interrupted' : 'Terminated'}: stopping ${what} that was starting (pid ${pid}) ...\n`);
  const gone = await starting.stop();
  process.stderr.write(
    gone
      ? `opperator: stopped ${what} (pid ${pid}) that this command started; nothing it started is left running.\n`
      : `opperator: ${what} (pid ${pid}) is still running. Stop it with: kill ${pid}\n`,
  );
  process.exit(signalExitCode(signal));
}

/**
 * Sends SIGTERM to a child this process spawned (unless it already exited)
 * and waits for its exit; false when it is still running after `timeoutMs`.
 *
 * @example
 * ```ts
 * if (!(await stopChild(child, 10_000))) console.error(`still running: ${child.pid}`);
 * ```
 */
export function stopChild(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
    child.kill('SIGTERM');
  });
}
