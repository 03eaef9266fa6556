import type { StoredTokens } from './token-set.js';

/**
 * Where one sign-in's tokens live. {@link FileTokenStore} is the default; a
 * Redis or Postgres store implements the same three calls.
 *
 * Contract: `save` replaces the whole record atomically (a reader sees the old
 * record or the new one, never a mix); `load` returns `undefined` when nothing
 * is stored and throws an `OAuthError` when what is stored cannot be used.
 *
 * @example
 * ```ts
 * class MapTokenStore implements TokenStore {
 *   readonly description = 'memory';
 *   #value?: StoredTokens;
 *   async load() { return this.#value; }
 *   async save(tokens: StoredTokens) { this.#value = structuredClone(tokens); }
 *   async clear() { this.#value = undefined; }
 * }
 * ```
 */
export interface TokenStore {
  /** Where the tokens live, for messages ("/home/ana/.config/opperator/agents/mail/token.json"). */
  readonly description: string;
  /** The stored tokens, or `undefined` when nothing is stored. */
  load(): Promise<StoredTokens | undefined>;
  /** Replaces the stored tokens atomically. */
  save(tokens: StoredTokens): Promise<void>;
  /** Removes the stored tokens; no error when nothing is stored. */
  clear(): Promise<void>;
  /**
   * Runs `work` while holding a lock that every process sharing this store
   * respects, so only one of them refreshes at a time. Optional: without it,
   * refreshes are coordinated only inside one process.
   *
   * A store shared by hosts (Redis, Postgres) holds it as a lease that
   * expires, renewed while `work` runs, so a holder that dies frees it. Its
   * `save` inside `work` is fenced: once the lease is lost (the holder
   * stalled past it, the store restarted), `save` writes nothing and throws
   * `OAUTH_STORE_LEASE_LOST`, so a newer holder's tokens are never
   * overwritten. An unreachable store throws `OAUTH_STORE_UNAVAILABLE`.
   */
  withLock?<T>(work: () => Promise<T>, options?: StoreLockOptions): Promise<T>;
  /**
   * Runs `work` (a whole sign-in, minutes long) while holding a lock that
   * every process sharing this store respects, apart from the refresh lock
   * so refreshes go on meanwhile. A second sign-in waits (until its signal
   * aborts) and then adopts the first one's tokens. Optional: without it,
   * two sign-ins in different processes race and the last one's tokens win.
   */
  withSignInLock?<T>(work: () => Promise<T>, options?: StoreLockOptions): Promise<T>;
  /** Releases what the store holds open (a connection pool); the store is not used after. Optional. */
  close?(): Promise<void>;
}

/** Options of {@link TokenStore.withLock}. */
export interface StoreLockOptions {
  /** Gives up waiting for the lock. */
  signal?: AbortSignal;
  /** Called once when the lock is held by someone else and the caller starts waiting. */
  onWait?: () => void;
}

/**
 * A {@link TokenStore} in process memory, for tests and short-lived scripts.
 *
 * @example
 * ```ts
 * const client = new OAuthClient({ provider, clientId, store: new MemoryTokenStore() });
 * ```
 */
export class MemoryTokenStore implements TokenStore {
  readonly description = 'memory';
  #tokens: StoredTokens | undefined;

  async load(): Promise<StoredTokens | undefined> {
    return this.#tokens === undefined ? undefined : structuredClone(this.#tokens);
  }

  async save(tokens: StoredTokens): Promise<void> {
    this.#tokens = structuredClone(tokens);
  }

  async clear(): Promise<void> {
    this.#tokens = undefined;
  }

  toJSON(): Record<string, unknown> {
    return { description: this.description, stored: this.#tokens !== undefined };
  }
}
