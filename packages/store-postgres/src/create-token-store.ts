import type { TokenStore } from '@opperator/oauth';
import { PostgresTokenStore } from './postgres-token-store.js';

/** Options of {@link createTokenStore}: what `openTokenStore` passes for every store kind. */
export interface CreateTokenStoreOptions {
  /** Which sign-in the store holds. */
  key: string;
  /** Length of the refresh lease, in ms (default 15 s; see `PostgresTokenStoreOptions.leaseMs`). */
  leaseMs?: number;
}

/**
 * The store for a `postgres://` or `postgresql://` URL: what
 * `openTokenStore` in `@opperator/oauth` calls, by dynamic import, so the
 * core installs without pg. A `schema` query parameter chooses the Postgres
 * schema of the tables (`postgres://db.internal/app?schema=auth`); every
 * other part of the URL goes to pg as it is (credentials, `sslmode`, ...).
 *
 * @example
 * ```ts
 * const store = createTokenStore(new URL('postgres://app:secret@db.internal:5432/app'), { key: 'mail/google' });
 * ```
 */
export function createTokenStore(url: URL, options: CreateTokenStoreOptions): TokenStore {
  const connection = new URL(url.href);
  const schema = connection.searchParams.get('schema') ?? undefined;
  connection.searchParams.delete('schema');
  return new PostgresTokenStore({
    connectionString: connection.href,
    key: options.key,
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    ...(schema === undefined ? {} : { schema }),
  });
}
