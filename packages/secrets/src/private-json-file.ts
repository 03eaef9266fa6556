import { chmod, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SecretStoreError } from './errors.js';

/**
 * A small JSON document in a private file: mode 0600 in a 0700 directory,
 * written atomically, changed under a cross-process lock so two commands
 * running at once never lose each other's update.
 */
export class PrivateJsonFile<T> {
  readonly path: string;
  readonly #empty: () => T;
  readonly #parse: (json: unknown) => T;

  constructor(path: string, empty: () => T, parse: (json: unknown) => T) {
    this.path = path;
    this.#empty = empty;
    this.#parse = parse;
  }

  /** The document, or the empty one when the file does not exist. */
  async read(): Promise<T> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.#empty();
      throw new SecretStoreError('SECRET_STORE_IO', `Cannot read ${this.path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`, { cause: err });
    }
    try {
      return this.#parse(JSON.parse(text));
    } catch (cause) {
      throw new SecretStoreError('SECRET_STORE_IO', `${this.path} is damaged (not the JSON opperator writes). Move it aside and set the secrets again.`, { cause });
    }
  }

  /** Whether the file exists yet. */
  async exists(): Promise<boolean> {
    return readFile(this.path).then(
      () => true,
      () => false,
    );
  }

  /** Reads, changes and writes the document under the lock; returns what `change` returned. */
  async update<R>(change: (document: T) => R | Promise<R>): Promise<R> {
    await ensurePrivateDirectory(dirname(this.path));
    // Loaded here, not at the top: `secret list` only reads, and starts faster without them.
    const [{ default: lockfile }, { default: writeFileAtomic }] = await Promise.all([import('proper-lockfile'), import('write-file-atomic')]);
    let release: (() => Promise<void>) | undefined;
    try {
      release = await lockfile.lock(this.path, { realpath: false, stale: 10_000, retries: { retries: 40, minTimeout: 25, maxTimeout: 250 } });
      const document = await this.read();
      const result = await change(document);
      await writeFileAtomic(this.path, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600, fsync: true });
      return result;
    } catch (err) {
      if (err instanceof SecretStoreError) throw err;
      throw new SecretStoreError('SECRET_STORE_IO', `Cannot update ${this.path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`, { cause: err });
    } finally {
      await release?.();
    }
  }
}

/** Creates `path` (and parents) as 0700 when missing. */
export async function ensurePrivateDirectory(path: string): Promise<void> {
  const created = await mkdir(path, { recursive: true, mode: 0o700 });
  if (created !== undefined) await chmod(path, 0o700);
}
