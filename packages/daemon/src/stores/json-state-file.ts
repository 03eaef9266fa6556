import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/** Options of {@link JsonStateFile}. */
export interface JsonStateFileOptions {
  /**
   * The least time from one write's start to the next one's (default 0:
   * back to back). Values arriving in between only replace the pending one.
   */
  minIntervalMs?: number;
}

/**
 * One JSON document the daemon keeps across restarts. Writes are atomic and
 * serialized (the daemon is the only writer: it holds the instance lock), so
 * a crash leaves the previous or the new state.
 */
export class JsonStateFile<T> {
  readonly path: string;
  readonly #minIntervalMs: number;
  #writing: Promise<void> = Promise.resolve();
  /** The value waiting for the write in flight to finish; later writes replace it. */
  #pending: { value: T; done: Promise<void> } | undefined;
  #lastWriteAt = -Infinity;
  /** Ends the wait before the pending write (see {@link flush}). */
  #wake: (() => void) | undefined;
  #flushing = false;

  constructor(path: string, options: JsonStateFileOptions = {}) {
    this.path = path;
    this.#minIntervalMs = options.minIntervalMs ?? 0;
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
   * While a write is in flight (or waiting for its interval), further values
   * only replace the pending one: an agent updating a section 1,000 times a
   * second costs one write at a time, never a growing queue of stale
   * documents.
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
      await this.#spacing();
      this.#pending = undefined;
      this.#lastWriteAt = performance.now();
      try {
        await this.#writeNow(pending.value);
        settle.resolve();
      } catch (err) {
        settle.reject(err);
      }
    });
    return done;
  }

  /** Writes the pending value now, without waiting for the interval; resolves when everything queued is on disk. */
  async flush(): Promise<void> {
    this.#flushing = true;
    this.#wake?.();
    try {
      await this.#writing;
    } finally {
      this.#flushing = false;
    }
  }

  /** Waits out the rest of the interval since the last write's start (none while flushing). */
  async #spacing(): Promise<void> {
    const wait = this.#lastWriteAt + this.#minIntervalMs - performance.now();
    if (wait <= 0 || this.#flushing) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
  }

  async #writeNow(value: T): Promise<void> {
    const text = `${JSON.stringify(value, null, 2)}\n`;
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.path, text, { mode: 0o600 });
  }
}
