import type * as oidc from 'openid-client';
import type { ProviderQuirks } from './provider-quirks.js';

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
  /** The provider's name for people ("Google"); default: `name`. */
  readonly label?: string;
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
  /** How the provider departs from the RFCs on the wire (see {@link ProviderQuirks}). */
  readonly quirks?: ProviderQuirks;
  /**
   * Every host the provider's endpoints and APIs live on. An emulated
   * provider ({@link emulateProvider}) has requests to these hosts routed to
   * the emulator; nothing else is rerouted.
   */
  readonly hosts?: readonly string[];
  /** An API that says who signed in: for a generated `whoami` command and checks. */
  readonly accountApi?: AccountApi;
  /** What to register at the provider for the loopback and device flows. */
  readonly registration?: ProviderRegistration;
  /** Set on a provider whose requests go to a local emulator: its origin. */
  readonly emulator?: string;
}

/** An API endpoint that answers with the signed-in account. */
export interface AccountApi {
  /** GET this URL with the bearer token. */
  readonly url: string;
  /** Headers the API expects (GitHub: its media type). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Scopes the API needs beyond the provider's default scopes. */
  readonly scopes?: readonly string[];
  /**
   * Fields of its JSON answer that name the account, first found wins; when
   * set, a sign-in whose token response names nobody asks this API once.
   */
  readonly accountFields?: readonly string[];
}

/** What a user registers at the provider so our flows work. */
export interface ProviderRegistration {
  /** The redirect (callback) URI to register for the loopback flow. */
  readonly redirectUri: string;
  /** The kind of app to create, and switches to turn on, in the provider's words. */
  readonly steps: string;
  /** Where the provider documents it. */
  readonly docs: string;
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
