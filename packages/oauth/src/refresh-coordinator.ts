import * as oidc from 'openid-client';
import type { OAuthClientEventMap } from './client-events.js';
import { OAuthError, ReauthorizationRequiredError } from './errors.js';
import { storedTokensFromResponse, type TokenResponse } from './token-response.js';
import type { StoredTokens } from './token-set.js';
import type { TokenStore } from './token-store.js';
import { isFresh } from './token-timing.js';
import { translateProviderError } from './translate-error.js';

/** How transient refresh failures (network, 5xx, 429) are retried. */
export interface RefreshRetryPolicy {
  /** Attempts in all, the first included (default 4). */
  maxAttempts: number;
  /** Delay before the second attempt; doubles each time (default 500 ms). */
  baseDelayMs: number;
  /** Upper bound of one delay (default 8 s). */
  maxDelayMs: number;
}

/** Retry defaults: at most 4 attempts over about 3.5-7 s. */
export const DEFAULT_REFRESH_RETRY: Readonly<RefreshRetryPolicy> = Object.freeze({ maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8_000 });

/**
 * The longest `Retry-After` a refresh waits out before trying again; a
 * provider asking for more gets no retry now (the error carries its
 * `retryAfterMs`, which keepFresh honours).
 */
export const MAX_RETRY_AFTER_WAIT_MS = 30_000;

/** What the coordinator needs from its client. */
export interface RefreshCoordinatorSettings {
  store: TokenStore;
  clientId: string;
  providerName: string;
  getConfiguration: () => Promise<oidc.Configuration>;
  now: () => number;
  skewMs: number;
  retry: RefreshRetryPolicy;
  emit: <K extends keyof OAuthClientEventMap>(name: K, ...payload: OAuthClientEventMap[K]) => void;
  /** Loads this client's tokens (undefined when none, or another client's). */
  load: () => Promise<StoredTokens | undefined>;
}

/**
 * One refresh at a time, machine-wide: concurrent callers in this process
 * share one in-flight refresh, and processes sharing the store take its lock,
 * re-read it, and adopt a token another process already refreshed before
 * redeeming the refresh token themselves. A rotated refresh token is saved
 * before the lock is released.
 */
export class RefreshCoordinator {
  readonly #settings: RefreshCoordinatorSettings;
  #inFlight: Promise<StoredTokens> | undefined;

  constructor(settings: RefreshCoordinatorSettings) {
    this.#settings = settings;
  }

  /**
   * Returns fresh tokens, refreshing if nobody else has. `rejectedAccessToken`
   * forces a refresh when that token is still the stored one (an API said 401).
   */
  refresh(rejectedAccessToken?: string): Promise<StoredTokens> {
    this.#inFlight ??= this.#refreshUnderLock(rejectedAccessToken).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #refreshUnderLock(rejectedAccessToken: string | undefined): Promise<StoredTokens> {
    const { store, emit } = this.#settings;
    const run = () => this.#refreshLocked(rejectedAccessToken);
    if (!store.withLock) return run();
    return store.withLock(run, { onWait: () => emit('lock-wait', { store: store.description }) });
  }

  async #refreshLocked(rejectedAccessToken: string | undefined): Promise<StoredTokens> {
    const { store, emit, now, skewMs, providerName } = this.#settings;
    const current = await this.#settings.load();
    if (!current) {
      throw new OAuthError('OAUTH_NOT_AUTHORIZED', `Not signed in to ${providerName}: no tokens in ${store.description}. Run the sign-in (authorize) first.`);
    }
    if (current.reauthorizationRequired) throw reauthorizationError(providerName, current.reauthorizationRequired.reason);
    if (isFresh(current, now(), skewMs) && current.accessToken !== rejectedAccessToken) {
      // Another process refreshed while we waited for the lock: use its tokens.
      emit('tokens', { source: 'adopted', scopes: current.scopes, ...optionalTimes(current) });
      return current;
    }
    if (!current.refreshToken) {
      return this.#markReauthorizationRequired(current, 'no refresh token was issued, so the expired or rejected access token cannot be renewed');
    }

    let response: TokenResponse;
    let attempts: number;
    try {
      ({ response, attempts } = await this.#redeem(current.refreshToken));
    } catch (err) {
      if (!(err instanceof OAuthError && err.code === 'OAUTH_INVALID_GRANT')) throw err;
      // A process that does not take the lock may have rotated the token
      // meanwhile; only an unchanged refresh token is really dead.
      const latest = await this.#settings.load();
      if (latest && !latest.reauthorizationRequired && latest.refreshToken !== current.refreshToken) {
        emit('tokens', { source: 'adopted', scopes: latest.scopes, ...optionalTimes(latest) });
        return latest;
      }
      return this.#markReauthorizationRequired(current, `the provider refused the refresh token (${err.error ?? 'invalid_grant'}${err.errorDescription ? `: ${err.errorDescription}` : ''})`, err);
    }

    const refreshedAt = now();
    const config = await this.#settings.getConfiguration();
    const next = storedTokensFromResponse(response, { issuer: config.serverMetadata().issuer, clientId: current.clientId, requestedScopes: current.scopes, now: refreshedAt, previous: current });
    await store.save(next);
    const rotated = next.refreshToken !== current.refreshToken;
    if (rotated) emit('rotated', { at: refreshedAt });
    emit('refreshed', { rotated, attempts, ...(next.expiresAt === undefined ? {} : { expiresAt: next.expiresAt }) });
    emit('tokens', { source: 'refresh', scopes: next.scopes, ...optionalTimes(next) });
    return next;
  }

  async #redeem(refreshToken: string): Promise<{ response: TokenResponse; attempts: number }> {
    const { retry } = this.#settings;
    const config = await this.#settings.getConfiguration();
    for (let attempt = 1; ; attempt += 1) {
      try {
        return { response: await oidc.refreshTokenGrant(config, refreshToken), attempts: attempt };
      } catch (raw) {
        const err = translateProviderError(raw, 'token refresh');
        if (!isTransient(err) || attempt >= retry.maxAttempts) throw err;
        // 429 and 503 may say when to come back (RFC 9110 §10.2.3); that wins over our backoff.
        const asked = err.retryAfterMs;
        if (asked !== undefined && asked > MAX_RETRY_AFTER_WAIT_MS) throw err;
        await sleep(asked ?? backoffMs(attempt, retry));
      }
    }
  }

  async #markReauthorizationRequired(current: StoredTokens, reason: string, cause?: unknown): Promise<never> {
    const { store, emit, now, providerName } = this.#settings;
    await store.save({ ...current, reauthorizationRequired: { reason, at: now() } });
    emit('reauthorization-required', { reason });
    throw reauthorizationError(providerName, reason, cause);
  }
}

function reauthorizationError(providerName: string, reason: string, cause?: unknown): ReauthorizationRequiredError {
  return new ReauthorizationRequiredError(`Sign in to ${providerName} again: ${reason}.`, reason, cause === undefined ? {} : { cause });
}

/** Network failures, 5xx and 429 may pass; other 4xx will not. */
export function isTransient(err: OAuthError): boolean {
  return err.code === 'OAUTH_NETWORK' || err.code === 'OAUTH_SERVER_ERROR' || err.status === 429;
}

/** Exponential backoff with jitter: between half and all of base × 2^(attempt-1), capped. */
export function backoffMs(attempt: number, policy: RefreshRetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function optionalTimes(tokens: StoredTokens): { expiresAt?: number; account?: string } {
  return { ...(tokens.expiresAt === undefined ? {} : { expiresAt: tokens.expiresAt }), ...(tokens.account === undefined ? {} : { account: tokens.account }) };
}
