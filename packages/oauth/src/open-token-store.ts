import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { OAuthError } from './errors.js';
import { FileTokenStore } from './file-token-store.js';
import { MemoryTokenStore, type TokenStore } from './token-store.js';

/** What a store package (`@opperator/store-redis`, `@opperator/store-postgres`) exports for {@link openTokenStore}. */
export interface TokenStorePackage {
  createTokenStore(url: URL, options: { key: string; leaseMs?: number }): TokenStore;
}

/** Options of {@link openTokenStore}. */
export interface OpenTokenStoreOptions {
  /** The record's name in a shared store (Redis, Postgres): every process and host sharing a grant uses the same key. Required for them. */
  key?: string;
  /** A relative file path is taken from here; default the current directory. */
  baseDir?: string;
  /** The lease of a shared store's locks (see `TokenStore.withLock`); default the store's own. */
  leaseMs?: number;
  /**
   * Where the store packages are looked for besides this package's own
   * dependencies: an agent's folder, where `npm install @opperator/store-redis`
   * put them.
   */
  resolveFrom?: string;
}

/** URL schemes of shared stores, and the package that serves each. */
export const TOKEN_STORE_PACKAGES: Readonly<Record<string, string>> = Object.freeze({
  'redis:': '@opperator/store-redis',
  'rediss:': '@opperator/store-redis',
  'postgres:': '@opperator/store-postgres',
  'postgresql:': '@opperator/store-postgres',
});

/**
 * Where store packages announce themselves when imported. Kept on
 * `globalThis` under a registered symbol, so a store package bundled with
 * its own copy of this module (an agent's bundle) still reaches the
 * `openTokenStore` the SDK calls.
 */
const REGISTRY_KEY = Symbol.for('@opperator/oauth token store packages');

function registry(): Map<string, TokenStorePackage> {
  const holder = globalThis as { [REGISTRY_KEY]?: Map<string, TokenStorePackage> };
  holder[REGISTRY_KEY] ??= new Map();
  return holder[REGISTRY_KEY];
}

/**
 * Makes `openTokenStore` open `schemes` (`'redis:'`) with `storePackage`.
 * A store package calls it when imported, so an agent that imports it (or
 * whose bundle the daemon gives it) needs no run-time module resolution.
 *
 * @example
 * ```ts
 * registerTokenStorePackage(['redis:', 'rediss:'], { createTokenStore });
 * ```
 */
export function registerTokenStorePackage(schemes: readonly string[], storePackage: TokenStorePackage): void {
  for (const scheme of schemes) registry().set(scheme.toLowerCase(), storePackage);
}

/**
 * Opens the token store a location names: a file path (or `file:` URL) for
 * a {@link FileTokenStore}, `redis://…` / `rediss://…` and `postgres://…` for
 * a store shared by processes and hosts (from `@opperator/store-redis` and
 * `@opperator/store-postgres`, installed next to the caller; credentials in
 * the URL or the engine's usual environment variables), `memory:` for a
 * {@link MemoryTokenStore}. No error and no description ever shows the URL's
 * credentials (see {@link redactStoreLocation}).
 *
 * @example
 * ```ts
 * const store = await openTokenStore('redis://127.0.0.1:6379/0', { key: 'mail/gmail' });
 * const client = new OAuthClient({ provider: providers.google, clientId, store });
 * ```
 */
export async function openTokenStore(location: string, options: OpenTokenStoreOptions = {}): Promise<TokenStore> {
  const trimmed = location.trim();
  if (trimmed === '') throw new OAuthError('OAUTH_INVALID_ARGUMENT', 'The token store location is empty: give a file path, redis://… or postgres://….');
  if (trimmed === 'memory:') return new MemoryTokenStore();
  const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === undefined) return new FileTokenStore(isAbsolute(trimmed) ? trimmed : resolve(options.baseDir ?? process.cwd(), trimmed));
  if (scheme === 'file:') return new FileTokenStore(fileURLToPath(trimmed));
  const registered = registry().get(scheme);
  const packageName = TOKEN_STORE_PACKAGES[scheme];
  if (registered === undefined && packageName === undefined) {
    throw new OAuthError('OAUTH_INVALID_ARGUMENT', `${redactStoreLocation(trimmed)} is not a token store this release knows: give a file path, redis://…, rediss://… or postgres://….`);
  }
  if (!options.key) throw new OAuthError('OAUTH_INVALID_ARGUMENT', `A shared token store (${redactStoreLocation(trimmed)}) needs a key naming the record every process shares.`);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch (cause) {
    throw new OAuthError('OAUTH_INVALID_ARGUMENT', `${redactStoreLocation(trimmed)} is not a valid URL.`, { cause });
  }
  const storePackage = registered ?? (await loadStorePackage(packageName!, options.resolveFrom));
  return storePackage.createTokenStore(url, { key: options.key, ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }) });
}

/**
 * A store location without its credentials, for messages and status lines:
 * `redis://:secret@host:6379/0` → `redis://host:6379/0`; a path stays as it is.
 *
 * @example
 * ```ts
 * redactStoreLocation('postgres://app:pw@db.internal/tokens'); // 'postgres://db.internal/tokens'
 * ```
 */
export function redactStoreLocation(location: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*@)?(.*)$/i.exec(location.trim());
  if (!match) return location;
  // Query parameters may carry a password too (libpq's `?password=`): only their names stay.
  const [rest, query] = (match[3] ?? '').split('?', 2) as [string, string | undefined];
  const names = query === undefined ? '' : `?${query.split('&').map((pair) => `${pair.split('=')[0]}=…`).join('&')}`;
  return `${match[1]}${rest}${names}`;
}

/** The store package, from this package's own resolution, else from `resolveFrom` (an agent's folder). */
async function loadStorePackage(packageName: string, resolveFrom: string | undefined): Promise<TokenStorePackage> {
  const candidates: Array<() => Promise<unknown>> = [
    // A computed specifier: bundlers leave it to run time, so the store's engine client is never bundled by accident.
    () => import(packageName),
    ...(resolveFrom ? [() => import(pathToFileURL(createRequire(join(resolveFrom, 'package.json')).resolve(packageName)).href)] : []),
  ];
  let lastError: unknown;
  for (const load of candidates) {
    try {
      const loaded = (await load()) as Partial<TokenStorePackage>;
      if (typeof loaded.createTokenStore === 'function') return loaded as TokenStorePackage;
      lastError = new Error(`${packageName} has no createTokenStore export`);
    } catch (err) {
      lastError = err;
    }
  }
  const where = resolveFrom ? ` in ${resolveFrom}` : '';
  throw new OAuthError('OAUTH_INVALID_ARGUMENT', `This token store needs ${packageName}, which is not installed${where}: npm install ${packageName}${resolveFrom ? ` (in ${resolveFrom})` : ''}.`, { cause: lastError });
}
