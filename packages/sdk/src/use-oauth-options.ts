import type { SignInPath } from './sign-in-path.js';
import type { OAuthProvider, RevocationResult, TokenStore } from '@opperator/oauth';
import type { InvokingClient } from '@opperator/protocol';
import type { ProgressUpdate } from './types.js';
import type { UseOAuthStatus } from './use-oauth-section.js';

/**
 * Options of `Agent.useOAuth()`. Only secret *names* are given here: the
 * values are read through the daemon when needed and never written to disk.
 *
 * @example
 * ```ts
 * const gmail = this.useOAuth({
 *   name: 'gmail', provider: 'google',
 *   scopes: ['openid', 'email', 'https://www.googleapis.com/auth/gmail.readonly'],
 *   clientIdSecret: 'gmail_client_id', clientSecretSecret: 'gmail_client_secret',
 * });
 * ```
 */
export interface UseOAuthOptions {
  /** Names the commands (`authorize_<name>`, `sign_out_<name>`) and the section (`oauth_<name>`). */
  name: string;
  /** A preset name (`sandbox`: the local `opperator sandbox start`), an issuer URL (discovered on first use), or a provider object. */
  provider: OAuthProvider | 'google' | 'github' | 'microsoft' | 'sandbox' | (string & {});
  /** Scopes to request; default: the provider's default scopes. */
  scopes?: readonly string[];
  /** Name of the secret holding the OAuth client id. */
  clientIdSecret: string;
  /** Name of the secret holding the client secret; omit for public (PKCE-only) clients. */
  clientSecretSecret?: string;
  /** Token file; relative paths are inside the agent folder. Default `token.json` (or agents.yaml's `token_store`). */
  tokenFile?: string;
  /**
   * Where the tokens live instead of a file: a `TokenStore`, or a location
   * for `openTokenStore` (`redis://…`, `postgres://…`, a path), to share one
   * grant between processes and hosts with one refresh per expiry
   * (docs/scale-out.md). The store package must be installed in the agent's
   * folder (`npm install @opperator/store-redis`). Default: `tokenFile`, else
   * `token_store` in agents.yaml, else `token.json`.
   */
  store?: TokenStore | string;
  /** The record's key in a shared store; default `opperator/<agent>/<name>`, the same on every host running the agent. */
  storeKey?: string;
  /** Expected account, passed to the browser flow as `login_hint` (not enforced). */
  account?: string;
  /** Section title; default `<Provider> Authentication`. */
  title?: string;
  /**
   * A local emulator of the provider (`opperator sandbox start --emulate`) to
   * send its requests to, e.g. `http://127.0.0.1:9440`; default: the
   * agent's `OPPERATOR_EMULATE` (see `Agent.providerEmulator`); `false`: the
   * real provider always. Applies to Google, GitHub and Microsoft.
   */
  emulator?: string | false;
}

/**
 * Options of {@link UseOAuthHandle.authorize}.
 *
 * @example
 * ```ts
 * await gmail.authorize({ device: true, onProgress: (p) => this.logInfo(String(p)) });
 * ```
 */
export interface UseOAuthAuthorizeOptions {
  /** Use the device flow (a code to type on another device) instead of the browser; same as `path: 'device'`. */
  device?: boolean;
  /**
   * How the user signs in: `browser`, `paste` (open the page anywhere, paste
   * the address it ends on into the client) or `device`; default: chosen
   * from where the user is (see `chooseSignInPath`).
   */
  path?: SignInPath;
  /** Scopes to add to the grant (incremental consent): asked for with the ones already granted or configured, none dropped. */
  scopes?: readonly string[];
  /** Cancels the sign-in. */
  signal?: AbortSignal;
  /** Receives each step in words. */
  onProgress?: (update: ProgressUpdate) => void;
  /** The interactive client waiting on the sign-in (a command's `ctx.client`): it opens the sign-in page where the user is. */
  client?: InvokingClient | undefined;
}

/**
 * The result of a successful sign-in.
 *
 * @example
 * ```ts
 * const { account } = await gmail.authorize();
 * ```
 */
export interface UseOAuthAuthorizeResult {
  /** The signed-in account, when the provider names it. */
  account?: string;
  /** Scopes granted. */
  scopes: string[];
}

/**
 * What `Agent.useOAuth()` returns: tokens on demand, kept fresh in the
 * background while the agent runs.
 *
 * @example
 * ```ts
 * const res = await gmail.fetch('https://gmail.googleapis.com/gmail/v1/users/me/profile');
 * ```
 */
export interface UseOAuthHandle {
  /** The `name` given to `useOAuth`. */
  readonly name: string;
  /** A valid access token (refreshed first when due). Throws naming the fix when not signed in or credentials are missing. */
  getAccessToken(): Promise<string>;
  /** `fetch` with the bearer token; refreshes and retries once on a 401. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Where the sign-in stands (re-reads the secrets). Never throws for missing credentials. */
  status(): Promise<UseOAuthStatus>;
  /** What `authorize_<name>` does, for agents that override that command. */
  authorize(options?: UseOAuthAuthorizeOptions): Promise<UseOAuthAuthorizeResult>;
  /** What `sign_out_<name>` does: revokes at the provider where possible and deletes the token file. */
  signOut(): Promise<RevocationResult>;
  /** Recomputes the auth-status section now (it also updates itself on every change). */
  refreshSection(): Promise<void>;
  /**
   * `url` on the provider's emulator when the provider is emulated, else
   * `url` itself: for API clients with their own HTTP that take a base URL
   * with a path (Octokit's `baseUrl`). `fetch()` needs no such help, and is
   * the better choice where a client takes a fetch (Google's clients:
   * `fetchImplementation`), since it also brings the token. Google's clients
   * drop the path of a `rootUrl`, so this cannot serve them.
   *
   * @example
   * ```ts
   * const octokit = new Octokit({ baseUrl: this.github.apiUrl('https://api.github.com'), auth: await this.github.getAccessToken() });
   * ```
   */
  apiUrl(url: string): string;
}
