import * as oauth from 'oauth4webapi';
import * as oidc from 'openid-client';
import { OAuthError, type OAuthErrorCode } from './errors.js';
import { PROVIDER_ERROR_FIELD, PROVIDER_HINT_FIELD } from './provider-fetch.js';
import { retryAfterMs } from './retry-after.js';

/**
 * Turns whatever openid-client (or fetch underneath it) threw into an
 * {@link OAuthError}. This is the one translation point: everything that talks
 * to a provider goes through it, so codes stay consistent. It branches on
 * error classes and codes only, never on message text.
 *
 * A programming error (a `TypeError` from bad arguments, any other built-in
 * error that is not a failed request) is rethrown as it is: it is never
 * reported, or retried, as a network failure.
 *
 * `operation` names what was attempted ("token exchange", "discovery") and
 * appears in the message; provider-controlled values are JSON-encoded.
 *
 * @example
 * ```ts
 * try { await oidc.refreshTokenGrant(config, rt); } catch (err) { throw translateProviderError(err, 'refresh'); }
 * ```
 */
export function translateProviderError(err: unknown, operation: string): OAuthError {
  if (err instanceof OAuthError) return err;

  if (err instanceof oidc.ResponseBodyError) {
    const body = err.cause as Record<string, unknown>;
    return fromProviderErrorBody(
      { error: err.error, errorDescription: err.error_description, providerError: stringField(body, PROVIDER_ERROR_FIELD), hint: stringField(body, PROVIDER_HINT_FIELD) },
      err.status,
      operation,
      { cause: err, retryAfterMs: retryAfterMs(err.response.headers) },
    );
  }
  if (err instanceof oidc.WWWAuthenticateChallengeError) {
    // A 401 from the token endpoint is invalid_client (RFC 6749 §5.2) even
    // when the server puts its answer in a WWW-Authenticate challenge.
    const challenge = err.cause.find((c) => typeof c.parameters.error === 'string');
    const error = challenge?.parameters.error ?? (err.status === 401 ? 'invalid_client' : 'invalid_token');
    return fromProviderErrorBody({ error, errorDescription: challenge?.parameters.error_description }, err.status, operation, { cause: err, retryAfterMs: retryAfterMs(err.response.headers) });
  }
  if (err instanceof oidc.AuthorizationResponseError) {
    const code: OAuthErrorCode = err.error === 'access_denied' ? 'OAUTH_ACCESS_DENIED' : 'OAUTH_AUTHORIZATION_FAILED';
    return new OAuthError(code, `Authorization failed: the provider returned ${describeProviderError(err.error, err.error_description)}`, {
      cause: err,
      error: err.error,
      ...(err.error_description === undefined ? {} : { errorDescription: err.error_description }),
    });
  }
  // openid-client re-wraps oauth4webapi's processing errors; direct oauth4webapi
  // callers (discovery) get the originals. Both carry the same codes.
  if (err instanceof oidc.ClientError || err instanceof oauth.OperationProcessingError) {
    return fromProcessingError(err, operation);
  }
  if (err instanceof DOMException && (err.name === 'AbortError' || err.name === 'TimeoutError')) {
    return new OAuthError('OAUTH_ABORTED', `${capitalize(operation)} was aborted.`, { cause: err });
  }
  const reason = networkFailureCode(err);
  if (reason !== undefined) {
    return new OAuthError('OAUTH_NETWORK', `Could not reach the provider for ${operation}: ${reason}. Check the network connection.`, { cause: err });
  }
  throw err;
}

/** What an OAuth error body (`{ error, error_description }`) said, once adapted to RFC shape. */
export interface ProviderErrorBody {
  /** The standard code (RFC 6749 §5.2, RFC 8628 §3.5) the rest of the toolkit branches on. */
  error: string;
  errorDescription?: string | undefined;
  /** The provider's own code, when it used another one (`bad_refresh_token`). */
  providerError?: string | undefined;
  /** What the user should do, from the provider's preset. */
  hint?: string | undefined;
}

/**
 * Builds the error for an OAuth error body from a token, revocation or device
 * endpoint. The code comes from the standard `error`; the error carries the
 * provider's own code, so users and logs see what the provider said.
 */
export function fromProviderErrorBody(body: ProviderErrorBody, status: number, operation: string, extra: { cause?: unknown; retryAfterMs?: number | undefined } = {}): OAuthError {
  const own = body.providerError ?? body.error;
  const said = describeProviderError(own, body.errorDescription);
  const hint = body.hint ? ` ${body.hint}` : '';
  const options = {
    cause: extra.cause,
    error: own,
    status,
    ...(body.errorDescription === undefined ? {} : { errorDescription: body.errorDescription }),
    ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs }),
  };
  if (body.error === 'invalid_client') {
    return new OAuthError('OAUTH_INVALID_CLIENT', `The provider rejected the client credentials during ${operation}: ${said}. Check the client id and secret.${hint}`, options);
  }
  if (body.error === 'invalid_grant') {
    return new OAuthError('OAUTH_INVALID_GRANT', `The provider rejected the grant during ${operation}: ${said}.${hint || ' Sign in again.'}`, options);
  }
  // RFC 8628 §3.5: the token endpoint's answers to a device code the user declined, or let expire.
  if (body.error === 'access_denied') {
    return new OAuthError('OAUTH_ACCESS_DENIED', `Access was not granted during ${operation}: ${said}.${hint}`, options);
  }
  if (body.error === 'expired_token') {
    return new OAuthError('OAUTH_DEVICE_CODE_EXPIRED', `The device code expired during ${operation}: ${said}.${hint}`, options);
  }
  if (status >= 500) {
    return new OAuthError('OAUTH_SERVER_ERROR', `The provider failed during ${operation} (HTTP ${status}): ${said}.${hint}`, options);
  }
  return new OAuthError('OAUTH_PROVIDER_ERROR', `The provider refused ${operation}: ${said}.${hint}`, options);
}

function fromProcessingError(err: oidc.ClientError | oauth.OperationProcessingError, operation: string): OAuthError {
  const response = err.cause instanceof Response ? err.cause : undefined;
  switch (err.code) {
    case 'OAUTH_RESPONSE_IS_NOT_CONFORM':
    case 'OAUTH_RESPONSE_IS_NOT_JSON': {
      const status = response?.status;
      const wait = retryAfterMs(response?.headers);
      const retry = wait === undefined ? {} : { retryAfterMs: wait };
      if (status !== undefined && status >= 500) {
        return new OAuthError('OAUTH_SERVER_ERROR', `The provider failed during ${operation} (HTTP ${status}); try again later.`, { cause: err, status, ...retry });
      }
      if (status === 429) {
        return new OAuthError('OAUTH_PROVIDER_ERROR', `The provider limited the rate of ${operation} (HTTP 429); try again later.`, { cause: err, status, ...retry });
      }
      const what = err.code === 'OAUTH_RESPONSE_IS_NOT_JSON' ? `a ${JSON.stringify(response?.headers.get('content-type') ?? 'non-JSON')} body instead of JSON` : `an unexpected HTTP status${status ? ` ${status}` : ''}`;
      return new OAuthError('OAUTH_INVALID_RESPONSE', `The provider answered ${operation} with ${what}; check the provider's endpoints.`, {
        cause: err,
        ...(status === undefined ? {} : { status }),
      });
    }
    case 'OAUTH_INVALID_RESPONSE': {
      const detail = err.cause instanceof Error ? err.cause.message : err.message;
      return new OAuthError('OAUTH_INVALID_RESPONSE', `The provider's ${operation} response is invalid: ${detail}`, { cause: err });
    }
    case 'OAUTH_TIMEOUT':
      return new OAuthError('OAUTH_NETWORK', `The provider did not answer ${operation} in time.`, { cause: err });
    case 'OAUTH_ABORT':
      return new OAuthError('OAUTH_ABORTED', `${capitalize(operation)} was aborted.`, { cause: err });
    default:
      return new OAuthError('OAUTH_INVALID_RESPONSE', `The provider's ${operation} response could not be used: ${err.message}`, { cause: err });
  }
}

/**
 * The system code of a failed request, or `undefined` when `err` is not one.
 * fetch() reports unreachable hosts, refused connections, DNS and TLS
 * failures as a TypeError whose cause carries the code (`ECONNREFUSED`,
 * `ENOTFOUND`, `UND_ERR_SOCKET`); a TypeError from bad arguments has no such
 * cause, or an `ERR_INVALID_*` one.
 */
function networkFailureCode(err: unknown): string | undefined {
  if (!(err instanceof TypeError)) return undefined;
  const cause: unknown = err.cause;
  if (!(cause instanceof Error)) return undefined;
  const code = (cause as { code?: unknown }).code;
  return typeof code === 'string' && !code.startsWith('ERR_INVALID_') ? code : undefined;
}

function stringField(body: Record<string, unknown> | undefined, field: string): string | undefined {
  const value = body?.[field];
  return typeof value === 'string' ? value : undefined;
}

function describeProviderError(error: string, errorDescription: string | undefined): string {
  return errorDescription ? `${JSON.stringify(error)} (${JSON.stringify(errorDescription)})` : JSON.stringify(error);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
