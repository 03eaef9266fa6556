import type * as oidc from 'openid-client';

/** Authorization server metadata (RFC 8414 / OpenID Discovery field names). */
export type AuthorizationServerMetadata = oidc.ServerMetadata;

/** How the client authenticates at the token endpoint when it has a secret. */
export type ClientSecretMethod = 'client_secret_basic' | 'client_secret_post';

/**
 * Everything the toolkit needs to know about an authorization server.
 * Presets live in {@link providers}; any other server is described by
 * {@link discoverProvider}.
 *
 * @example
 * ```ts
 * const provider: OAuthProvider = { name: 'acme', issuer: 'https://id.acme.test', defaultScopes: ['openid'] };
 * ```
 */
export interface OAuthProvider {
  /** Short name for messages and status output ("google"). */
  readonly name: string;
  /** The issuer identifier; discovery starts here when `metadata` is absent. */
  readonly issuer: string;
  /** Static endpoints. When absent, metadata is discovered from `issuer` on first use. */
  readonly metadata?: AuthorizationServerMetadata;
  /** Scopes requested when the client names none. */
  readonly defaultScopes: readonly string[];
  /** Extra authorization request parameters this provider needs (Google: `access_type=offline`). */
  readonly authorizationParams?: Readonly<Record<string, string>>;
  /** Token endpoint authentication for confidential clients (default: basic when the server supports it). */
  readonly clientSecretMethod?: ClientSecretMethod;
  /**
   * Parameters that make the provider add new scopes to the existing grant
   * (Google: `include_granted_scopes=true`); then only missing scopes are
   * requested. Without it, a new sign-in asks for all scopes at once.
   */
  readonly incrementalAuthorizationParams?: Readonly<Record<string, string>>;
  /** What the provider is known to do to refresh tokens, for early warnings. */
  readonly refreshTokenLifetimeHint?: RefreshTokenLifetimeHint;
}

/** A known limit on refresh tokens that the token response does not state. */
export interface RefreshTokenLifetimeHint {
  /** After this long the refresh token may stop working. */
  maxAgeMs: number;
  /** Why, for the user ("Google apps in Testing mode keep refresh tokens 7 days"). */
  note: string;
}

/** The loopback callback path used unless a flow names another. */
export const DEFAULT_CALLBACK_PATH = '/callback';

const google: OAuthProvider = Object.freeze({
  name: 'google',
  issuer: 'https://accounts.google.com',
  metadata: {
    issuer: 'https://accounts.google.com',
    authorization_endpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
    token_endpoint: 'https://oauth2.googleapis.com/token',
    revocation_endpoint: 'https://oauth2.googleapis.com/revoke',
    device_authorization_endpoint: 'https://oauth2.googleapis.com/device/code',
    userinfo_endpoint: 'https://openidconnect.googleapis.com/v1/userinfo',
    jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
    code_challenge_methods_supported: ['S256'],
  },
  defaultScopes: ['openid', 'email'],
  // Google issues a refresh token only for offline access, and only again on
  // a fresh consent: without both, a second sign-in returns no refresh token.
  authorizationParams: { access_type: 'offline', prompt: 'consent' },
  clientSecretMethod: 'client_secret_post',
  incrementalAuthorizationParams: { include_granted_scopes: 'true' },
  refreshTokenLifetimeHint: {
    maxAgeMs: 7 * 24 * 3_600_000,
    note: 'Google apps whose OAuth consent screen is in "Testing" status get refresh tokens that expire after 7 days; publish the app to avoid this',
  },
});

const github: OAuthProvider = Object.freeze({
  name: 'github',
  issuer: 'https://github.com',
  metadata: {
    issuer: 'https://github.com',
    authorization_endpoint: 'https://github.com/login/oauth/authorize',
    token_endpoint: 'https://github.com/login/oauth/access_token',
    device_authorization_endpoint: 'https://github.com/login/device/code',
    code_challenge_methods_supported: ['S256'],
  },
  defaultScopes: ['read:user'],
  clientSecretMethod: 'client_secret_post',
});

/** Options of {@link providers.microsoft}. */
export interface MicrosoftProviderOptions {
  /** `common` (default), `organizations`, `consumers`, or a tenant id / domain. */
  tenant?: string;
}

function microsoft(options: MicrosoftProviderOptions = {}): OAuthProvider {
  const tenant = options.tenant ?? 'common';
  if (!/^[A-Za-z0-9.-]+$/.test(tenant)) {
    throw new TypeError(`Microsoft tenant ${JSON.stringify(tenant)} is not a tenant id, domain, "common", "organizations" or "consumers".`);
  }
  // No static metadata: discovery lets openid-client apply its Entra ID
  // multi-tenant issuer handling ("{tenantid}" in the issuer).
  return Object.freeze({
    name: 'microsoft',
    issuer: `https://login.microsoftonline.com/${tenant}/v2.0`,
    defaultScopes: ['openid', 'profile', 'email', 'offline_access'],
    clientSecretMethod: 'client_secret_post',
  });
}

/**
 * The local sandbox of `opperator sandbox start` on its default port
 * (SANDBOX_DEFAULT_PORT of @opperator/sandbox; repeated here so this package
 * does not depend on the server). No static metadata: its endpoints are
 * discovered on first use, over loopback http.
 */
const sandbox: OAuthProvider = Object.freeze({
  name: 'sandbox',
  issuer: 'http://127.0.0.1:9440',
  defaultScopes: ['openid', 'email', 'offline_access'],
  // oidc-provider issues a refresh token for offline_access only with a fresh consent.
  authorizationParams: { prompt: 'consent' },
});

/**
 * Presets for well-known providers, and `sandbox` for the local one.
 *
 * @example
 * ```ts
 * new OAuthClient({ provider: providers.google, clientId, clientSecret, scopes: ['https://www.googleapis.com/auth/gmail.readonly'], store });
 * new OAuthClient({ provider: providers.microsoft({ tenant: 'organizations' }), clientId, store });
 * ```
 */
export const providers = Object.freeze({ google, github, microsoft, sandbox });

/** True for http(s) URLs whose host is a loopback address: the only place plain http is allowed. */
export function isLoopbackUrl(url: string | URL): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}
