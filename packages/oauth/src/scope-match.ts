import type { OAuthProvider } from './provider.js';
import type { ProviderQuirks } from './provider-quirks.js';
import type { StoredTokens } from './token-set.js';

/**
 * Whether `scope` (as the client asks for it) is in `granted` (as the
 * provider echoed it), allowing for the provider's documented ways of naming
 * a scope differently ({@link ProviderQuirks.scopeAliases},
 * {@link ProviderQuirks.defaultResourcePrefix}) or of not echoing it at all
 * ({@link ProviderQuirks.unechoedScopes}: granted when a refresh token came,
 * which is what `offline_access` asks for).
 *
 * @example
 * ```ts
 * isScopeGranted('email', ['openid', 'https://www.googleapis.com/auth/userinfo.email'], { quirks: providers.google.quirks }); // true
 * ```
 */
export function isScopeGranted(scope: string, granted: readonly string[], context: { quirks?: ProviderQuirks; hasRefreshToken?: boolean } = {}): boolean {
  if (granted.includes(scope)) return true;
  const quirks = context.quirks;
  if (!quirks) return false;
  if (quirks.unechoedScopes?.includes(scope)) return context.hasRefreshToken === true;
  const names = new Set([scope, ...(quirks.scopeAliases?.[scope] ?? [])]);
  for (const [short, aliases] of Object.entries(quirks.scopeAliases ?? {})) {
    if (aliases.includes(scope)) names.add(short);
  }
  const prefix = quirks.defaultResourcePrefix;
  if (prefix) {
    for (const name of [...names]) names.add(name.startsWith(prefix) ? name.slice(prefix.length) : `${prefix}${name}`);
  }
  return granted.some((name) => names.has(name));
}

/**
 * The scopes of `wanted` that `granted` lacks, by {@link isScopeGranted}.
 *
 * @example
 * ```ts
 * missingScopes(['openid', 'offline_access'], ['openid'], { quirks: providers.microsoft().quirks, hasRefreshToken: true }); // []
 * ```
 */
export function missingScopes(wanted: readonly string[], granted: readonly string[], context: { quirks?: ProviderQuirks; hasRefreshToken?: boolean } = {}): string[] {
  return wanted.filter((scope) => !isScopeGranted(scope, granted, context));
}

/**
 * The scopes of `wanted` the provider's device flow refuses
 * ({@link ProviderQuirks.deviceFlowScopes}); empty when it takes them all.
 *
 * @example
 * ```ts
 * scopesRefusedByDeviceFlow(providers.google, ['openid', 'https://www.googleapis.com/auth/gmail.readonly']); // ['https://www.googleapis.com/auth/gmail.readonly']
 * ```
 */
export function scopesRefusedByDeviceFlow(provider: Pick<OAuthProvider, 'quirks'>, wanted: readonly string[]): string[] {
  const allowed = provider.quirks?.deviceFlowScopes;
  return allowed ? wanted.filter((scope) => !allowed.includes(scope)) : [];
}

/** What a new sign-in asks for, and what it expects to hold afterwards. */
export interface SignInScopes {
  scopes: { request: string[]; expected: string[] };
  /** Authorization parameters that make the provider add to the existing grant. */
  params: Readonly<Record<string, string>>;
}

/**
 * Scopes for a new sign-in: never fewer than granted; where the provider
 * merges grants (`incrementalAuthorizationParams`), only the missing ones.
 *
 * @example
 * ```ts
 * scopesForSignIn(providers.google, ['openid', 'email'], stored, { incremental: true });
 * ```
 */
export function scopesForSignIn(provider: OAuthProvider, wantedScopes: readonly string[], stored: StoredTokens | undefined, mode: { incremental: boolean }): SignInScopes {
  const granted = stored?.scopes ?? [];
  const wanted = [...new Set(wantedScopes)];
  const all = [...new Set([...granted, ...wanted])];
  const incremental = mode.incremental ? provider.incrementalAuthorizationParams : undefined;
  if (!incremental || granted.length === 0) return { scopes: { request: all, expected: all }, params: {} };
  const missing = missingScopes(wanted, granted, { ...(provider.quirks ? { quirks: provider.quirks } : {}), hasRefreshToken: stored?.refreshToken !== undefined });
  return { scopes: { request: missing.length > 0 ? missing : wanted, expected: all }, params: incremental };
}
