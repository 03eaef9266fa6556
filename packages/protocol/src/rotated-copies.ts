import { renameSync, rmSync } from 'node:fs';

/**
 * Makes room for a new `<path>.1`: deletes `<path>.<keep>` and moves every
 * older copy up one (`.1` → `.2`, …). Missing copies are fine (fewer than
 * `keep` so far). Shared by the CLI, which rotates a background process's
 * log before starting it, and the daemon, which rotates its own while it runs.
 *
 * @example
 * ```ts
 * shiftRotatedCopies(logPath, 3);
 * renameSync(logPath, `${logPath}.1`);
 * ```
 */
export function shiftRotatedCopies(path: string, keep: number): void {
  rmSync(`${path}.${keep}`, { force: true });
  for (let index = keep - 1; index >= 1; index -= 1) {
    try {
      renameSync(`${path}.${index}`, `${path}.${index + 1}`);
    } catch (err) {
      if (!(err instanceof Error && 'code' in err && err.code === 'ENOENT')) throw err;
    }
  }
}
