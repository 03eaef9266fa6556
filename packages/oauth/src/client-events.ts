/** Where a new set of tokens came from. */
export type TokenSource = 'authorize' | 'device' | 'refresh' | 'adopted';

/**
 * Events of an `OAuthClient`, by name. None carries a token value.
 *
 * @example
 * ```ts
 * client.on('refreshed', (e) => log.info('token refreshed', { expiresAt: e.expiresAt, rotated: e.rotated }));
 * client.on('reauthorization-required', (e) => log.warn(`sign in again: ${e.reason}`));
 * ```
 */
export interface OAuthClientEventMap {
  /** New tokens are in use: signed in, refreshed here, or adopted from another process's refresh. */
  tokens: [{ source: TokenSource; expiresAt?: number; scopes: string[]; account?: string }];
  /** This process redeemed the refresh token. */
  refreshed: [{ expiresAt?: number; rotated: boolean; attempts: number }];
  /** The provider issued a new refresh token (it was saved before the lock was released). */
  rotated: [{ at: number }];
  /** Another process holds the token store's lock; waiting for it. */
  'lock-wait': [{ store: string }];
  /** The refresh token was refused; the store is marked and only a new sign-in helps. */
  'reauthorization-required': [{ reason: string }];
}

/** Names of {@link OAuthClientEventMap}. */
export type OAuthClientEventName = keyof OAuthClientEventMap;
