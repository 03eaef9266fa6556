/**
 * Stable error codes of `@opperator/oauth`. Callers branch on these, never on
 * message text.
 */
export type OAuthErrorCode =
  /** The user (or the provider on their behalf) refused consent: `error=access_denied`. */
  | 'OAUTH_ACCESS_DENIED'
  /** The authorization response carried another provider error (`error=...`). */
  | 'OAUTH_AUTHORIZATION_FAILED'
  /** No valid callback arrived before the timeout. */
  | 'OAUTH_TIMEOUT'
  /** The caller's AbortSignal fired. */
  | 'OAUTH_ABORTED'
  /** The authorization response's `state` did not match. */
  | 'OAUTH_STATE_MISMATCH'
  /** The sign-in had already received its authorization response (a replayed or second callback). */
  | 'OAUTH_CALLBACK_USED'
  /** The RFC 9207 `iss` response parameter was missing or named another issuer. */
  | 'OAUTH_ISSUER_MISMATCH'
  /** The requested callback port (or every port of the range) is taken. */
  | 'OAUTH_PORT_IN_USE'
  /** The token endpoint rejected the client id or secret (`invalid_client`). */
  | 'OAUTH_INVALID_CLIENT'
  /** The token endpoint rejected the code or refresh token (`invalid_grant`). */
  | 'OAUTH_INVALID_GRANT'
  /** Another 4xx error response from the provider (`invalid_scope`, `unauthorized_client`, ...). */
  | 'OAUTH_PROVIDER_ERROR'
  /** The provider answered 5xx. */
  | 'OAUTH_SERVER_ERROR'
  /** The provider answered with something that is not a valid OAuth response (HTML, bad JSON, missing fields). */
  | 'OAUTH_INVALID_RESPONSE'
  /** The provider could not be reached. */
  | 'OAUTH_NETWORK'
  /** Authorization server metadata could not be discovered. */
  | 'OAUTH_DISCOVERY_FAILED'
  /** The token file is not valid JSON or does not match the schema; it was moved aside. */
  | 'OAUTH_TOKEN_FILE_CORRUPT'
  /** The token file was written by an unknown schema version; it was moved aside. */
  | 'OAUTH_TOKEN_FILE_UNSUPPORTED_VERSION'
  /** The token file could not be read or written (permissions, disk, not a regular file). */
  | 'OAUTH_TOKEN_FILE_IO'
  /** The token path is a symbolic link: it is neither followed nor replaced; remove the link. */
  | 'OAUTH_TOKEN_FILE_SYMLINK'
  /** The token file belongs to another user: it is neither read nor replaced; delete it as its owner. */
  | 'OAUTH_TOKEN_FILE_FOREIGN_OWNER'
  /** The token file's directory is shared or another user's (others could plant a link in it): choose a private one. */
  | 'OAUTH_TOKEN_FILE_UNSAFE_DIRECTORY'
  /** A shared token store (Redis, Postgres) cannot be reached; valid tokens already held keep working. */
  | 'OAUTH_STORE_UNAVAILABLE'
  /** A lease-holding writer lost its lease (it stalled past it, or the store restarted) and was fenced off: a newer holder may have written since. */
  | 'OAUTH_STORE_LEASE_LOST'
  /** A shared store's record is not a token record this release can read; it was moved aside. */
  | 'OAUTH_STORE_CORRUPT'
  /** A shared store's record or schema was written by a newer release; it was left as it is. */
  | 'OAUTH_STORE_UNSUPPORTED_VERSION'
  /** No tokens are stored: run the authorization flow first. */
  | 'OAUTH_NOT_AUTHORIZED'
  /** The stored access token has expired (refresh arrives with the refresh coordinator). */
  | 'OAUTH_TOKEN_EXPIRED'
  /** The refresh token is dead (revoked, expired, rotated away): the user must sign in again. */
  | 'OAUTH_REAUTHORIZATION_REQUIRED'
  /** Another process held the token file's lock for too long. */
  | 'OAUTH_LOCK_TIMEOUT'
  /** The device flow's user code expired before the user finished. */
  | 'OAUTH_DEVICE_CODE_EXPIRED'
  /** The provider offers no endpoint for what was asked (device flow, revocation). */
  | 'OAUTH_UNSUPPORTED'
  /** The browser could not be opened. */
  | 'OAUTH_BROWSER_FAILED'
  /** A caller passed an option that cannot work (bad port range, missing endpoint). */
  | 'OAUTH_INVALID_ARGUMENT';

/** Options of {@link OAuthError}. */
export interface OAuthErrorOptions {
  /** The underlying error, kept for debugging. */
  cause?: unknown;
  /** The provider's own `error` value, when the provider sent one (`bad_refresh_token`, not the standard code it maps to). */
  error?: string;
  /** The provider's `error_description`, when the provider sent one. */
  errorDescription?: string;
  /** The HTTP status of the provider response, when there was one. */
  status?: number;
  /** How long the provider asked us to wait before trying again (`Retry-After`), in ms. */
  retryAfterMs?: number;
}

/**
 * The one error class of `@opperator/oauth`. `code` is stable; `error`,
 * `errorDescription` and `status` carry what the provider said. Messages never
 * contain tokens or client secrets, and values the provider controls are
 * JSON-encoded in them.
 *
 * @example
 * ```ts
 * try { await client.authorize(); }
 * catch (err) {
 *   if (err instanceof OAuthError && err.code === 'OAUTH_ACCESS_DENIED') console.log('You declined.');
 *   else throw err;
 * }
 * ```
 */
export class OAuthError extends Error {
  /** Stable machine-readable code. */
  readonly code: OAuthErrorCode;
  /** The provider's `error` parameter, if any. */
  readonly error?: string;
  /** The provider's `error_description`, if any. */
  readonly errorDescription?: string;
  /** HTTP status of the provider response, if any. */
  readonly status?: number;
  /** The provider's `Retry-After`, in ms, when it sent one. */
  readonly retryAfterMs?: number;

  constructor(code: OAuthErrorCode, message: string, options: OAuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OAuthError';
    this.code = code;
    if (options.error !== undefined) this.error = options.error;
    if (options.errorDescription !== undefined) this.errorDescription = options.errorDescription;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * True when `err` is an {@link OAuthError}, optionally with the given code.
 *
 * @example
 * ```ts
 * if (isOAuthError(err, 'OAUTH_TIMEOUT')) console.log('Nobody signed in within 5 minutes.');
 * ```
 */
export function isOAuthError(err: unknown, code?: OAuthErrorCode): err is OAuthError {
  return err instanceof OAuthError && (code === undefined || err.code === code);
}

/**
 * The stored refresh token can no longer be used (revoked, expired, or no
 * refresh token was issued). The store is marked, not deleted; run the
 * sign-in again.
 *
 * @example
 * ```ts
 * try { await client.getAccessToken(); }
 * catch (err) { if (err instanceof ReauthorizationRequiredError) console.log(`Sign in again: ${err.reason}`); }
 * ```
 */
export class ReauthorizationRequiredError extends OAuthError {
  /** Why, in words ("the provider refused the refresh token (invalid_grant)"). */
  readonly reason: string;

  constructor(message: string, reason: string, options: OAuthErrorOptions = {}) {
    super('OAUTH_REAUTHORIZATION_REQUIRED', message, options);
    this.name = 'ReauthorizationRequiredError';
    this.reason = reason;
  }
}
