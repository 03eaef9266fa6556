import type { StoredTokens } from './token-set.js';

/** Refresh this long before the access token expires (as google-auth-library's eager threshold). */
export const DEFAULT_REFRESH_SKEW_MS = 5 * 60_000;

/**
 * For tokens that live shorter than a few skews, refresh when this fraction
 * of their lifetime is left instead, so a 60 s token is refreshed after 45 s,
 * not on every call.
 */
export const SHORT_LIVED_REFRESH_FRACTION = 0.25;

/** The auth state of one client's tokens. */
export type TokenState = 'not-authorized' | 'valid' | 'expiring' | 'refreshable' | 'reauthorization-required';

/**
 * When the tokens should be refreshed: `skewMs` before the access token
 * expires (less for short-lived tokens), and in any case before the refresh
 * token itself expires. Without a refresh token: when the access token expires. `undefined` when nothing expires.
 */
export function refreshDueAt(tokens: StoredTokens, skewMs: number): number | undefined {
  const candidates: number[] = [];
  if (tokens.expiresAt !== undefined) {
    const lifetime = Math.max(0, tokens.expiresAt - tokens.obtainedAt);
    // Without a refresh token nothing can renew it ahead of time: it is good until it expires.
    candidates.push(tokens.refreshToken === undefined ? tokens.expiresAt : tokens.expiresAt - Math.min(skewMs, lifetime * SHORT_LIVED_REFRESH_FRACTION));
  }
  if (tokens.refreshToken !== undefined && tokens.refreshTokenExpiresAt !== undefined) {
    const lifetime = Math.max(0, tokens.refreshTokenExpiresAt - (tokens.refreshTokenIssuedAt ?? tokens.obtainedAt));
    candidates.push(tokens.refreshTokenExpiresAt - Math.min(skewMs, lifetime * SHORT_LIVED_REFRESH_FRACTION));
  }
  return candidates.length === 0 ? undefined : Math.min(...candidates);
}

/** True while the access token can be handed out without refreshing first. */
export function isFresh(tokens: StoredTokens, now: number, skewMs: number): boolean {
  const due = refreshDueAt(tokens, skewMs);
  return tokens.reauthorizationRequired === undefined && (due === undefined || now < due);
}

/** Classifies stored tokens at `now`. */
export function tokenState(tokens: StoredTokens | undefined, now: number, skewMs: number): TokenState {
  if (!tokens) return 'not-authorized';
  if (tokens.reauthorizationRequired) return 'reauthorization-required';
  if (isFresh(tokens, now, skewMs)) return 'valid';
  const accessUsable = tokens.expiresAt === undefined || now < tokens.expiresAt;
  const refreshUsable = tokens.refreshToken !== undefined && (tokens.refreshTokenExpiresAt === undefined || now < tokens.refreshTokenExpiresAt);
  if (accessUsable) return 'expiring';
  return refreshUsable ? 'refreshable' : 'reauthorization-required';
}
