/**
 * `@opperator/store-postgres`: a PostgreSQL token store for
 * `@opperator/oauth`, so processes on many hosts share one OAuth grant with
 * exactly one refresh per expiry (a lease with expiry, and fencing).
 *
 * Importing it makes `openTokenStore` open `postgres://` and `postgresql://`
 * URLs with it (`registerTokenStorePackage`), with no run-time module
 * resolution: what an agent's bundle relies on.
 *
 * @packageDocumentation
 */
import { registerTokenStorePackage } from '@opperator/oauth';
import { createTokenStore } from './create-token-store.js';

export { PostgresTokenStore, type PostgresTokenStoreOptions, type PostgresConnection } from './postgres-token-store.js';
export { createTokenStore, type CreateTokenStoreOptions } from './create-token-store.js';
export { STORE_SCHEMA_VERSION, DEFAULT_SCHEMA } from './schema.js';
export { DEFAULT_LEASE_MS, DEFAULT_SIGN_IN_LEASE_MS, MIN_LEASE_MS, DEFAULT_POLL_MS, CONNECT_TIMEOUT_MS, QUERY_TIMEOUT_MS } from './timeouts.js';

registerTokenStorePackage(['postgres:', 'postgresql:'], { createTokenStore });
