import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/**
 * One JSON document the daemon keeps across restarts. Writes are atomic and
 * serialized (the daemon is the only writer: it holds the instance lock), so
 * a crash leaves the previous or the new state.
 */
export class JsonStateFile<T> {
  readonly path: string;
  #writing: Promise<void> = Promise.resolve();

  constructor(path: string) {
    this.path = path;
  }

  /** The stored document, or `fallback` when there is none or it cannot be parsed. */
  async read(fallback: T): Promise<T> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
      if (err instanceof SyntaxError) return fallback;
      throw err;
    }
  }

  /** Queues a write of `value`; resolves when it (and every earlier write) is on disk. */
  write(value: T): Promise<void> {
    const text = `${JSON.stringify(value, null, 2)}\n`;
    const writeNow = async () => {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      await writeFileAtomic(this.path, text, { mode: 0o600 });
    };
    // Runs after the previous write whatever its outcome; a failure is
    // reported to the caller of that write, not to every later one.
    const next = this.#writing.then(writeNow, writeNow);
    this.#writing = next.catch(() => undefined);
    return next;
  }
}
