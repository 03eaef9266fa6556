import { renameSync, statSync } from 'node:fs';
import { shiftRotatedCopies } from '@opperator/protocol/rotated-copies';

/** A background process's log (daemon.log, sandbox.log) is rotated at its start once it is larger than this. */
export const BACKGROUND_LOG_ROTATE_BYTES = 5 * 1024 * 1024;
/** Rotated copies kept: `<log>.1` (the newest) to `<log>.3`. */
export const BACKGROUND_LOG_KEPT_FILES = 3;

/**
 * Before a background process is started with its output appended to
 * `path`: when that file is larger than `maxBytes`, it becomes `path.1`
 * (older copies move up one, the oldest beyond `keep` is deleted), so the
 * new process starts a fresh file. Nothing writes to the file at this point,
 * so a rename loses nothing; the running daemon keeps its log bounded itself
 * (the daemon's `daemon-log.ts`, with the same sizes).
 *
 * @example
 * ```ts
 * rotateLogAtStart(logPath); // 'rotated' or 'small'
 * ```
 */
export function rotateLogAtStart(path: string, options: { maxBytes?: number; keep?: number } = {}): 'rotated' | 'small' {
  const { maxBytes = BACKGROUND_LOG_ROTATE_BYTES, keep = BACKGROUND_LOG_KEPT_FILES } = options;
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    if (isMissing(err)) return 'small'; // the first start: no log yet
    throw err;
  }
  if (size <= maxBytes) return 'small';
  shiftRotatedCopies(path, keep);
  renameSync(path, `${path}.1`);
  return 'rotated';
}

function isMissing(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === 'ENOENT';
}
