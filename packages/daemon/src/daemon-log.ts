import { copyFileSync, fstatSync, ftruncateSync, statSync } from 'node:fs';
import { shiftRotatedCopies } from '@opperator/protocol/rotated-copies';

/** The daemon's own log is rotated once it grows past this (an agent's log: `LOG_ROTATE_BYTES`, the same). */
export const DAEMON_LOG_ROTATE_BYTES = 5 * 1024 * 1024;
/** Rotated copies kept: `daemon.log.1` (the newest) to `daemon.log.3`. */
export const DAEMON_LOG_KEPT_FILES = 3;
/** How often the running daemon looks at its log's size: one `stat`, so the log exceeds the limit by at most this long's output. */
export const DAEMON_LOG_CHECK_MS = 5_000;

/** Options of {@link rotateOwnLog} and {@link keepOwnLogBounded}. */
export interface OwnLogOptions {
  /** Default {@link DAEMON_LOG_ROTATE_BYTES}. */
  maxBytes?: number;
  /** Default {@link DAEMON_LOG_KEPT_FILES}. */
  keep?: number;
  /** The descriptor writing to the log; default 2 (stderr, where the daemon says what it does). */
  fd?: number;
}

/**
 * Rotates the log this process writes to through an inherited descriptor
 * (its stdout and stderr, opened by `opperator daemon start` in append mode)
 * when it is larger than `maxBytes`: shifts `path.1`… up by one, copies
 * `path` to `path.1`, then truncates it through that same descriptor.
 *
 * Why copy-and-truncate rather than rename-and-reopen: the descriptor is
 * the process's fd 1 and 2, which Node cannot reopen (no `dup2`), and it
 * must stay the file: what Node itself prints there (an uncaught error, a
 * fatal out-of-memory) would be lost by a log the daemon opened on its own.
 * The usual flaw of copy-truncate, lines written between the copy and the
 * truncation, does not arise here: Node writes stdout and stderr to a file
 * synchronously, and this runs synchronously, so no line of the daemon's
 * can fall in between. In append mode every write goes to the current end,
 * so the truncated file has no hole. Nothing happens when `path` is not the
 * file `fd` writes to (moved away, or output not redirected there).
 *
 * @example
 * ```ts
 * rotateOwnLog('/home/me/.local/state/opperator/daemon.log'); // 'rotated' | 'small' | 'not-ours'
 * ```
 */
export function rotateOwnLog(path: string, options: OwnLogOptions = {}): 'rotated' | 'small' | 'not-ours' {
  const { maxBytes = DAEMON_LOG_ROTATE_BYTES, keep = DAEMON_LOG_KEPT_FILES, fd = 2 } = options;
  let file;
  let written;
  try {
    file = statSync(path);
    written = fstatSync(fd);
  } catch (err) {
    if (isMissing(err)) return 'not-ours';
    throw err;
  }
  if (file.dev !== written.dev || file.ino !== written.ino) return 'not-ours';
  if (file.size <= maxBytes) return 'small';
  shiftRotatedCopies(path, keep);
  copyFileSync(path, `${path}.1`);
  ftruncateSync(fd, 0);
  return 'rotated';
}

/**
 * Rotates the daemon's log now if it is too large, then checks every
 * {@link DAEMON_LOG_CHECK_MS}, for a daemon that runs for months. The timer
 * does not keep the process alive. A failed rotation (a full disk) is said
 * once in the log and tried again at the next check. Returns a function that
 * stops the checks.
 *
 * @example
 * ```ts
 * const stopChecking = keepOwnLogBounded(logFile);
 * ```
 */
export function keepOwnLogBounded(path: string, options: OwnLogOptions & { checkMs?: number; report?: (message: string) => void } = {}): () => void {
  const report = options.report ?? ((message: string) => process.stderr.write(`opperator daemon: ${message}\n`));
  let reported = '';
  const check = () => {
    try {
      if (rotateOwnLog(path, options) === 'rotated') report(`rotated this log (over ${options.maxBytes ?? DAEMON_LOG_ROTATE_BYTES} bytes); the previous lines are in ${path}.1`);
      reported = '';
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      if (why !== reported) report(`could not rotate ${path} (${why}); trying again in ${(options.checkMs ?? DAEMON_LOG_CHECK_MS) / 1000} s`);
      reported = why;
    }
  };
  check();
  const timer = setInterval(check, options.checkMs ?? DAEMON_LOG_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The log file named by `--log-file <path>` among the daemon's arguments
 * (`opperator daemon start` passes the file its output goes to); undefined
 * in the foreground, where the output is a terminal or the service manager's.
 *
 * @example
 * ```ts
 * logFileArgument(['--log-file', '/tmp/daemon.log']); // '/tmp/daemon.log'
 * ```
 */
export function logFileArgument(args: readonly string[]): string | undefined {
  const index = args.indexOf('--log-file');
  const path = index >= 0 ? args[index + 1] : undefined;
  return path && !path.startsWith('--') ? path : undefined;
}

function isMissing(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === 'ENOENT';
}
