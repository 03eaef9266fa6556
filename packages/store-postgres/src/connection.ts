import { OAuthError } from '@opperator/oauth';
import pg from 'pg';
import { CONNECT_TIMEOUT_MS, IDLE_CONNECTION_MS, QUERY_TIMEOUT_MS } from './timeouts.js';

/** At most this many connections per store: a refresh needs one, a waiting caller one more. */
const MAX_CONNECTIONS = 4;

/** Where a store's server is, for messages, and the password to keep out of them. */
export interface ServerLocation {
  /** `postgres://host:port/database`: never the user or password. */
  where: string;
  /** The password pg will use (from the URL, the options or PGPASSWORD), scrubbed from messages. */
  password: string | undefined;
}

/**
 * Where `config` points, as pg resolves it (PGHOST, PGPORT, PGDATABASE and
 * PGPASSWORD fill what the URL leaves out: pg reads them, this package
 * does not), without the credentials.
 */
export function locateServer(config: pg.PoolConfig): ServerLocation {
  // A Client that is never connected resolves the settings exactly as the
  // pool's clients will, environment included; it opens nothing.
  const probe = new pg.Client(config);
  const database = encodeURIComponent(probe.database ?? '');
  // A Unix socket directory as host: libpq's URI form puts it in the query.
  const where = probe.host.startsWith('/')
    ? `postgres:///${database}?host=${encodeURIComponent(probe.host)}`
    : `postgres://${probe.host.includes(':') ? `[${probe.host}]` : probe.host}:${probe.port}/${database}`;
  return { where, password: typeof probe.password === 'string' && probe.password !== '' ? probe.password : undefined };
}

/**
 * A pool that fails fast when the server is gone (connect and statement
 * timeouts) and never keeps the process alive when idle.
 */
export function createPool(connectionString: string): pg.Pool {
  return new pg.Pool({
    connectionString,
    max: MAX_CONNECTIONS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // Server side: a statement stuck behind a lock or a slow disk is cancelled.
    statement_timeout: QUERY_TIMEOUT_MS,
    // Client side: a server that stopped answering (host down, network cut) is given up on too.
    query_timeout: QUERY_TIMEOUT_MS + 1_000,
    keepAlive: true,
    idleTimeoutMillis: IDLE_CONNECTION_MS,
    allowExitOnIdle: true,
    application_name: 'opperator-token-store',
  });
}

/**
 * Keeps a pool's `error` events from crashing the process. pg emits one when
 * an idle connection dies (the server restarted or went away): the pool has
 * already dropped that connection and opens a new one for the next query,
 * and every query that fails reports itself as `OAUTH_STORE_UNAVAILABLE`,
 * so there is nothing more to do here. An unhandled `error` event would
 * throw and end an agent that is serving valid tokens from memory.
 */
export function absorbIdleErrors(pool: pg.Pool): () => void {
  const listener = (): void => {
    // Nothing to do: see above. The next query reconnects.
  };
  pool.on('error', listener);
  return () => pool.removeListener('error', listener);
}

/**
 * The store's error for a failed query: `OAUTH_STORE_UNAVAILABLE` naming the
 * server (never the password) and what failed. OAuth errors pass as they
 * are, and so do programming errors (`TypeError`, `RangeError`).
 */
export function translateQueryError(err: unknown, location: ServerLocation, doing: string): unknown {
  if (err instanceof OAuthError || err instanceof TypeError || err instanceof RangeError) return err;
  const reason = scrub(describeFailure(err), location.password);
  // pg-pool attaches the client (whose settings hold the password) to some
  // errors; the cause travels with ours into logs, so it goes.
  if (err instanceof Error && 'client' in err) delete (err as { client?: unknown }).client;
  return new OAuthError('OAUTH_STORE_UNAVAILABLE', `Cannot ${doing} in the token store ${location.where}: ${reason}. Tokens already held stay in use until they are due; the store is tried again on the next call.`, { cause: err });
}

function describeFailure(err: unknown): string {
  if (err instanceof pg.DatabaseError) return `${err.message} (SQLSTATE ${err.code ?? 'unknown'})`;
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    // Node's connection errors: the code says it ("ECONNREFUSED"), the message repeats the address.
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return `${code} (${err.message})`;
    return err.message;
  }
  return String(err);
}

/** Removes the password wherever a message might echo it (no known pg message does; this is a guard). */
function scrub(text: string, password: string | undefined): string {
  if (!password) return text;
  return text.split(password).join('[password]').split(encodeURIComponent(password)).join('[password]');
}
