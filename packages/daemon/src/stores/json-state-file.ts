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
  /** The value waiting for the write in flight to finish; later writes replace it. */
  #pending: { value: T; done: Promise<void> } | undefined;

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

  /**
   * Queues a write of `value`; resolves when it (or a later value) is on disk.
   * While a write is in flight, further values only replace the pending one:
   * an agent updating a section 1,000 times a second costs one write at a
   * time, never a growing queue of stale documents.
   */
  write(value: T): Promise<void> {
    if (this.#pending) {
      this.#pending.value = value;
      return this.#pending.done;
    }
    let settle!: { resolve: () => void; reject: (err: unknown) => void };
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    const pending = { value, done };
    this.#pending = pending;
    // Starts after the write in flight whatever its outcome; a failure is
    // reported to the callers of that write, not to every later one.
    this.#writing = this.#writing.then(async () => {
      this.#pending = undefined;
      try {
        await this.#writeNow(pending.value);
        settle.resolve();
      } catch (err) {
        settle.reject(err);
      }
    });
    return done;
  }

  async #writeNow(value: T): Promise<void> {
    const text = `${JSON.stringify(value, null, 2)}\n`;
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.path, text, { mode: 0o600 });
  }
}
