import * as oauth from 'oauth4webapi';
import { OAuthError } from './errors.js';
import { isLoopbackUrl, type AuthorizationServerMetadata, type OAuthProvider } from './provider.js';
import { translateProviderError } from './translate-error.js';

/** How long discovery may take before it fails with `OAUTH_NETWORK`. */
export const DISCOVERY_TIMEOUT_MS = 30_000;

/** Options of {@link discoverProvider}. */
export interface DiscoverProviderOptions {
  /** Name for messages; default: the issuer's host. */
  name?: string;
  /** Replaces the default scopes derived from the metadata. */
  defaultScopes?: readonly string[];
  /** HTTP seam; default: global fetch. */
  fetch?: typeof fetch;
  /** Cancels discovery. */
  signal?: AbortSignal;
}

/**
 * Describes any authorization server by its issuer URL: tries OpenID
 * discovery (`/.well-known/openid-configuration`), then RFC 8414
 * (`/.well-known/oauth-authorization-server`). The returned provider carries
 * the metadata, so clients built from it make no further discovery request.
 * Plain `http` is accepted only for loopback issuers.
 *
 * When the server offers `offline_access`, it is requested by default with
 * `prompt=consent`, which OpenID Connect requires before a refresh token is issued.
 *
 * @example
 * ```ts
 * const provider = await discoverProvider('https://auth.example.com');
 * const client = new OAuthClient({ provider, clientId: 'cli', store: new FileTokenStore('token.json') });
 * ```
 */
export async function discoverProvider(issuerUrl: string | URL, options: DiscoverProviderOptions = {}): Promise<OAuthProvider> {
  let issuer: URL;
  try {
    issuer = new URL(issuerUrl);
  } catch (cause) {
    throw new OAuthError('OAUTH_INVALID_ARGUMENT', `${JSON.stringify(String(issuerUrl))} is not a URL; give the issuer as https://host[/path].`, { cause });
  }
  if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && isLoopbackUrl(issuer))) {
    throw new OAuthError('OAUTH_INVALID_ARGUMENT', `Issuer ${JSON.stringify(issuer.href)} must use https (plain http is allowed only on 127.0.0.1/localhost).`);
  }

  const metadata = await fetchMetadata(issuer, options);
  const scopes = metadata.scopes_supported ?? [];
  const offline = scopes.includes('offline_access');
  const defaultScopes = options.defaultScopes ?? [...(scopes.includes('openid') ? ['openid'] : []), ...(offline ? ['offline_access'] : [])];
  return Object.freeze({
    name: options.name ?? issuer.host,
    issuer: metadata.issuer,
    metadata,
    defaultScopes,
    ...(offline ? { authorizationParams: { prompt: 'consent' } } : {}),
  });
}

async function fetchMetadata(issuer: URL, options: DiscoverProviderOptions): Promise<AuthorizationServerMetadata> {
  const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(DISCOVERY_TIMEOUT_MS)]) : AbortSignal.timeout(DISCOVERY_TIMEOUT_MS);
  const failures: string[] = [];
  for (const algorithm of ['oidc', 'oauth2'] as const) {
    try {
      const response = await oauth.discoveryRequest(issuer, {
        algorithm,
        signal,
        ...(options.fetch ? { [oauth.customFetch]: options.fetch } : {}),
        [oauth.allowInsecureRequests]: issuer.protocol === 'http:',
      });
      return await oauth.processDiscoveryResponse(issuer, response);
    } catch (err) {
      const notFound = err instanceof oauth.OperationProcessingError && err.code === oauth.RESPONSE_IS_NOT_CONFORM && err.cause instanceof Response && err.cause.status === 404;
      if (notFound) {
        failures.push(`${algorithm === 'oidc' ? 'OpenID' : 'RFC 8414'} metadata not found`);
        continue;
      }
      const translated = translateProviderError(err, 'discovery');
      throw new OAuthError(
        translated.code === 'OAUTH_NETWORK' || translated.code === 'OAUTH_ABORTED' ? translated.code : 'OAUTH_DISCOVERY_FAILED',
        `Discovery of ${JSON.stringify(issuer.href)} failed: ${translated.message}`,
        { cause: err, ...(translated.status === undefined ? {} : { status: translated.status }) },
      );
    }
  }
  throw new OAuthError('OAUTH_DISCOVERY_FAILED', `Discovery of ${JSON.stringify(issuer.href)} failed: ${failures.join('; ')}. Check the issuer URL.`);
}
