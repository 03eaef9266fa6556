import { inspect } from 'node:util';
import * as oidc from 'openid-client';
import { defaultOpenBrowser, type OpenBrowser } from './browser-opener.js';
import { OAuthError } from './errors.js';
import { DEFAULT_AUTHORIZE_TIMEOUT_MS, runLoopbackFlow, type AuthorizeProgressEvent, type TokenEndpointResult } from './loopback-flow.js';
import type { PortOption } from './loopback-receiver.js';
import { DEFAULT_CALLBACK_PATH, isLoopbackUrl, type OAuthProvider } from './provider.js';
import { TokenSet, parseScopes, type StoredTokens } from './token-set.js';
import type { TokenStore } from './token-store.js';
import { translateProviderError } from './translate-error.js';

/**
 * An access token this close to its expiry is no longer handed out: a request
 * started with it could arrive after it died.
 */
export const ACCESS_TOKEN_EXPIRY_MARGIN_MS = 10_000;

/** Options of {@link OAuthClient}. */
export interface OAuthClientOptions {
  provider: OAuthProvider;
  clientId: string;
  /** Absent for public clients (PKCE only). Never stored, logged or shown. */
  clientSecret?: string;
  /** Scopes to request; default: the provider's `defaultScopes`. */
  scopes?: readonly string[];
  store: TokenStore;
  /** HTTP seam for every provider request; default: global fetch. */
  fetch?: typeof fetch;
  /** Clock seam (epoch ms); default: `Date.now`. */
  now?: () => number;
}

/** Options of {@link OAuthClient.authorize}. */
export interface AuthorizeOptions {
  /** Opens the authorization URL; default: `BROWSER`, else the platform opener. A failure is reported, not fatal. */
  openBrowser?: OpenBrowser;
  /** `0` (default) for any free port, a port, or `{ from, to }` to try in order. */
  port?: PortOption;
  /** Default {@link DEFAULT_AUTHORIZE_TIMEOUT_MS} (5 min). */
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (event: AuthorizeProgressEvent) => void;
  /** Callback path on the loopback server; default `/callback`. */
  callbackPath?: string;
  /** Extra authorization request parameters (`login_hint`, ...). */
  authorizationParams?: Readonly<Record<string, string>>;
}

/**
 * An OAuth 2.0 client for one provider, one client registration and one token store.
 *
 * @example
 * ```ts
 * const client = new OAuthClient({
 *   provider: providers.google,
 *   clientId, clientSecret,
 *   scopes: ['openid', 'email', 'https://www.googleapis.com/auth/gmail.readonly'],
 *   store: new FileTokenStore(join(agentDir, 'token.json')),
 * });
 * await client.authorize({ onProgress: (e) => e.type === 'browser-failed' && console.log(`Open ${e.authorizationUrl}`) });
 * const accessToken = await client.getAccessToken();
 * ```
 */
export class OAuthClient {
  readonly provider: OAuthProvider;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly store: TokenStore;
  readonly #clientSecret: string | undefined;
  readonly #fetch: typeof fetch | undefined;
  readonly #now: () => number;
  #configuration: Promise<oidc.Configuration> | undefined;

  constructor(options: OAuthClientOptions) {
    if (!options.clientId) throw new OAuthError('OAUTH_INVALID_ARGUMENT', 'clientId is empty; set the client id of your OAuth app registration.');
    this.provider = options.provider;
    this.clientId = options.clientId;
    this.#clientSecret = options.clientSecret || undefined;
    this.scopes = Object.freeze([...(options.scopes ?? options.provider.defaultScopes)]);
    this.store = options.store;
    this.#fetch = options.fetch;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Signs in through the browser (RFC 8252 loopback flow with PKCE), saves
   * the tokens to the store and returns them.
   */
  async authorize(options: AuthorizeOptions = {}): Promise<TokenSet> {
    const onProgress = options.onProgress ?? (() => undefined);
    const config = await this.#getConfiguration();
    const response = await runLoopbackFlow({
      config,
      scopes: this.scopes,
      authorizationParams: { ...this.provider.authorizationParams, ...options.authorizationParams },
      callbackPath: options.callbackPath ?? DEFAULT_CALLBACK_PATH,
      port: options.port ?? 0,
      timeoutMs: options.timeoutMs ?? DEFAULT_AUTHORIZE_TIMEOUT_MS,
      openBrowser: options.openBrowser ?? defaultOpenBrowser,
      onProgress,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const tokens = this.#toStoredTokens(config, response);
    await this.store.save(tokens);
    onProgress({
      type: 'saved',
      store: this.store.description,
      scopes: tokens.scopes,
      ...(tokens.expiresAt === undefined ? {} : { expiresAt: tokens.expiresAt }),
      ...(tokens.account === undefined ? {} : { account: tokens.account }),
    });
    return new TokenSet(tokens);
  }

  /** The stored tokens for this client, or `undefined` when not signed in. */
  async getTokens(): Promise<TokenSet | undefined> {
    const tokens = await this.store.load();
    if (!tokens || tokens.clientId !== this.clientId) return undefined;
    return new TokenSet(tokens);
  }

  /**
   * The stored access token while it is valid. Throws `OAUTH_NOT_AUTHORIZED`
   * when nothing is stored for this client, `OAUTH_TOKEN_EXPIRED` when it expired.
   */
  async getAccessToken(): Promise<string> {
    const tokens = await this.getTokens();
    if (!tokens) {
      throw new OAuthError('OAUTH_NOT_AUTHORIZED', `Not signed in to ${this.provider.name}: no tokens for client ${JSON.stringify(this.clientId)} in ${this.store.description}. Run the sign-in (authorize) first.`);
    }
    if (tokens.expiresAt !== undefined && this.#now() >= tokens.expiresAt - ACCESS_TOKEN_EXPIRY_MARGIN_MS) {
      throw new OAuthError('OAUTH_TOKEN_EXPIRED', `The ${this.provider.name} access token in ${this.store.description} expired at ${new Date(tokens.expiresAt).toISOString()}. Sign in again (authorize).`);
    }
    return tokens.accessToken;
  }

  toJSON(): Record<string, unknown> {
    return { provider: this.provider.name, clientId: this.clientId, confidential: this.#clientSecret !== undefined, scopes: this.scopes, store: this.store.description };
  }

  [inspect.custom](): string {
    return `OAuthClient ${inspect(this.toJSON())}`;
  }

  #getConfiguration(): Promise<oidc.Configuration> {
    this.#configuration ??= this.#buildConfiguration().catch((err: unknown) => {
      // A failed discovery must not be cached: the next call tries again.
      this.#configuration = undefined;
      throw err;
    });
    return this.#configuration;
  }

  async #buildConfiguration(): Promise<oidc.Configuration> {
    const { provider } = this;
    const insecureLoopback = provider.issuer.startsWith('http:') && isLoopbackUrl(provider.issuer);
    const auth = this.#clientAuth(provider.metadata?.token_endpoint_auth_methods_supported);
    let config: oidc.Configuration;
    if (provider.metadata) {
      config = new oidc.Configuration(provider.metadata, this.clientId, undefined, auth);
    } else {
      try {
        config = await oidc.discovery(new URL(provider.issuer), this.clientId, undefined, auth, {
          ...(this.#fetch ? { [oidc.customFetch]: this.#fetch as oidc.CustomFetch } : {}),
          ...(insecureLoopback ? { execute: [oidc.allowInsecureRequests] } : {}),
        });
      } catch (err) {
        const translated = translateProviderError(err, 'discovery');
        throw new OAuthError(translated.code === 'OAUTH_NETWORK' ? 'OAUTH_NETWORK' : 'OAUTH_DISCOVERY_FAILED', `Discovery of ${provider.name} (${JSON.stringify(provider.issuer)}) failed: ${translated.message}`, { cause: err });
      }
    }
    if (this.#fetch) config[oidc.customFetch] = this.#fetch as oidc.CustomFetch;
    if (insecureLoopback) oidc.allowInsecureRequests(config);
    return config;
  }

  #clientAuth(supported: readonly string[] | undefined): oidc.ClientAuth {
    if (this.#clientSecret === undefined) return oidc.None();
    const method = this.provider.clientSecretMethod ?? (!supported || supported.includes('client_secret_basic') ? 'client_secret_basic' : 'client_secret_post');
    return method === 'client_secret_post' ? oidc.ClientSecretPost(this.#clientSecret) : oidc.ClientSecretBasic(this.#clientSecret);
  }

  #toStoredTokens(config: oidc.Configuration, response: TokenEndpointResult): StoredTokens {
    const now = this.#now();
    const granted = parseScopes(response.scope);
    const claims = response.claims();
    const account = claims ? firstString(claims.email, claims.preferred_username, claims.sub) : undefined;
    const refreshExpiresIn = (response as { refresh_token_expires_in?: unknown }).refresh_token_expires_in;
    return {
      issuer: config.serverMetadata().issuer,
      clientId: this.clientId,
      tokenType: response.token_type,
      accessToken: response.access_token,
      ...(response.refresh_token ? { refreshToken: response.refresh_token } : {}),
      ...(response.id_token ? { idToken: response.id_token } : {}),
      // RFC 6749 §5.1: an absent scope means the requested scope was granted.
      scopes: granted.length > 0 ? granted : [...this.scopes],
      obtainedAt: now,
      ...(typeof response.expires_in === 'number' ? { expiresAt: now + response.expires_in * 1000 } : {}),
      ...(typeof refreshExpiresIn === 'number' ? { refreshTokenExpiresAt: now + refreshExpiresIn * 1000 } : {}),
      ...(account === undefined ? {} : { account }),
    };
  }
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((v): v is string => typeof v === 'string' && v.length > 0);
}
