/**
 * The standard error codes a vendor code can be mapped to: RFC 6749 §5.2 and
 * RFC 8628 §3.5. The rest of the toolkit only ever sees these.
 */
export type StandardErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'expired_token'
  | 'authorization_pending'
  | 'slow_down'
  | 'temporarily_unavailable';

/**
 * How a provider departs from the RFCs on the wire, as data. The adapter
 * around the injected `fetch` ({@link adaptProviderResponse}) applies it, so
 * openid-client only ever sees RFC-shaped responses and no other file tests
 * for a provider's name. Every field cites its source in the preset that sets it.
 *
 * @example
 * ```ts
 * const quirks: ProviderQuirks = {
 *   errorsWithHttp200: true,
 *   errorCodes: { bad_refresh_token: 'invalid_grant' },
 *   scopeSeparator: ',',
 * };
 * ```
 */
export interface ProviderQuirks {
  /**
   * The token and device endpoints answer errors with HTTP 200 and an
   * `error` body (GitHub). The adapter turns them into HTTP 400 (401 for
   * `invalid_client`) so they are read as errors.
   */
  readonly errorsWithHttp200?: boolean;
  /**
   * Vendor error codes and the standard code with the same meaning
   * (`bad_refresh_token` → `invalid_grant`). A code mapped to `invalid_grant`
   * means "only a new sign-in helps": the grant is marked and no further
   * request is made with it. The vendor's own code stays on the error.
   */
  readonly errorCodes?: Readonly<Record<string, StandardErrorCode>>;
  /**
   * What the user should do about a vendor error, appended to its message
   * (`redirect_uri_mismatch` → "Register … as the callback URL").
   */
  readonly errorHints?: Readonly<Record<string, string>>;
  /** Device authorization response fields under other names (Google: `verification_url` for `verification_uri`). */
  readonly deviceResponseFields?: Readonly<Record<string, 'verification_uri' | 'verification_uri_complete'>>;
  /** The separator of `scope` in token responses when it is not a space (GitHub: a comma). */
  readonly scopeSeparator?: string;
  /**
   * Scopes the provider grants under another name: requested name → the
   * names it may come back as (Google: `email` → `…/auth/userinfo.email`).
   */
  readonly scopeAliases?: Readonly<Record<string, readonly string[]>>;
  /** Scopes granted but never echoed in `scope` (Entra: `offline_access`). */
  readonly unechoedScopes?: readonly string[];
  /**
   * Revocation through an API of the provider's own instead of RFC 7009
   * (GitHub: `DELETE /applications/{client_id}/grant`). `{client_id}` in the
   * URL is replaced; the client authenticates with HTTP Basic
   * (client id : secret), and the body is JSON `{ [tokenField]: token }`.
   * Needs a client secret.
   */
  readonly grantRevocation?: { readonly method: 'DELETE' | 'POST'; readonly url: string; readonly tokenField: string; readonly headers?: Readonly<Record<string, string>> };
  /** A prefix the provider may add to or drop from scope names (Entra: `https://graph.microsoft.com/`, the default resource). */
  readonly defaultResourcePrefix?: string;
  /**
   * The only scopes the device flow grants (Google's allow-list); a request
   * with any other is refused with `invalid_scope`, so such a sign-in uses the
   * browser (or paste-back) instead. Absent: the device flow takes any scope.
   */
  readonly deviceFlowScopes?: readonly string[];
}
