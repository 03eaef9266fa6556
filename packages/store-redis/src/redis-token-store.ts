import { AsyncLocalStorage } from 'node:async_hooks';
import { LOCK_WAIT_TIMEOUT_MS, OAuthError, decodeTokenRecord, encodeTokenRecord, isOAuthError, type StoreLockOptions, type StoredTokens, type TokenStore } from '@opperator/oauth';
import type { Redis, RedisOptions } from 'ioredis';
import { DELETE_IF_HOLDER, MOVE_ASIDE_IF_NOT_STRING, MOVE_ASIDE_IF_UNCHANGED, SET_IF_HOLDER } from './lua-scripts.js';
import { RedisConnection } from './redis-connection.js';
import { holdLease, pause, type Lease, type LeaseSettings } from './redis-lease.js';

/** The refresh lock's lease unless told otherwise: renewed every 5 s while a refresh runs; a dead holder's frees within 15 s. */
export const DEFAULT_LEASE_MS = 15_000;
/** The sign-in lock's lease unless told otherwise: renewed every 10 s while the user signs in. */
export const DEFAULT_SIGN_IN_LEASE_MS = 30_000;
/** Pause between attempts to take the refresh lock (jittered up to twice this); the sign-in lock polls at 250 ms. */
export const DEFAULT_POLL_MS = 50;
/** Shorter leases would be renewed more often than a busy Redis or event loop can promise. */
export const MIN_LEASE_MS = 1_000;

const SIGN_IN_POLL_MS = 250;
/** Unreadable records re-read before giving up when someone keeps replacing them meanwhile. */
const MAX_LOAD_ATTEMPTS = 3;
const WRONG_TYPE = Symbol('wrong type');

/** Settings of a {@link RedisTokenStore} besides where Redis is. */
export interface RedisTokenStoreSettings {
  /** The record's key: every process and host sharing one grant uses the same. Lease keys sit next to it (`<key>:lock`, `<key>:sign-in-lock`). */
  key: string;
  /** The refresh lock's lease (default {@link DEFAULT_LEASE_MS}, minimum {@link MIN_LEASE_MS}). */
  leaseMs?: number;
  /** The sign-in lock's lease (default {@link DEFAULT_SIGN_IN_LEASE_MS}). */
  signInLeaseMs?: number;
  /** Pause between attempts to take a held refresh lock (default {@link DEFAULT_POLL_MS}). */
  pollMs?: number;
}

/**
 * Options of {@link RedisTokenStore}: a URL (`redis://[[user]:password@]host[:port][/db]`,
 * `rediss://` for TLS), or an ioredis client the caller built and keeps
 * (closing it, handling its reconnection settings).
 */
export type RedisTokenStoreOptions = RedisTokenStoreSettings &
  (
    | {
        url: string | URL;
        client?: never;
        /** Extra ioredis options (credentials, TLS certificates); they win over the store's fail-fast defaults. */
        redis?: RedisOptions;
        /** How long connecting or one command may take before `OAUTH_STORE_UNAVAILABLE` (default 2 s). */
        timeoutMs?: number;
      }
    | { client: Redis; url?: never }
  );

/**
 * Keeps one sign-in's tokens in Redis, shared by every process and host
 * that uses the same key, with one refresh per expiry among them.
 *
 * The record is the token record's text (the token file's format) at
 * `<key>`. `withLock` holds a lease at `<key>:lock` (`SET NX PX`, renewed
 * while the refresh runs, given back by compare-and-delete), so a holder
 * that dies frees it within one lease.
 *
 * Fencing. A holder can stall past its lease (a paused VM, a long GC) and
 * wake up believing it still holds it. Every write made inside `withLock`
 * is therefore one Lua script that writes only if `<key>:lock` still holds
 * this holding's random id, else writes nothing and throws
 * `OAUTH_STORE_LEASE_LOST`. Because the lock and the record live in the
 * same Redis and the check runs atomically with the write, that
 * compare-on-write is itself the fence: a delayed write arriving after
 * another holder took the lock finds their id and is refused. The
 * monotonically increasing fencing token of Kleppmann's "How to do
 * distributed locking" is what a storage that cannot see the lock needs;
 * here a counter would add a key and a round trip and refuse nothing more.
 * (It does not make a Redis failover to a replica that missed the lock
 * safe; neither would a counter kept in that Redis.)
 *
 * Outages. Commands fail fast with `OAUTH_STORE_UNAVAILABLE` while Redis is
 * unreachable (the OAuth client keeps serving valid tokens from memory);
 * the connection comes back by itself within about a second of Redis. A
 * write inside `withLock` rides out an outage shorter than the lease it
 * holds (a Redis restart with its append-only file keeps the lease), so a
 * rotated refresh token is not lost to a blip.
 *
 * @example
 * ```ts
 * const store = new RedisTokenStore({ url: 'redis://:secret@cache.internal:6379/0', key: 'mail/gmail' });
 * const client = new OAuthClient({ provider: providers.google, clientId, store });
 * // ...
 * await store.close();
 * ```
 */
export class RedisTokenStore implements TokenStore {
  /** `redis://host:port/db key <key>`: never the credentials. */
  readonly description: string;
  /** The record's Redis key. */
  readonly key: string;
  readonly #connection: RedisConnection;
  readonly #refreshLease: LeaseSettings;
  readonly #signInLease: LeaseSettings;
  /** The refresh lease held by the work running in this async context, so only its writes are fenced. */
  readonly #holding = new AsyncLocalStorage<Lease>();

  constructor(options: RedisTokenStoreOptions) {
    if (typeof options.key !== 'string' || options.key === '') throw new OAuthError('OAUTH_INVALID_ARGUMENT', 'A Redis token store needs a key naming the record every process shares.');
    const leaseMs = checkLease(options.leaseMs ?? DEFAULT_LEASE_MS, 'leaseMs');
    const signInLeaseMs = checkLease(options.signInLeaseMs ?? DEFAULT_SIGN_IN_LEASE_MS, 'signInLeaseMs');
    const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    if (!(pollMs > 0)) throw new OAuthError('OAUTH_INVALID_ARGUMENT', `pollMs must be a positive number of milliseconds, not ${pollMs}.`);
    this.key = options.key;
    if (options.client !== undefined) this.#connection = new RedisConnection({ client: options.client });
    else if (options.url !== undefined) this.#connection = new RedisConnection({ url: options.url, ...(options.redis ? { redis: options.redis } : {}), ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
    else throw new OAuthError('OAUTH_INVALID_ARGUMENT', 'A Redis token store needs a url (redis://host:6379/0) or an ioredis client.');
    this.description = `${this.#connection.location} key ${this.key}`;
    this.#refreshLease = { lockKey: `${this.key}:lock`, label: 'refresh lock', leaseMs, pollMs, waitTimeoutMs: LOCK_WAIT_TIMEOUT_MS };
    this.#signInLease = { lockKey: `${this.key}:sign-in-lock`, label: 'sign-in lock', leaseMs: signInLeaseMs, pollMs: SIGN_IN_POLL_MS, waitTimeoutMs: Number.POSITIVE_INFINITY };
  }

  /** The record at `<key>`; an unreadable one is moved aside (`OAUTH_STORE_CORRUPT`), a newer release's left (`OAUTH_STORE_UNSUPPORTED_VERSION`). */
  async load(): Promise<StoredTokens | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      const text = await this.#connection.run(`read the record ${this.key}`, (client) => client.get(this.key).catch((err: unknown) => (isWrongType(err) ? WRONG_TYPE : Promise.reject(err))));
      if (text === null) return undefined;
      if (text === WRONG_TYPE) {
        const aside = this.#asideKey();
        const moved = await this.#connection.run(`move the record ${this.key} aside`, (client) => client.eval(MOVE_ASIDE_IF_NOT_STRING, 2, this.key, aside));
        if (moved === 1) throw this.#corrupt(aside, 'is not a string value');
        continue;
      }
      const decoded = decodeTokenRecord(text);
      if (decoded.ok) return decoded.tokens;
      if (decoded.problem === 'unsupported-version') {
        throw new OAuthError('OAUTH_STORE_UNSUPPORTED_VERSION', `The record ${this.key} in ${this.#connection.location} ${decoded.detail}. It was left as it is: upgrade this program, or give it another key.`);
      }
      const aside = this.#asideKey();
      const moved = await this.#connection.run(`move the record ${this.key} aside`, (client) => client.eval(MOVE_ASIDE_IF_UNCHANGED, 2, this.key, aside, text));
      if (moved === 1) throw this.#corrupt(aside, decoded.detail);
      // Another process replaced it meanwhile: read what it wrote.
      if (attempt >= MAX_LOAD_ATTEMPTS) throw new OAuthError('OAUTH_STORE_CORRUPT', `The record ${this.key} in ${this.#connection.location} ${decoded.detail}, and it kept changing while being moved aside.`);
    }
  }

  /** Replaces the record (one SET: atomic); inside `withLock`, only while the lease holds. */
  async save(tokens: StoredTokens): Promise<void> {
    const text = encodeTokenRecord(tokens);
    const lease = this.#holding.getStore();
    if (lease === undefined) {
      await this.#connection.run(`write the record ${this.key}`, (client) => client.set(this.key, text));
      return;
    }
    await this.#fenced(lease, 'write', (client) => client.eval(SET_IF_HOLDER, 2, this.#refreshLease.lockKey, this.key, lease.holder, text));
  }

  /** Deletes the record; inside `withLock`, only while the lease holds. */
  async clear(): Promise<void> {
    const lease = this.#holding.getStore();
    if (lease === undefined) {
      await this.#connection.run(`delete the record ${this.key}`, (client) => client.del(this.key));
      return;
    }
    await this.#fenced(lease, 'delete', (client) => client.eval(DELETE_IF_HOLDER, 2, this.#refreshLease.lockKey, this.key, lease.holder));
  }

  /** Runs `work` holding the refresh lease at `<key>:lock`; its saves and clears are fenced (see the class comment). */
  withLock<T>(work: () => Promise<T>, options?: StoreLockOptions): Promise<T> {
    return holdLease(this.#connection, this.#refreshLease, (lease) => this.#holding.run(lease, work), options);
  }

  /** Runs `work` (a sign-in) holding the lease at `<key>:sign-in-lock`, apart from the refresh lock; waits until `signal` aborts. */
  withSignInLock<T>(work: () => Promise<T>, options?: StoreLockOptions): Promise<T> {
    // A sign-in's saves are not fenced: its lease only keeps two sign-ins
    // from running at once, and a refresh may go on meanwhile.
    return holdLease(this.#connection, this.#signInLease, () => this.#holding.exit(work), options);
  }

  /** Closes the connection the store opened (a client passed in stays open: it is the caller's). */
  close(): Promise<void> {
    return this.#connection.close();
  }

  toJSON(): Record<string, unknown> {
    return { description: this.description };
  }

  /**
   * A write that lands only while `lease` holds. Redis unreachable: tried
   * again until the lease would have run out by our clock (a restart with
   * persistence keeps the lease); after that, `OAUTH_STORE_UNAVAILABLE`.
   */
  async #fenced(lease: Lease, verb: 'write' | 'delete', script: (client: Redis) => Promise<unknown>): Promise<void> {
    const what = `${verb} the record ${this.key}`;
    for (;;) {
      if (lease.lost) throw this.#leaseLost(verb);
      let written: unknown;
      try {
        written = await this.#connection.run(what, script);
      } catch (err) {
        const retryAt = Date.now() + this.#refreshLease.pollMs * 2;
        if (!isOAuthError(err, 'OAUTH_STORE_UNAVAILABLE') || retryAt >= lease.validUntil) throw err;
        await pause(this.#refreshLease.pollMs * (1 + Math.random()), undefined, this.#refreshLease);
        continue;
      }
      if (written === 1) return;
      lease.markLost();
    }
  }

  #leaseLost(verb: 'write' | 'delete'): OAuthError {
    return new OAuthError(
      'OAUTH_STORE_LEASE_LOST',
      `Did not ${verb} the record ${this.key} in ${this.#connection.location}: this process's lease on ${this.#refreshLease.lockKey} ran out (it stalled for over ${this.#refreshLease.leaseMs / 1000} s, or Redis lost the lease), so another process may have written since.`,
    );
  }

  #asideKey(): string {
    return `${this.key}:corrupt:${new Date().toISOString()}`;
  }

  /** No cause: the parser's error quotes the record's text, which may hold tokens. The detail names fields only. */
  #corrupt(aside: string, detail: string): OAuthError {
    return new OAuthError('OAUTH_STORE_CORRUPT', `The record ${this.key} in ${this.#connection.location} ${detail}. It was moved to ${aside}; sign in again to create a new one.`);
  }
}

function checkLease(ms: number, name: string): number {
  if (!(ms >= MIN_LEASE_MS) || !Number.isFinite(ms)) throw new OAuthError('OAUTH_INVALID_ARGUMENT', `${name} must be at least ${MIN_LEASE_MS} ms, not ${ms}.`);
  return ms;
}

/** Redis's error code for a command on a key of another type (a hash where a string was expected). */
function isWrongType(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('WRONGTYPE');
}
