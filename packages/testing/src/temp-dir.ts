import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory removed by `remove()` (or `await using`). */
export interface TempDir {
  path: string;
  remove(): Promise<void>;
}

/** Creates a fresh temporary directory under the OS temp dir. */
export async function makeTempDir(prefix = 'opperator-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  // Retried: a daemon still writing in the folder (its log, an agent's log) can add an entry between
  // the listing and the rmdir (ENOTEMPTY); rm retries that itself.
  return { path, remove: () => rm(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }) };
}
