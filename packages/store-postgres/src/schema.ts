import { OAuthError } from '@opperator/oauth';
import pg from 'pg';

/**
 * The store's tables and their versioning. Every release checks the version
 * row before touching anything; a release never alters tables a newer one
 * made (it refuses with `OAUTH_STORE_UNSUPPORTED_VERSION`), and a newer
 * release migrates older tables under the same lock that creates them.
 */

/** Version of the tables this release creates and understands. */
export const STORE_SCHEMA_VERSION = 1;

/** The Postgres schema the tables go in unless the options name another. */
export const DEFAULT_SCHEMA = 'public';

/** Qualified, quoted names of the store's objects in one Postgres schema. */
export interface StoreTables {
  /** The schema's name as given (unquoted), for messages. */
  schema: string;
  version: string;
  tokens: string;
  leases: string;
  corrupt: string;
  /** The fencing counter: one sequence for every key, so fences only ever grow. */
  fences: string;
}

/** The names of the store's objects in `schema`. */
export function storeTables(schema: string): StoreTables {
  const qualify = (name: string) => `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(name)}`;
  return {
    schema,
    version: qualify('opperator_token_store_schema'),
    tokens: qualify('opperator_tokens'),
    leases: qualify('opperator_token_leases'),
    corrupt: qualify('opperator_tokens_corrupt'),
    fences: qualify('opperator_token_fence'),
  };
}

/** Runs a statement; the store passes its pool (errors are translated by the caller). */
type Execute = (client: pg.PoolClient, text: string, values?: unknown[]) => Promise<pg.QueryResult>;
const execute: Execute = (client, text, values) => client.query(text, values);

/**
 * Makes sure the tables exist at this release's version: one read when they
 * do; otherwise, under a transaction-scoped advisory lock (so hosts starting
 * together do not race to create them), creates what is missing and records
 * the version. Throws `OAUTH_STORE_UNSUPPORTED_VERSION` when a newer release
 * made them, changing nothing.
 */
export async function ensureSchema(pool: pg.Pool, tables: StoreTables, where: string): Promise<void> {
  const client = await pool.connect();
  // A connection that failed mid-transaction is discarded rather than reused.
  let discard = false;
  try {
    const found = await readVersion(client, tables);
    if (found === STORE_SCHEMA_VERSION) return;
    if (found !== undefined && found > STORE_SCHEMA_VERSION) throw unsupported(found, tables, where);
    await execute(client, 'BEGIN');
    try {
      // An advisory lock is right here (unlike for the refresh lease): it is
      // transaction-scoped, held for milliseconds, and released by COMMIT or
      // by the session ending, whatever happens to this process.
      await execute(client, 'SELECT pg_advisory_xact_lock(hashtext($1))', [`opperator_token_store:${tables.schema}`]);
      if (tables.schema !== DEFAULT_SCHEMA) await execute(client, `CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(tables.schema)}`);
      await execute(client, `CREATE TABLE IF NOT EXISTS ${tables.version} (only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row), version integer NOT NULL)`);
      const locked = await readVersion(client, tables);
      if (locked !== undefined && locked > STORE_SCHEMA_VERSION) throw unsupported(locked, tables, where);
      if (locked === undefined) await createVersion1(client, tables);
      // (A later release migrates from `locked` up to its version here.)
      await execute(client, 'COMMIT');
    } catch (err) {
      await execute(client, 'ROLLBACK').catch(() => {
        discard = true;
      });
      throw err;
    }
  } catch (err) {
    if (!(err instanceof OAuthError)) discard = true;
    throw err;
  } finally {
    client.release(discard);
  }
}

async function readVersion(client: pg.PoolClient, tables: StoreTables): Promise<number | undefined> {
  try {
    const result = await execute(client, `SELECT version FROM ${tables.version}`);
    const version: unknown = result.rows[0]?.version;
    return typeof version === 'number' ? version : undefined;
  } catch (err) {
    // 42P01 undefined_table, 3F000 invalid_schema_name: nothing was created yet.
    if (err instanceof pg.DatabaseError && (err.code === '42P01' || err.code === '3F000')) return undefined;
    throw err;
  }
}

async function createVersion1(client: pg.PoolClient, tables: StoreTables): Promise<void> {
  // fence: the lease under which the record was last written (see lease.ts).
  await execute(client, `CREATE TABLE IF NOT EXISTS ${tables.tokens} (key text PRIMARY KEY, record text NOT NULL, fence bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
  await execute(client, `CREATE TABLE IF NOT EXISTS ${tables.leases} (key text NOT NULL, kind text NOT NULL, holder text NOT NULL, fence bigint NOT NULL, expires_at timestamptz NOT NULL, PRIMARY KEY (key, kind))`);
  await execute(client, `CREATE TABLE IF NOT EXISTS ${tables.corrupt} (id bigserial PRIMARY KEY, key text NOT NULL, record text NOT NULL, problem text NOT NULL, moved_at timestamptz NOT NULL DEFAULT now())`);
  await execute(client, `CREATE SEQUENCE IF NOT EXISTS ${tables.fences}`);
  await execute(client, `INSERT INTO ${tables.version} (version) VALUES ($1)`, [STORE_SCHEMA_VERSION]);
}

function unsupported(version: number, tables: StoreTables, where: string): OAuthError {
  return new OAuthError(
    'OAUTH_STORE_UNSUPPORTED_VERSION',
    `The token store tables in ${where} (schema ${JSON.stringify(tables.schema)}) are at version ${version}, newer than this release understands (${STORE_SCHEMA_VERSION}). Upgrade @opperator/store-postgres; nothing was changed.`,
  );
}
