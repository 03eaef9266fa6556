import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import type * as oidc from 'openid-client';
import { fetchWithAccessToken } from './authorized-fetch.js';
import { defaultOpenBrowser, type OpenBrowser } from './browser-opener.js';
import type { OAuthClientEventMap } from './client-events.js';
import { describeStatus, type OAuthStatus } from './client-status.js';
import { buildConfiguration } from './configuration.js';
import { lookUpAccount } from './account-lookup.js';
import { emulatedUrl, routeToEmulator } from './emulation.js';
import { exclusiveSignIn, type ExclusiveSignInResult } from './exclusive-sign-in.js';
import { OAuthError, ReauthorizationRequiredError } from './errors.js';
import { runKeepFresh } from './keep-fresh.js';
import { DEFAULT_AUTHORIZE_TIMEOUT_MS, runLoopbackFlow, type AuthorizeProgressEvent } from './loopback-flow.js';
import type { PortOption } from './loopback-receiver.js';
import { runDeviceFlow, type DeviceUserCode } from './device-flow.js';
import { DEFAULT_CALLBACK_PATH, type OAuthProvider } from './provider.js';
import { DEFAULT_REFRESH_RETRY, RefreshCoordinator, type RefreshRetryPolicy } from './refresh-coordinator.js';
import { scopesForSignIn, type SignInScopes } from './scope-match.js';
import { revokeStoredTokens, type RevocationResult } from './revocation.js';
import { storedTokensFromResponse, type TokenResponse } from './token-response.js';
import { TokenSet, type StoredTokens } from './token-set.js';
import type { TokenStore } from './token-store.js';
import { DEFAULT_REFRESH_SKEW_MS, refreshDueAt } from './token-timing.js';

/** Options of {@link OAuthClient}. */
export interface OAuthClientOptions {
  provider: OAuthProvider;
  clientId: string;
  /** Absent for public clients (PKCE only). Never stored, logged or shown. */
  clientSecret?: string;
  /** Scopes to request; default: the provider's `defaultScopes`. */
  scopes?: readonly string[];
  store: TokenStore;
  /** HTTP seam for every provider and API request; default: global fetch. */
  fetch?: typeof fetch;
  /** Clock seam (epoch ms); default: `Date.now`. */
  now?: () => number;
  /** Refresh this long before expiry; default {@link DEFAULT_REFRESH_SKEW_MS} (5 min), less for short-lived tokens. */
  refreshSkewMs?: number;
  /** Retries of transient refresh failures; default {@link DEFAULT_REFRESH_RETRY}. */
  retry?: Partial<RefreshRetryPolicy>;
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
  /** More scopes to add to the grant; scopes already granted are kept. */
  scopes?: readonly string[];
  /** Callback path on the loopback server; default `/callback`. */
  callbackPath?: string;
  /** Extra authorization request parameters (`login_hint`, ...). */
  authorizationParams?: Readonly<Record<string, string>>;
}

/**
 * An OAuth 2.0 client for one provider, one client registration and one
 * token store: signs in, hands out access tokens and keeps them fresh.
 *
 * @example
 * ```ts
 * const client = new OAuthClient({
 *   provider: providers.google, clientId, clientSecret,
 *   scopes: ['openid', 'email', 'https://www.googleapis.com/auth/gmail.readonly'],
 *   store: new FileTokenStore(join(agentDir, 'token.json')),
 * });
 * if ((await client.status()).state === 'not-authorized') await client.authorize();
 * const response = await client.fetch('https://gmail.googleapis.com/gmail/v1/users/me/profile');
 * ```
 */
export class OAuthClient extends EventEmitter<OAuthClientEventMap> {
  readonly provider: OAuthProvider;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly store: TokenStore;
  readonly #clientSecret: string | undefined;
  /** The injected or global fetch, routed to the emulator when there is one: for API requests, and under the provider adapter for OAuth endpoints. */
  readonly #apiFetch: typeof fetch;
  readonly #now: () => number;
  readonly #skewMs: number;
  readonly #coordinator: RefreshCoordinator;
  #configuration: Promise<oidc.Configuration> | undefined;
  /** Last tokens seen and when they are due: valid tokens are served from memory, with no disk or lock work. */
  #cache: { tokens: StoredTokens; dueAt: number } | undefined;
  #slowPath: Promise<StoredTokens> | undefined;

  constructor(options: OAuthClientOptions) {
    super();
    if (!options.clientId) throw new OAuthError('OAUTH_INVALID_ARGUMENT', 'clientId is empty; set the client id of your OAuth app registration.');
    this.provider = options.provider;
    this.clientId = options.clientId;
    this.#clientSecret = options.clientSecret || undefined;
    this.scopes = Object.freeze([...(options.scopes ?? options.provider.defaultScopes)]);
    this.store = options.store;
    this.#apiFetch = routeToEmulator(this.provider, options.fetch ?? ((request, init) => globalThis.fetch(request, init)));
    this.#now = options.now ?? Date.now;
    this.#skewMs = options.refreshSkewMs ?? DEFAULT_REFRESH_SKEW_MS;
    this.#coordinator = new RefreshCoordinator({
      store: this.store,
      clientId: this.clientId,
      providerName: this.provider.name,
      getConfiguration: () => this.getConfiguration(),
      now: this.#now,
      skewMs: this.#skewMs,
      retry: { ...DEFAULT_REFRESH_RETRY, ...options.retry },
      emit: (name, ...payload) => (this.emit as (event: string, ...args: unknown[]) => boolean)(name, ...payload),
      load: () => this.#load(),
    });
  }

  /**
   * Signs in through the browser (RFC 8252 loopback flow with PKCE), saves
   * the tokens and returns them. With `scopes`, adds them to the existing
   * grant: where the provider supports incremental consent only the missing
   * scopes are asked for, else all of them at once; none is dropped.
   */
  async authorize(options: AuthorizeOptions = {}): Promise<TokenSet> {
    const onProgress = options.onProgress ?? (() => undefined);
    const config = await this.getConfiguration();
    const { scopes, params } = await this.#scopesToRequest(options.scopes ?? [], { incremental: true });
    const store = this.store.description;
    const { tokens, adopted } = await this.#oneSignInAtATime(scopes.expected, options.signal, () => onProgress({ type: 'waiting-for-other-sign-in', store }), async () => {
      const response = await runLoopbackFlow({
        config,
        scopes: scopes.request,
        authorizationParams: { ...this.provider.authorizationParams, ...params, ...options.authorizationParams },
        callbackPath: options.callbackPath ?? DEFAULT_CALLBACK_PATH,
        port: options.port ?? 0,
        timeoutMs: options.timeoutMs ?? DEFAULT_AUTHORIZE_TIMEOUT_MS,
        openBrowser: options.openBrowser ?? defaultOpenBrowser,
        onProgress,
        presentUrl: (url) => emulatedUrl(this.provider, url),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return this.#saveNewTokens(config, response, scopes.expected, 'authorize');
    });
    const details = { store, scopes: tokens.scopes, ...optional({ expiresAt: tokens.expiresAt, account: tokens.account }) };
    onProgress(adopted ? { type: 'adopted', ...details } : { type: 'saved', ...details });
    return new TokenSet(tokens);
  }

  /**
   * Signs in with the device authorization grant (RFC 8628), for machines
   * without a usable browser: `onUserCode` shows where to go and what to
   * type; the flow polls until the user finishes, then saves the tokens.
   * `onWaiting` is told when another sign-in of this grant is under way first.
   */
  async authorizeWithDevice(options: { onUserCode: (code: DeviceUserCode) => void | Promise<void>; onWaiting?: () => void; signal?: AbortSignal; scopes?: readonly string[] }): Promise<TokenSet> {
    const config = await this.getConfiguration();
    const { scopes } = await this.#scopesToRequest(options.scopes ?? [], { incremental: false });
    const onUserCode = (code: DeviceUserCode) =>
      options.onUserCode({
        ...code,
        verificationUri: emulatedUrl(this.provider, code.verificationUri),
        ...(code.verificationUriComplete === undefined ? {} : { verificationUriComplete: emulatedUrl(this.provider, code.verificationUriComplete) }),
      });
    const { tokens } = await this.#oneSignInAtATime(scopes.expected, options.signal, options.onWaiting, async () => {
      const response = await runDeviceFlow({ config, scopes: scopes.request, onUserCode, now: this.#now, ...(options.signal ? { signal: options.signal } : {}) });
      return this.#saveNewTokens(config, response, scopes.expected, 'device');
    });
    return new TokenSet(tokens);
  }

  /** The stored tokens for this client, or `undefined` when not signed in. */
  async getTokens(): Promise<TokenSet | undefined> {
    const tokens = await this.#load();
    return tokens && new TokenSet(tokens);
  }

  /**
   * A valid access token, refreshed first when due. Throws `OAUTH_NOT_AUTHORIZED`
   * when not signed in and {@link ReauthorizationRequiredError} when only a new
   * sign-in helps. While the token is valid this is a memory lookup.
   */
  async getAccessToken(): Promise<string> {
    const cache = this.#cache;
    if (cache !== undefined && this.#now() < cache.dueAt) return cache.tokens.accessToken;
    // Concurrent callers share one slow path: one store read, then at most one refresh.
    this.#slowPath ??= this.#freshTokens().finally(() => {
      this.#slowPath = undefined;
    });
    return (await this.#slowPath).accessToken;
  }

  /** `fetch` with the bearer token; on a 401 blaming the token, refreshes once and retries once. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    return fetchWithAccessToken(
      {
        fetch: this.#apiFetch,
        getAccessToken: () => this.getAccessToken(),
        refreshRejected: async (rejected) => this.#remember(await this.#coordinator.refresh(rejected)).accessToken,
      },
      input,
      init,
    );
  }

  /**
   * Refreshes in the background ahead of expiry until `signal` aborts; for
   * long-running programs. Failures are emitted as events and retried later;
   * the returned promise settles when the loop has stopped.
   */
  keepFresh(options: { signal: AbortSignal; onError?: (err: unknown) => void }): Promise<void> {
    return runKeepFresh({
      now: this.#now,
      skewMs: this.#skewMs,
      signal: options.signal,
      load: () => this.#load(),
      ensureFresh: () => this.getAccessToken(),
      onError: options.onError ?? (() => undefined),
    });
  }

  /** Revokes the tokens at the provider (RFC 7009) where it can, then clears the store. */
  async revoke(): Promise<RevocationResult> {
    const result = await revokeStoredTokens({
      config: await this.getConfiguration(),
      store: this.store,
      providerName: this.provider.name,
      load: () => this.#load(),
      grantRevocation: this.provider.quirks?.grantRevocation,
      clientId: this.clientId,
      clientSecret: this.#clientSecret,
      fetch: this.#apiFetch,
    });
    this.#cache = undefined;
    return result;
  }

  /** Where this client's auth stands, without touching the network. */
  async status(): Promise<OAuthStatus> {
    return describeStatus(await this.#load(), { provider: this.provider, store: this.store.description, wantedScopes: this.scopes, now: this.#now(), skewMs: this.#skewMs });
  }

  /** The openid-client configuration (endpoints discovered on first use). For extensions such as the device flow. */
  getConfiguration(): Promise<oidc.Configuration> {
    this.#configuration ??= buildConfiguration({ provider: this.provider, clientId: this.clientId, clientSecret: this.#clientSecret, fetch: this.#apiFetch }).catch((err: unknown) => {
      // A failed discovery must not be cached: the next call tries again.
      this.#configuration = undefined;
      throw err;
    });
    return this.#configuration;
  }

  toJSON(): Record<string, unknown> {
    return { provider: this.provider.name, clientId: this.clientId, confidential: this.#clientSecret !== undefined, scopes: this.scopes, store: this.store.description };
  }

  [inspect.custom](): string {
    return `OAuthClient ${inspect(this.toJSON())}`;
  }

  /** Runs a sign-in under the store's sign-in lock (see {@link exclusiveSignIn}); adopted tokens become current too. */
  async #oneSignInAtATime(wanted: readonly string[], signal: AbortSignal | undefined, onWait: (() => void) | undefined, signIn: () => Promise<StoredTokens>): Promise<ExclusiveSignInResult> {
    const result = await exclusiveSignIn({ store: this.store, clientId: this.clientId, wantedScopes: wanted, quirks: this.provider.quirks, now: this.#now, signal, ...(onWait ? { onWait } : {}) }, signIn);
    if (result.adopted) this.#remember(result.tokens);
    return result;
  }

  /** Saves tokens from a sign-in (loopback or device) and makes them current. */
  async #saveNewTokens(config: oidc.Configuration, response: TokenResponse, requestedScopes: readonly string[], source: 'authorize' | 'device'): Promise<StoredTokens> {
    const now = this.#now();
    const parsed = storedTokensFromResponse(response, { issuer: config.serverMetadata().issuer, clientId: this.clientId, requestedScopes, now });
    const account = parsed.account ?? (await lookUpAccount(this.provider, parsed.accessToken, this.#apiFetch));
    const tokens = account === undefined ? parsed : { ...parsed, account };
    await this.store.save(tokens);
    this.#remember(tokens);
    this.emit('tokens', { source, scopes: tokens.scopes, ...optional({ expiresAt: tokens.expiresAt, account: tokens.account }) });
    return tokens;
  }

  async #freshTokens(): Promise<StoredTokens> {
    const stored = await this.#load();
    if (!stored) {
      throw new OAuthError('OAUTH_NOT_AUTHORIZED', `Not signed in to ${this.provider.name}: no tokens for client ${JSON.stringify(this.clientId)} in ${this.store.description}. Run the sign-in (authorize) first.`);
    }
    if (stored.reauthorizationRequired) {
      const { reason } = stored.reauthorizationRequired;
      throw new ReauthorizationRequiredError(`Sign in to ${this.provider.name} again: ${reason}.`, reason);
    }
    if (this.#cache && this.#now() < this.#cache.dueAt) return stored;
    return this.#remember(await this.#coordinator.refresh());
  }

  /** Loads this client's tokens, remembering them; tokens of another client count as none. */
  async #load(): Promise<StoredTokens | undefined> {
    const tokens = await this.store.load();
    if (!tokens || tokens.clientId !== this.clientId) {
      this.#cache = undefined;
      return undefined;
    }
    return this.#remember(tokens);
  }

  #remember(tokens: StoredTokens): StoredTokens {
    this.#cache = tokens.reauthorizationRequired ? undefined : { tokens, dueAt: refreshDueAt(tokens, this.#skewMs) ?? Number.POSITIVE_INFINITY };
    return tokens;
  }

  /** Scopes for a new sign-in (see {@link scopesForSignIn}); a corrupt token file is moved aside by load(), and the new sign-in replaces it. */
  async #scopesToRequest(extra: readonly string[], mode: { incremental: boolean }): Promise<SignInScopes> {
    return scopesForSignIn(this.provider, [...this.scopes, ...extra], await this.#load().catch(() => undefined), mode);
  }
}

function optional<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
