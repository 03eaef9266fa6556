import type { OAuthProvider } from './provider.js';
import { missingScopes } from './scope-match.js';
import type { StoredTokens } from './token-set.js';
import { refreshDueAt, tokenState, type TokenState } from './token-timing.js';

/** Warn this long before a refresh token is expected to stop working. */
export const REFRESH_TOKEN_WARNING_MS = 24 * 3_600_000;

/** What `OAuthClient.status()` reports. Holds no token values. */
export interface OAuthStatus {
  state: TokenState;
  provider: string;
  /** The emulator the provider's requests go to, when it is emulated (`opperator sandbox start --emulate`). */
  emulator?: string;
  /** Where the tokens live. */
  store: string;
  account?: string;
  /** Scopes granted. */
  scopes: string[];
  /** Scopes the client asks for that the grant lacks: sign in again to add them. */
  missingScopes: string[];
  expiresAt?: number;
  /** When the next refresh happens (ahead of expiry). */
  refreshDueAt?: number;
  hasRefreshToken: boolean;
  refreshTokenExpiresAt?: number;
  /** Why a new sign-in is needed, when `state` is `reauthorization-required`. */
  reauthorizationReason?: string;
  /** Things the user should act on soon, in words. */
  warnings: string[];
}

/** Builds the status of `tokens` (undefined: not signed in) at `now`. */
export function describeStatus(
  tokens: StoredTokens | undefined,
  context: { provider: OAuthProvider; store: string; wantedScopes: readonly string[]; now: number; skewMs: number },
): OAuthStatus {
  const { provider, now } = context;
  const state = tokenState(tokens, now, context.skewMs);
  const base = { state, provider: provider.name, ...(provider.emulator ? { emulator: provider.emulator } : {}), store: context.store, warnings: [] as string[] };
  if (!tokens) return { ...base, scopes: [], missingScopes: [...context.wantedScopes], hasRefreshToken: false };

  const due = refreshDueAt(tokens, context.skewMs);
  const status: OAuthStatus = {
    ...base,
    scopes: [...tokens.scopes],
    missingScopes: missingScopes(context.wantedScopes, tokens.scopes, { ...(provider.quirks ? { quirks: provider.quirks } : {}), hasRefreshToken: tokens.refreshToken !== undefined }),
    hasRefreshToken: tokens.refreshToken !== undefined,
    ...(tokens.account === undefined ? {} : { account: tokens.account }),
    ...(tokens.expiresAt === undefined ? {} : { expiresAt: tokens.expiresAt }),
    ...(due === undefined ? {} : { refreshDueAt: due }),
    ...(tokens.refreshTokenExpiresAt === undefined ? {} : { refreshTokenExpiresAt: tokens.refreshTokenExpiresAt }),
    ...(tokens.reauthorizationRequired ? { reauthorizationReason: tokens.reauthorizationRequired.reason } : {}),
  };
  if (status.missingScopes.length > 0) {
    status.warnings.push(`Not granted yet: ${status.missingScopes.join(' ')}. Sign in again to add them.`);
  }
  if (!tokens.refreshToken && tokens.expiresAt !== undefined && state === 'valid' && now >= tokens.expiresAt - context.skewMs) {
    status.warnings.push(`The access token expires at ${new Date(tokens.expiresAt).toISOString()} and there is no refresh token to renew it: sign in again before then.`);
  }
  const hint = provider.refreshTokenLifetimeHint;
  const issuedAt = tokens.refreshTokenIssuedAt ?? tokens.obtainedAt;
  if (hint && tokens.refreshToken && state !== 'reauthorization-required' && now >= issuedAt + hint.maxAgeMs - REFRESH_TOKEN_WARNING_MS) {
    status.warnings.push(`The refresh token was issued ${new Date(issuedAt).toISOString()} and may stop working at ${new Date(issuedAt + hint.maxAgeMs).toISOString()}: ${hint.note}. Sign in again before then.`);
  }
  if (tokens.refreshTokenExpiresAt !== undefined && state !== 'reauthorization-required' && now >= tokens.refreshTokenExpiresAt - REFRESH_TOKEN_WARNING_MS) {
    status.warnings.push(`The refresh token expires at ${new Date(tokens.refreshTokenExpiresAt).toISOString()}.`);
  }
  return status;
}
