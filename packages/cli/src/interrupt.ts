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

/** What {@link startInterruptibly} starts. */
export interface InterruptibleStart<T> {
  /** What it is, for the messages: `the daemon`, `the sandbox`. */
  what: string;
  /** Spawns it (detached). Called once SIGINT and SIGTERM are caught: none can fall between the spawn and the catching. */
  spawn(): ChildProcess;
  /** Waits until it answers; must return (or throw) soon after `interrupted` aborts. */
  wait(interrupted: AbortSignal): Promise<T>;
  /** How long its stop may take after SIGTERM. */
  stopTimeoutMs: number;
}

/**
 * Starts a process in the background and waits for it to answer, with
 * SIGINT and SIGTERM caught. Before it answered nothing can be using it, so
 * an interrupt stops it (SIGTERM to its pid, the one process this command
 * started) rather than leave a half-started one: it says so on stderr, and
 * ends the command with 130 (SIGINT) or 143 (SIGTERM). A second Ctrl-C while
 * stopping exits at once and names what may be left. Once `wait` returned
 * without an interrupt, the process is the caller's to keep, and signals
 * have their default effect again.
 *
 * @example
 * ```ts
 * const { child, result: port } = await startInterruptibly({
 *   what: 'the server',
 *   spawn: () => spawn(process.execPath, ['server.js'], { detached: true }),
 *   wait: (interrupted) => waitForPort(interrupted),
 *   stopTimeoutMs: 5_000,
 * });
 * ```
 */
export async function startInterruptibly<T>(start: InterruptibleStart<T>): Promise<{ child: ChildProcess; result: T }> {
  const interrupt = new AbortController();
  let child: ChildProcess | undefined;
  let received: StopSignal | undefined;
  let receivedAt = 0;
  const onSignal = (signal: StopSignal) => {
    if (received) {
      if (Date.now() - receivedAt < SIGNAL_ECHO_MS) return;
      process.stderr.write(`opperator: interrupted again; ${start.what} (pid ${child?.pid}) may still be running. Stop it with: kill ${child?.pid}\n`);
      process.exit(signalExitCode(signal));
    }
    received = signal;
    receivedAt = Date.now();
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    child = start.spawn();
    let result: T | undefined;
    try {
      result = await start.wait(interrupt.signal);
    } catch (err) {
      if (!received) throw err;
    }
    if (!received) return { child, result: result as T };
    // Exits: the command was interrupted, whatever it would have done next must not run.
    return await stopAndExit(start, child, received);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function stopAndExit(start: InterruptibleStart<unknown>, child: ChildProcess, signal: StopSignal): Promise<never> {
  const { what } = start;
  const { pid } = child;
  process.stderr.write(`\n${signal === 'SIGINT' ? 'Interrupted' : 'Terminated'}: stopping ${what} that was starting (pid ${pid}) ...\n`);
  const gone = await stopChild(child, start.stopTimeoutMs);
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
function stopChild(child: ChildProcess, timeoutMs: number): Promise<boolean> {
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
