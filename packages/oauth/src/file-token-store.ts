import { chmod, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { OAuthError } from './errors.js';
import { describeIoError, prepareTokenFileWrite, readTokenFileText } from './token-file-guard.js';
import type { StoredTokens } from './token-set.js';
import { TOKEN_RECORD_VERSION, decodeTokenRecord, encodeTokenRecord } from './token-record.js';
import type { StoreLockOptions, TokenStore } from './token-store.js';
import { DEFAULT_LOCK_STALE_MS, SIGN_IN_LOCK, withFileLock } from './file-lock.js';

/**
 * Temp files of an interrupted save (the writer was killed between write and
 * rename) older than this are removed by the next save. Younger ones may
 * belong to a save in progress in another process.
 */
export const STALE_TEMP_FILE_MS = 60_000;

/** Schema version written by this release (the token record's; see token-record.ts). */
export const TOKEN_FILE_VERSION = TOKEN_RECORD_VERSION;

/** Options of {@link FileTokenStore}. */
export interface FileTokenStoreOptions {
  /**
   * After how long a lock left by a killed process is taken over (default
   * {@link DEFAULT_LOCK_STALE_MS}, minimum 5000). Every process sharing the
   * file must use the same value.
   */
  lockStaleMs?: number;
}

/**
 * write-file-atomic's documented way to skip its chown (README: "you can also
 * pass false"); its type definitions lag behind. By default it copies the
 * owner and group of the file it replaces onto the new one.
 */
const NO_CHOWN = { chown: false } as unknown as Pick<writeFileAtomic.Options, 'chown'>;

/**
 * Keeps tokens in a JSON file (by default an agent's `token.json`): mode 0600
 * in a directory created 0700, written atomically (temp file, fsync, rename),
 * so a crash leaves the old file or the new one, never half of one.
 *
 * Whoever can write the directory must not be able to redirect the tokens:
 * a symlink at the token path is never followed, on load or save
 * (`OAUTH_TOKEN_FILE_SYMLINK`); a file another user owns is neither read nor
 * replaced (`OAUTH_TOKEN_FILE_FOREIGN_OWNER`); the new file is always ours,
 * never given the old file's owner or group. Before a save, a directory of
 * ours that group or others can write is repaired (`chmod go-w`), and a
 * shared (sticky) directory or another user's is refused
 * (`OAUTH_TOKEN_FILE_UNSAFE_DIRECTORY`); with the directory private, nothing
 * can be planted between that check and the rename (parents are not
 * checked). Ownership checks and the symlink check on load (`O_NOFOLLOW`)
 * need POSIX: they do not apply on Windows.
 *
 * A file that cannot be parsed, or that a newer release wrote, is moved aside
 * to `<file>.corrupt-<time>` (never overwritten silently) and `load` throws an
 * error naming both paths and the fix.
 *
 * @example
 * ```ts
 * const store = new FileTokenStore(join(agentDir, 'token.json'));
 * const client = new OAuthClient({ provider: providers.github, clientId, clientSecret, store });
 * ```
 */
export class FileTokenStore implements TokenStore {
  /** Absolute path of the token file. */
  readonly path: string;
  readonly #lockStaleMs: number;

  constructor(path: string, options: FileTokenStoreOptions = {}) {
    this.path = resolve(path);
    this.#lockStaleMs = options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS;
  }

  /** Runs `work` under a lock shared by every process using this file (`<file>.lock`). */
  withLock<T>(work: () => Promise<T>, options?: StoreLockOptions): Promise<T> {
    return withFileLock(this.path, this.#lockStaleMs, work, options);
  }

  withSignInLock<T>(work: () => Promise<T>, options?: StoreLockOptions): Promise<T> {
    return withFileLock(this.path, this.#lockStaleMs, work, options, SIGN_IN_LOCK);
  }

  get description(): string {
    return this.path;
  }

  async load(): Promise<StoredTokens | undefined> {
    const text = await readTokenFileText(this.path);
    if (text === undefined) return undefined;

    const decoded = decodeTokenRecord(text);
    if (decoded.ok) return decoded.tokens;
    const code = decoded.problem === 'unsupported-version' ? 'OAUTH_TOKEN_FILE_UNSUPPORTED_VERSION' : 'OAUTH_TOKEN_FILE_CORRUPT';
    throw await this.#moveAside(code, decoded.detail, decoded.cause);
  }

  async save(tokens: StoredTokens): Promise<void> {
    const directory = dirname(this.path);
    try {
      const created = await mkdir(directory, { recursive: true, mode: 0o700 });
      // mkdir's mode is filtered by the umask; make the directory we created private for sure.
      if (created !== undefined) await chmod(directory, 0o700);
      await prepareTokenFileWrite(this.path, directory);
      await writeFileAtomic(this.path, `${encodeTokenRecord(tokens, { pretty: true })}\n`, { mode: 0o600, fsync: true, ...NO_CHOWN });
    } catch (err) {
      if (err instanceof OAuthError) throw err;
      throw new OAuthError('OAUTH_TOKEN_FILE_IO', `Cannot write token file ${this.path}: ${describeIoError(err)}.`, { cause: err });
    }
    await this.#removeStaleTempFiles();
  }

  /** Leftovers hold tokens (mode 0600, but still): do not let them pile up. */
  async #removeStaleTempFiles(): Promise<void> {
    const directory = dirname(this.path);
    const prefix = `${basename(this.path)}.`;
    const cutoff = Date.now() - STALE_TEMP_FILE_MS;
    try {
      // write-file-atomic names its temp files "<file>.<decimal hash>".
      const leftovers = (await readdir(directory)).filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)));
      for (const name of leftovers) {
        const path = join(directory, name);
        if ((await stat(path)).mtimeMs < cutoff) await rm(path, { force: true });
      }
    } catch {
      // Best effort: the save itself succeeded. A temp file that vanished
      // meanwhile was another writer's rename; anything else is retried by
      // the next save.
    }
  }

  async clear(): Promise<void> {
    try {
      await rm(this.path, { force: true });
    } catch (err) {
      throw new OAuthError('OAUTH_TOKEN_FILE_IO', `Cannot delete token file ${this.path}: ${describeIoError(err)}.`, { cause: err });
    }
  }

  toJSON(): Record<string, unknown> {
    return { path: this.path };
  }

  async #moveAside(code: 'OAUTH_TOKEN_FILE_CORRUPT' | 'OAUTH_TOKEN_FILE_UNSUPPORTED_VERSION', problem: string, cause?: unknown): Promise<OAuthError> {
    const aside = `${this.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(this.path, aside);
    } catch (err) {
      return new OAuthError(code, `Token file ${this.path} ${problem}, and it could not be moved aside (${describeIoError(err)}). Move or delete it, then sign in again.`, { cause: err });
    }
    return new OAuthError(code, `Token file ${this.path} ${problem}. It was moved to ${aside}; sign in again to create a new one.`, cause === undefined ? {} : { cause });
  }
}

/** File permission bits of a path, e.g. `0o600`; for checks and doctor output. */
export async function readPermissionBits(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}
