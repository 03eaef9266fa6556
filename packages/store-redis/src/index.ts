/**
 * `@opperator/store-redis`: a Redis token store for `@opperator/oauth`, so
 * many processes and hosts share one OAuth grant with exactly one refresh
 * per expiry (a lease with expiry, and fenced writes). Importing it makes
 * `openTokenStore` open `redis://` and `rediss://` URLs.
 *
 * @packageDocumentation
 */
import { registerTokenStorePackage, type TokenStore } from '@opperator/oauth';
import { RedisTokenStore } from './redis-token-store.js';

export {
  RedisTokenStore,
  DEFAULT_LEASE_MS,
  DEFAULT_SIGN_IN_LEASE_MS,
  DEFAULT_POLL_MS,
  MIN_LEASE_MS,
  type RedisTokenStoreOptions,
  type RedisTokenStoreSettings,
} from './redis-token-store.js';
export { DEFAULT_REDIS_TIMEOUT_MS, RECONNECT_MAX_DELAY_MS } from './redis-connection.js';

/**
 * The store for a `redis://` or `rediss://` URL: what `openTokenStore` in
 * `@opperator/oauth` calls for those URLs (this package registers it when
 * imported, so an agent's bundle needs no run-time module resolution). Credentials
 * come from the URL (`redis://:password@host`, `redis://user:password@host`)
 * and never appear in the store's description or errors.
 *
 * @example
 * ```ts
 * const store = createTokenStore(new URL('redis://127.0.0.1:6379/0'), { key: 'mail/gmail' });
 * ```
 */
export function createTokenStore(url: URL, options: { key: string; leaseMs?: number }): TokenStore {
  return new RedisTokenStore({ url, key: options.key, ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }) });
}

registerTokenStorePackage(['redis:', 'rediss:'], { createTokenStore });
