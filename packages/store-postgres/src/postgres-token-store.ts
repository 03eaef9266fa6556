import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import { OAuthError, decodeTokenRecord, isOAuthError, encodeTokenRecord, type StoreLockOptions, type StoredTokens, type TokenStore } from '@opperator/oauth';
import type pg from 'pg';
import { absorbIdleErrors, createPool, locateServer, translateQueryError, type ServerLocation } from './connection.js';
import { withLease, type HeldLease, type LeaseContext, type LeaseKind } from './lease.js';
import { DEFAULT_SCHEMA, ensureSchema, storeTables, type StoreTables } from './schema.js';
import { DEFAULT_LEASE_MS, DEFAULT_POLL_MS, DEFAULT_SIGN_IN_LEASE_MS, LEASED_SAVE_RETRY_MS, MIN_LEASE_MS, REFRESH_WAIT_TIMEOUT_MS, SIGN_IN_POLL_MS } from './timeouts.js';

/** How the store reaches its server: a URL (the store makes and ends its pool) or a pool of yours. */
export type PostgresConnection =
  /**
   * `postgres://user:password@host:port/database` (or `postgresql://`). What
   * it leaves out, pg takes from PGHOST, PGPORT, PGUSER, PGPASSWORD,
   * PGDATABASE and friends, as libpq does.
   */
  | { connectionString: string; pool?: undefined }
  /** A pool you made and end yourself; give it connect and statement timeouts, or an outage makes calls hang. */
  | { pool: pg.Pool; connectionString?: undefined };

/** Options of {@link PostgresTokenStore}. */
export type PostgresTokenStoreOptions = PostgresConnection & {
  /** Which sign-in this store holds: one row per key (an agent's name and provider, say). */
  key: string;
  /**
   * Length of the refresh lease, in ms (default {@link DEFAULT_LEASE_MS},
   * minimum 300): a holder that dies frees the lock within it. Every process
   * sharing the key should use the same value.
   */
  leaseMs?: number;
  /** Length of the sign-in lease, in ms (default {@link DEFAULT_SIGN_IN_LEASE_MS}), renewed while the user signs in. */
  signInLeaseMs?: number;
  /** Pause between attempts while another process holds the refresh lease, in ms (default 50, jittered up to twice). */
  pollMs?: number;
  /** The Postgres schema of the tables (default `public`); created when missing. */
  schema?: string;
};

/**
 * A {@link TokenStore} in PostgreSQL, for one grant shared by processes on
 * many hosts: exactly one refresh per expiry among them all.
 *
 * - Records are the token file's JSON (see `encodeTokenRecord`), one row per
 *   `key` in `opperator_tokens`.
 * - `withLock` holds a lease (a row in `opperator_token_leases`, expiring by
 *   the database's clock, renewed while the refresh runs); a `save` inside it
 *   is fenced: it writes nothing and throws `OAUTH_STORE_LEASE_LOST` once the
 *   lease is lost (see lease.ts for why a lease, and why a fence too).
 * - An unreachable server fails fast with `OAUTH_STORE_UNAVAILABLE` (2 s to
 *   connect, 5 s a statement); the pool reconnects when it returns.
 * - A record that cannot be read moves to `opperator_tokens_corrupt`
 *   (`OAUTH_STORE_CORRUPT`); one or tables a newer release wrote are left
 *   alone (`OAUTH_STORE_UNSUPPORTED_VERSION`).
 * - The password (from the URL or PGPASSWORD) appears nowhere: not in
 *   `description`, errors, `toJSON` or `inspect`.
 *
 * @example
 * ```ts
 * const store = new PostgresTokenStore({ connectionString: 'postgres://app:secret@db.internal/app', key: 'mail/google' });
 * const client = new OAuthClient({ provider: providers.google, clientId, store });
 * // ... when the program ends:
 * await store.close();
 * ```
 */
export class PostgresTokenStore implements TokenStore {
  /** `postgres://host:port/database key <key>`: where the tokens are, without credentials. */
  readonly description: string;
  /** Which sign-in this store holds. */
  readonly key: string;
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #location: ServerLocation;
  readonly #tables: StoreTables;
  readonly #refresh: LeaseKind;
  readonly #signIn: LeaseKind;
  /** The refresh lease the current `withLock` work holds: how `save` knows it must be fenced. */
  readonly #held = new AsyncLocalStorage<HeldLease>();
  #schemaReady: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: PostgresTokenStoreOptions) {
    const { key } = options;
    if (typeof key !== 'string' || key === '') throw new OAuthError('OAUTH_INVALID_ARGUMENT', 'PostgresTokenStore needs a non-empty key.');
    if ((options.connectionString === undefined) === (options.pool === undefined)) {
      throw new OAuthError('OAUTH_INVALID_ARGUMENT', 'PostgresTokenStore needs exactly one of connectionString and pool.');
    }
    const schema = options.schema ?? DEFAULT_SCHEMA;
    if (schema === '') throw new OAuthError('OAUTH_INVALID_ARGUMENT', 'PostgresTokenStore: schema must not be empty.');
    const leaseMs = checkDuration('leaseMs', options.leaseMs ?? DEFAULT_LEASE_MS, MIN_LEASE_MS);
    const signInLeaseMs = checkDuration('signInLeaseMs', options.signInLeaseMs ?? Math.max(DEFAULT_SIGN_IN_LEASE_MS, leaseMs), MIN_LEASE_MS);
    const pollMs = checkDuration('pollMs', options.pollMs ?? DEFAULT_POLL_MS, 1);
    this.#refresh = { name: 'refresh', leaseMs, pollMs, waitTimeoutMs: REFRESH_WAIT_TIMEOUT_MS };
    this.#signIn = { name: 'sign-in', leaseMs: signInLeaseMs, pollMs: Math.max(pollMs, SIGN_IN_POLL_MS), waitTimeoutMs: Number.POSITIVE_INFINITY };

    this.key = key;
    this.#tables = storeTables(schema);
    if (options.pool) {
      this.#pool = options.pool;
      this.#ownsPool = false;
      this.#location = locateServer(options.pool.options);
    } else {
      this.#pool = createPool(options.connectionString);
      this.#ownsPool = true;
      this.#location = locateServer({ connectionString: options.connectionString });
    }
    absorbIdleErrors(this.#pool);
    this.description = `${this.#location.where} key ${key}${schema === DEFAULT_SCHEMA ? '' : ` (schema ${schema})`}`;
  }

  async load(): Promise<StoredTokens | undefined> {
    // A corrupt record replaced by another writer between our read and our
    // move is read again, at most twice.
    for (let attempt = 1; ; attempt += 1) {
      const [row] = await this.#query(`SELECT record FROM ${this.#tables.tokens} WHERE key = $1`, [this.key], 'read the tokens');
      if (!row) return undefined;
      const text = String(row.record);
      const decoded = decodeTokenRecord(text);
      if (decoded.ok) return decoded.tokens;
      const record = `The token record ${JSON.stringify(this.key)} in ${this.#location.where} (table ${this.#tables.tokens})`;
      if (decoded.problem === 'unsupported-version') {
        throw new OAuthError('OAUTH_STORE_UNSUPPORTED_VERSION', `${record} ${decoded.detail}. Upgrade @opperator/store-postgres to use it; it was left as it is.`);
      }
      const moved = await this.#moveAside(text, decoded.detail);
      if (moved !== undefined || attempt >= 3) {
        const where = moved === undefined ? 'it changed while being moved aside; it was left in place' : `it was moved to table ${this.#tables.corrupt} (id ${moved})`;
        throw new OAuthError('OAUTH_STORE_CORRUPT', `${record} ${decoded.detail}: ${where}. Sign in again to create a new one.`, decoded.cause === undefined ? {} : { cause: decoded.cause });
      }
    }
  }

  async save(tokens: StoredTokens): Promise<void> {
    const record = encodeTokenRecord(tokens);
    const lease = this.#held.getStore();
    if (!lease) {
      // Outside a refresh lease (a sign-in's save): a new fence, so a refresh
      // that took its lease before this save cannot overwrite it afterwards.
      await this.#query(
        `INSERT INTO ${this.#tables.tokens} AS stored (key, record, fence, updated_at) VALUES ($1, $2, nextval($3::regclass), now())
         ON CONFLICT (key) DO UPDATE SET record = excluded.record, fence = excluded.fence, updated_at = excluded.updated_at`,
        [this.key, record, this.#tables.fences],
        'save the tokens',
      );
      return;
    }
    if (lease.lost) throw this.#leaseLost();
    for (;;) {
      try {
        await this.#fencedSave(lease, record);
        return;
      } catch (err) {
        // The server is unreachable (restarting, say) while we hold the
        // lease: nobody else can refresh until it expires, and this record
        // may carry a rotated refresh token that exists nowhere else. Keep
        // trying until the lease would have expired; the database still
        // judges whether it has.
        const retry = isOAuthError(err, 'OAUTH_STORE_UNAVAILABLE') && !this.#closing && performance.now() + LEASED_SAVE_RETRY_MS < lease.expiresBy;
        if (!retry) throw err;
        await sleep(LEASED_SAVE_RETRY_MS);
      }
    }
  }

  /** The fenced write (see lease.ts): one statement, or OAUTH_STORE_LEASE_LOST with nothing written. */
  async #fencedSave(lease: HeldLease, record: string): Promise<void> {
    // Lock our lease row if it is still ours and unexpired (a new holder's
    // takeover waits for this statement), then write only if no newer fence
    // wrote the record since.
    const written = await this.#query(
      `WITH lease AS (
         SELECT fence FROM ${this.#tables.leases}
         WHERE key = $1 AND kind = 'refresh' AND holder = $3 AND expires_at > clock_timestamp()
         FOR SHARE
       )
       INSERT INTO ${this.#tables.tokens} AS stored (key, record, fence, updated_at)
       SELECT $1, $2, lease.fence, now() FROM lease
       ON CONFLICT (key) DO UPDATE SET record = excluded.record, fence = excluded.fence, updated_at = excluded.updated_at
       WHERE stored.fence <= excluded.fence
       RETURNING 1`,
      [this.key, record, lease.holder],
      'save the tokens',
    );
    if (written.length === 0) {
      lease.lost = true;
      throw this.#leaseLost();
    }
  }

  /** Deletes the record. Not fenced: signing out wins over a refresh in flight elsewhere (which may then save again, as with the file store). */
  async clear(): Promise<void> {
    await this.#query(`DELETE FROM ${this.#tables.tokens} WHERE key = $1`, [this.key], 'delete the tokens');
  }

  /** Runs `work` holding the refresh lease of this key; `save` inside it is fenced. */
  withLock<T>(work: () => Promise<T>, options?: StoreLockOptions): Promise<T> {
    return withLease(this.#leaseContext(), this.#refresh, (lease) => this.#held.run(lease, work), options);
  }

  /** Runs `work` holding the sign-in lease of this key (independent of the refresh lease), renewed while the sign-in runs. */
  withSignInLock<T>(work: () => Promise<T>, options?: StoreLockOptions): Promise<T> {
    return withLease(this.#leaseContext(), this.#signIn, () => work(), options);
  }

  /** Ends the pool the store made (a pool you passed in stays yours to end). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#ownsPool ? this.#pool.end() : Promise.resolve();
    return this.#closing;
  }

  toJSON(): Record<string, unknown> {
    return { description: this.description };
  }

  [inspect.custom](): string {
    return `PostgresTokenStore ${inspect(this.toJSON())}`;
  }

  #leaseContext(): LeaseContext {
    return { key: this.key, tables: this.#tables, where: this.#location.where, query: (text, values, doing) => this.#query(text, values, doing) };
  }

  #leaseLost(): OAuthError {
    return new OAuthError(
      'OAUTH_STORE_LEASE_LOST',
      `The refresh lease on ${JSON.stringify(this.key)} in ${this.#location.where} was lost (held past ${this.#refresh.leaseMs} ms without renewal, or taken over) and nothing was written: another process may have refreshed since. The next call reads its tokens.`,
    );
  }

  /** Moves a record that cannot be read into the corrupt table; its id, or undefined when the record changed meanwhile. */
  async #moveAside(text: string, problem: string): Promise<string | undefined> {
    const [row] = await this.#query(
      `WITH moved AS (DELETE FROM ${this.#tables.tokens} WHERE key = $1 AND record = $2 RETURNING key, record)
       INSERT INTO ${this.#tables.corrupt} (key, record, problem) SELECT key, record, $3 FROM moved RETURNING id::text AS id`,
      [this.key, text, problem],
      'move the unreadable record aside',
    );
    return row === undefined ? undefined : String(row.id);
  }

  /** One statement on the pool, after the schema check; failures become `OAUTH_STORE_UNAVAILABLE`. */
  async #query(text: string, values: unknown[], doing: string): Promise<Array<Record<string, unknown>>> {
    if (this.#closing) throw new OAuthError('OAUTH_STORE_UNAVAILABLE', `Cannot ${doing}: the token store ${this.description} was closed.`);
    try {
      // Checked once per store; a failure (the server was down) is retried by the next call.
      this.#schemaReady ??= ensureSchema(this.#pool, this.#tables, this.#location.where).catch((err: unknown) => {
        this.#schemaReady = undefined;
        throw err;
      });
      await this.#schemaReady;
      return (await this.#pool.query(text, values)).rows as Array<Record<string, unknown>>;
    } catch (err) {
      throw translateQueryError(err, this.#location, doing);
    }
  }
}

function checkDuration(name: string, value: number, minimum: number): number {
  if (!Number.isFinite(value) || value < minimum) throw new OAuthError('OAUTH_INVALID_ARGUMENT', `PostgresTokenStore: ${name} must be a number of ms of at least ${minimum} (got ${value}).`);
  return value;
}
