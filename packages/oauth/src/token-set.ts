import { inspect } from 'node:util';

/**
 * What a {@link TokenStore} keeps for one sign-in: everything needed to use
 * and later refresh the tokens. Times are epoch milliseconds. Optional
 * fields also accept `undefined`, so {@link TokenSet}'s getters match them
 * in projects compiled with `exactOptionalPropertyTypes`.
 */
export interface StoredTokens {
  /** Issuer the tokens came from; a refresh goes back there. */
  issuer: string;
  /** Client the tokens were issued to. */
  clientId: string;
  /** Usually "bearer". */
  tokenType: string;
  accessToken: string;
  /** Absent when the provider issued none (then re-authorization is the only renewal). */
  refreshToken?: string | undefined;
  idToken?: string | undefined;
  /** Scopes granted (the response's `scope`, else the scopes requested). */
  scopes: string[];
  /** When the tokens were obtained (sign-in or refresh). */
  obtainedAt: number;
  /** When the grant was made by a sign-in (refreshes keep it): tells a sign-in that finished elsewhere from a refresh. */
  signedInAt?: number | undefined;
  /** Absolute access token expiry; absent when the provider gave none. */
  expiresAt?: number | undefined;
  /** Absolute refresh token expiry, when the provider gave one (`refresh_token_expires_in`). */
  refreshTokenExpiresAt?: number | undefined;
  /** When the current refresh token was issued (sign-in or rotation); for lifetime warnings. */
  refreshTokenIssuedAt?: number | undefined;
  /** Who signed in (email, username or subject), when the provider said. */
  account?: string | undefined;
  /** Set when the refresh token was refused: the tokens are kept, but only a new sign-in helps. */
  reauthorizationRequired?: { reason: string; at: number } | undefined;
}

const REDACTED = '[redacted]';

/** A copy of `tokens` with every token value replaced, safe to log or print. */
export function redactTokens(tokens: StoredTokens): Record<string, unknown> {
  return {
    ...tokens,
    accessToken: REDACTED,
    ...(tokens.refreshToken === undefined ? {} : { refreshToken: REDACTED }),
    ...(tokens.idToken === undefined ? {} : { idToken: REDACTED }),
  };
}

/**
 * Read-only view of stored tokens returned by `OAuthClient.getTokens()`.
 * The values are readable as properties, but `JSON.stringify`,
 * `console.log` and `util.inspect` show `[redacted]` instead of tokens,
 * so logging a token set by mistake leaks nothing.
 *
 * @example
 * ```ts
 * const tokens = await client.getTokens();
 * console.log(tokens);              // accessToken: '[redacted]'
 * await api(tokens.accessToken);    // the real value
 * ```
 */
export class TokenSet implements Readonly<StoredTokens> {
  readonly #tokens: Readonly<StoredTokens>;

  constructor(tokens: StoredTokens) {
    this.#tokens = Object.freeze({ ...tokens, scopes: [...tokens.scopes] });
  }

  get issuer(): string { return this.#tokens.issuer; }
  get clientId(): string { return this.#tokens.clientId; }
  get tokenType(): string { return this.#tokens.tokenType; }
  get accessToken(): string { return this.#tokens.accessToken; }
  get refreshToken(): string | undefined { return this.#tokens.refreshToken; }
  get idToken(): string | undefined { return this.#tokens.idToken; }
  get scopes(): string[] { return [...this.#tokens.scopes]; }
  get obtainedAt(): number { return this.#tokens.obtainedAt; }
  get signedInAt(): number | undefined { return this.#tokens.signedInAt; }
  get expiresAt(): number | undefined { return this.#tokens.expiresAt; }
  get refreshTokenExpiresAt(): number | undefined { return this.#tokens.refreshTokenExpiresAt; }
  get refreshTokenIssuedAt(): number | undefined { return this.#tokens.refreshTokenIssuedAt; }
  get account(): string | undefined { return this.#tokens.account; }
  get reauthorizationRequired(): { reason: string; at: number } | undefined { return this.#tokens.reauthorizationRequired; }

  /** True when the access token has an expiry and it has passed at `now`. */
  isExpired(now: number): boolean {
    return this.#tokens.expiresAt !== undefined && now >= this.#tokens.expiresAt;
  }

  /** The plain data, with token values. Handle with care. */
  toStoredTokens(): StoredTokens {
    return { ...this.#tokens, scopes: [...this.#tokens.scopes] };
  }

  toJSON(): Record<string, unknown> {
    return redactTokens(this.#tokens);
  }

  [inspect.custom](): string {
    return `TokenSet ${inspect(redactTokens(this.#tokens))}`;
  }
}

/**
 * Splits a `scope` string at spaces (RFC 6749 §3.3). A provider that uses
 * another separator says so in its preset (`quirks.scopeSeparator`), and the
 * provider fetch adapter rewrites its responses before they get here.
 */
export function parseScopes(scope: string | undefined): string[] {
  if (!scope) return [];
  return [...new Set(scope.split(/\s+/).filter(Boolean))];
}
