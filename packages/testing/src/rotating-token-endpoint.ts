import type { OAuthProvider } from '@opperator/oauth';

/** What a {@link RotatingTokenEndpoint} did with one refresh request. */
export interface TokenEndpointRequest {
  /** The refresh token presented. */
  refreshToken: string;
  /** `rotated`: a new pair was issued; `invalid_grant`: refused (reused, refused on purpose, or the grant is revoked). */
  outcome: 'rotated' | 'invalid_grant';
}

/** Options of {@link RotatingTokenEndpoint}. */
export interface RotatingTokenEndpointOptions {
  /** The refresh token of the grant's sign-in (default `rt-0`). */
  firstRefreshToken?: string;
  /** How long each answer takes, so concurrent callers overlap (default 0). */
  delayMs?: number;
  /** Access token lifetime in the answers, in seconds (default 3600). */
  expiresInSeconds?: number;
  /** Runs when a request arrives, before it is answered: the hook for "meanwhile, elsewhere…" scenarios. */
  onRequest?: (refreshToken: string) => Promise<void> | void;
}

/**
 * A token endpoint faked at the `fetch` seam that rotates refresh tokens the
 * way strict providers do (RFC 9700, the OAuth 2.0 Security BCP, §4.14.2):
 * every refresh returns a new refresh token and retires the one presented;
 * presenting a retired one again is taken as a sign of theft, answered
 * `invalid_grant`, and revokes the whole grant, so the live refresh token
 * dies too. A client that lets two copies redeem the same refresh token signs
 * everybody out, which is what the store contract guards against.
 *
 * @example
 * ```ts
 * const endpoint = new RotatingTokenEndpoint({ delayMs: 30 });
 * const client = new OAuthClient({ provider: endpoint.provider, clientId: 'c', store, fetch: endpoint.fetch });
 * await client.getAccessToken(); // with 'rt-0' stored: one request, 'at-1' and 'rt-1'
 * expect(endpoint.count('invalid_grant')).toBe(0);
 * ```
 */
export class RotatingTokenEndpoint {
  /** The fake issuer; nothing listens there, every request goes through {@link fetch}. */
  static readonly ISSUER = 'https://as.store-contract.test';
  /** A provider whose token endpoint is this fake (no discovery). */
  readonly provider: OAuthProvider = {
    name: 'store-contract',
    issuer: RotatingTokenEndpoint.ISSUER,
    metadata: { issuer: RotatingTokenEndpoint.ISSUER, authorization_endpoint: `${RotatingTokenEndpoint.ISSUER}/authorize`, token_endpoint: `${RotatingTokenEndpoint.ISSUER}/token` },
    defaultScopes: ['read'],
  };
  /** Every refresh request, in order of arrival. */
  readonly requests: TokenEndpointRequest[] = [];
  readonly #options: RotatingTokenEndpointOptions;
  #live: string | undefined;
  readonly #retired = new Set<string>();
  readonly #refused = new Set<string>();
  #issued = 0;

  constructor(options: RotatingTokenEndpointOptions = {}) {
    this.#options = options;
    this.#live = options.firstRefreshToken ?? 'rt-0';
  }

  /** The refresh token that works now, or `undefined` once the grant is revoked. */
  get liveRefreshToken(): string | undefined {
    return this.#live;
  }

  /** How many requests ended with `outcome`. */
  count(outcome: TokenEndpointRequest['outcome']): number {
    return this.requests.filter((request) => request.outcome === outcome).length;
  }

  /** Answers `invalid_grant` to `refreshToken` without revoking the grant (as when another copy already redeemed it elsewhere). */
  refuse(refreshToken: string): void {
    this.#refused.add(refreshToken);
  }

  /** Revokes the grant (the user removed the app): every refresh is refused from now on. */
  revokeGrant(): void {
    this.#live = undefined;
  }

  /** The fetch seam to give `OAuthClient`. */
  readonly fetch = (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input instanceof Request ? input.url : input);
    if (url !== `${RotatingTokenEndpoint.ISSUER}/token`) return json(404, { error: 'not_found' });
    const body = new URLSearchParams(String(init?.body ?? ''));
    const refreshToken = body.get('refresh_token') ?? '';
    if (body.get('grant_type') !== 'refresh_token' || refreshToken === '') return json(400, { error: 'unsupported_grant_type' });
    await this.#options.onRequest?.(refreshToken);
    if (this.#options.delayMs) await new Promise((resolve) => setTimeout(resolve, this.#options.delayMs));
    return this.#answer(refreshToken);
  }) as typeof fetch;

  #answer(refreshToken: string): Response {
    if (this.#retired.has(refreshToken)) {
      // Reuse of a rotated token: RFC 9700 §4.14.2 has the server revoke the active one too.
      this.#live = undefined;
      return this.#refusal(refreshToken, 'refresh token reused');
    }
    if (this.#refused.has(refreshToken) || refreshToken !== this.#live) return this.#refusal(refreshToken, 'refresh token not valid');
    this.#retired.add(refreshToken);
    this.#issued += 1;
    this.#live = `rt-${this.#issued}`;
    this.requests.push({ refreshToken, outcome: 'rotated' });
    return json(200, { access_token: `at-${this.#issued}`, token_type: 'Bearer', expires_in: this.#options.expiresInSeconds ?? 3600, refresh_token: this.#live, scope: 'read' });
  }

  #refusal(refreshToken: string, description: string): Response {
    this.requests.push({ refreshToken, outcome: 'invalid_grant' });
    return json(400, { error: 'invalid_grant', error_description: description });
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
