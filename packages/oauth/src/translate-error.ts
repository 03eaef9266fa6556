import * as oauth from 'oauth4webapi';
import * as oidc from 'openid-client';
import { OAuthError, type OAuthErrorCode } from './errors.js';

/**
 * Turns whatever openid-client (or fetch underneath it) threw into an
 * {@link OAuthError}. This is the one translation point: everything that talks
 * to a provider goes through it, so codes stay consistent.
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
    return fromProviderErrorBody(err.error, err.error_description, err.status, operation, err);
  }
  if (err instanceof oidc.WWWAuthenticateChallengeError) {
    // A 401 from the token endpoint is invalid_client (RFC 6749 §5.2) even
    // when the server puts its answer in a WWW-Authenticate challenge.
    const challenge = err.cause.find((c) => typeof c.parameters.error === 'string');
    const error = challenge?.parameters.error ?? (err.status === 401 ? 'invalid_client' : 'invalid_token');
    return fromProviderErrorBody(error, challenge?.parameters.error_description, err.status, operation, err);
  }
  if (err instanceof oidc.AuthorizationResponseError) {
    const code: OAuthErrorCode = err.error === 'access_denied' ? 'OAUTH_ACCESS_DENIED' : 'OAUTH_AUTHORIZATION_FAILED';
    return new OAuthError(code, `Authorization failed: the provider returned ${describeProviderError(err.error, err.error_description)}`, {
      cause: err,
      error: err.error,
      errorDescription: err.error_description,
    });
  }
  // openid-client re-wraps oauth4webapi's processing errors; direct oauth4webapi
  // callers (discovery) get the originals. Both carry the same codes.
  if (err instanceof oidc.ClientError || err instanceof oauth.OperationProcessingError) {
    const response = err.cause instanceof Response ? err.cause : undefined;
    switch (err.code) {
      case 'OAUTH_RESPONSE_IS_NOT_CONFORM':
      case 'OAUTH_RESPONSE_IS_NOT_JSON': {
        const status = response?.status;
        if (status !== undefined && status >= 500) {
          return new OAuthError('OAUTH_SERVER_ERROR', `The provider failed during ${operation} (HTTP ${status}); try again later.`, { cause: err, status });
        }
        const what = err.code === 'OAUTH_RESPONSE_IS_NOT_JSON' ? `a ${JSON.stringify(response?.headers.get('content-type') ?? 'non-JSON')} body instead of JSON` : `an unexpected HTTP status${status ? ` ${status}` : ''}`;
        return new OAuthError('OAUTH_INVALID_RESPONSE', `The provider answered ${operation} with ${what}; check the provider's endpoints.`, {
          cause: err,
          ...(status === undefined ? {} : { status }),
        });
      }
      case 'OAUTH_INVALID_RESPONSE': {
        const detail = err.cause instanceof Error ? err.cause.message : err.message;
        if (detail.includes('"iss"')) {
          return new OAuthError('OAUTH_ISSUER_MISMATCH', `The authorization response's issuer ("iss") is missing or names another server; the sign-in was stopped (possible mix-up attack).`, { cause: err });
        }
        if (detail.includes('"state"')) {
          return new OAuthError('OAUTH_STATE_MISMATCH', 'The authorization response\'s "state" does not match this sign-in.', { cause: err });
        }
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
  if (err instanceof DOMException && (err.name === 'AbortError' || err.name === 'TimeoutError')) {
    return new OAuthError('OAUTH_ABORTED', `${capitalize(operation)} was aborted.`, { cause: err });
  }
  if (err instanceof TypeError) {
    // fetch() reports unreachable hosts, refused connections and DNS failures as TypeError.
    return new OAuthError('OAUTH_NETWORK', `Could not reach the provider for ${operation}: ${networkReason(err)}. Check the network connection.`, { cause: err });
  }
  return new OAuthError('OAUTH_INVALID_RESPONSE', `${capitalize(operation)} failed unexpectedly.`, { cause: err });
}

/**
 * Builds the error for an OAuth error body (`{ error, error_description }`)
 * from a token, revocation or device endpoint.
 */
export function fromProviderErrorBody(
  error: string,
  errorDescription: string | undefined,
  status: number,
  operation: string,
  cause?: unknown,
): OAuthError {
  const said = describeProviderError(error, errorDescription);
  const options = { cause, error, status, ...(errorDescription === undefined ? {} : { errorDescription }) };
  if (error === 'invalid_client') {
    return new OAuthError('OAUTH_INVALID_CLIENT', `The provider rejected the client credentials during ${operation}: ${said}. Check the client id and secret.`, options);
  }
  if (error === 'invalid_grant') {
    return new OAuthError('OAUTH_INVALID_GRANT', `The provider rejected the grant during ${operation}: ${said}. Sign in again.`, options);
  }
  if (status >= 500) {
    return new OAuthError('OAUTH_SERVER_ERROR', `The provider failed during ${operation} (HTTP ${status}): ${said}.`, options);
  }
  return new OAuthError('OAUTH_PROVIDER_ERROR', `The provider refused ${operation}: ${said}.`, options);
}

function describeProviderError(error: string, errorDescription: string | undefined): string {
  return errorDescription ? `${JSON.stringify(error)} (${JSON.stringify(errorDescription)})` : JSON.stringify(error);
}

function networkReason(err: TypeError): string {
  const cause = err.cause;
  if (cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return err.message;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
