import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type ClientMetadata, type JWK } from 'oidc-provider';
import { handleAdminApi, revokeGrants, type RevokeGrantsOptions } from './admin-api.js';
import { DEMO_API_PREFIX, handleDemoApi } from './demo-api.js';
import { emulatedUrl } from './emulators/emulated-url.js';
import type { EmulatedProvider } from './emulators/emulator-types.js';
import { handleEmulatorAdminApi } from './emulators/emulator-admin-api.js';
import { createEmulators, handleEmulatedRequest, parseEmulatedProviders, type Emulators } from './emulators/emulators.js';
import { isGithubAppClientId, newGithubAppClient } from './emulators/github-apps.js';
import { GITHUB_API_PREFIX, handleGithubApi } from './github-api.js';
import { handleInteractions, interactionUrl, sendHtml } from './interactions.js';
import { JsonFileStore } from './json-file-adapter.js';
import { renderErrorPage } from './pages.js';
import { prefillDeviceCode, providerHooks } from './provider-hooks.js';

/** Where the sandbox listens unless told otherwise. */
export const SANDBOX_HOST = '127.0.0.1';

/**
 * The port `opperator sandbox start` uses unless told otherwise; the
 * `providers.sandbox` preset of `@opperator/oauth` points at it.
 */
export const SANDBOX_DEFAULT_PORT = 9440;

/** Redirect URI registered for sandbox clients: native clients match any loopback port (RFC 8252 §7.3). */
export const SANDBOX_REDIRECT_URI = 'http://127.0.0.1/callback';

/** The RFC 8628 device authorization grant type, allowed for every sandbox client. */
const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

/** Scopes the sandbox knows: OpenID ones, and those of the GitHub-shaped demo API. */
export const SANDBOX_SCOPES = ['openid', 'offline_access', 'email', 'profile', 'notifications', 'read:user'] as const;

/** A client registered at the sandbox. `clientSecret` is absent for public clients. */
export interface SandboxClient {
  clientId: string;
  clientSecret?: string;
  redirectUris?: string[];
}

/** Options of {@link startAuthorizationServer}. */
export interface AuthorizationServerOptions {
  /** TCP port on 127.0.0.1; 0 (default) for any free port. */
  port?: number;
  /** Clients to register; default: one confidential and one public demo client. */
  clients?: SandboxClient[];
  /** Access token lifetime; default 3600 s. */
  accessTokenTtlSeconds?: number;
  /**
   * Whether the server advertises and sends the RFC 9207 `iss` parameter
   * (default true). Off, it behaves like providers that predate RFC 9207.
   */
  issuerParameter?: boolean;
  /**
   * The `interval` (seconds) announced in device authorization responses.
   * Default: none is sent, so clients poll every 5 s (RFC 8628 §3.2); tests
   * pass a shorter one.
   */
  devicePollIntervalSeconds?: number;
  /**
   * JSON file (0600) keeping sessions, grants, tokens, the signing key and
   * cookie keys, so a restarted sandbox keeps its users signed in and their
   * refresh tokens working. Default: everything in memory, gone on close.
   */
  stateFile?: string;
  /** Bearer token of the admin API (`POST <issuer>/sandbox/revoke-grants`); default a random one. */
  adminToken?: string;
  /** Told about a damaged state file set aside and failed writes; default silent. */
  onWarning?: (message: string) => void;
  /**
   * Providers to emulate under `<issuer>/emulate/<host>/...` (see
   * `emulatedUrl`); default none, so nothing is emulated by accident. The
   * sandbox's `clients` are the registered apps at every emulator.
   */
  emulate?: readonly EmulatedProvider[];
  /**
   * The GitHub App (client id starting `Iv`) registered at the GitHub
   * emulator besides `clients`; default a fresh one when none of `clients`
   * is a GitHub App. Pass one to keep its secret across restarts.
   */
  githubAppClient?: SandboxClient;
  /** The emulators' clock in milliseconds (token and device-code expiry, polling intervals); default `Date.now`. */
  now?: () => number;
}

/** A running sandbox authorization server. */
export interface RunningAuthorizationServer {
  /** Issuer URL, `http://127.0.0.1:<port>`. */
  issuer: string;
  port: number;
  clients: SandboxClient[];
  /** Base URL of the demo API (Gmail-shaped), `<issuer>/gmail/v1`. */
  demoApiUrl: string;
  /** Base URL of the GitHub-shaped demo API, `<issuer>/github` (`/user`, `/notifications`). */
  githubApiUrl: string;
  /** Bearer token of the admin API (`POST <issuer>/sandbox/revoke-grants`). */
  adminToken: string;
  /**
   * Destroys every grant (or one account's; the account id is the login
   * name) and all tokens issued under them, as removing an app on a
   * provider's "connected apps" page does; returns how many grants went.
   */
  revokeGrants(options?: RevokeGrantsOptions): Promise<number>;
  /** The running provider emulators (only those in `emulate`), with their test controls. */
  emulators: Emulators;
  /** The GitHub App client registered at the GitHub emulator, when GitHub is emulated. */
  githubAppClient?: SandboxClient;
  /**
   * Where this sandbox serves a provider's real URL (`emulatedUrl(issuer, realUrl)`).
   *
   * @example
   * ```ts
   * server.emulatedUrl('https://api.github.com/user'); // 'http://127.0.0.1:<port>/emulate/api.github.com/user'
   * ```
   */
  emulatedUrl(realUrl: string): string;
  /** Stops the server, drops its connections and writes pending state. */
  close(): Promise<void>;
}

/** The demo clients registered when none are given. */
export function defaultSandboxClients(): SandboxClient[] {
  return [
    { clientId: 'opperator-demo', clientSecret: `sandbox-secret-${randomBytes(12).toString('hex')}` },
    { clientId: 'opperator-demo-public' },
  ];
}

/**
 * Starts a real OAuth 2.0 / OpenID Connect authorization server
 * (oidc-provider) on 127.0.0.1 with its own login and consent pages that
 * accept any user name (the password is optional and not checked). PKCE is
 * required; refresh tokens are issued for `offline_access` with
 * `prompt=consent`; public clients get rotating refresh tokens. The device flow (RFC 8628) is on: its verification page is
 * `<issuer>/device` (`?user_code=` fills the code in), followed by the same
 * login and consent pages; every page is a plain form, usable without script.
 * The same server answers a small Gmail-shaped demo API under
 * `<issuer>/gmail/v1` (see `handleDemoApi`), a GitHub-shaped one under
 * `<issuer>/github` (see `handleGithubApi`), and an admin API that revokes
 * grants. With `stateFile` its state outlives a restart.
 *
 * With `emulate`, it also serves emulators of real providers (GitHub,
 * Google, Microsoft Entra ID) following their documented wire behaviour:
 * `https://HOST/PATH` is served at `<issuer>/emulate/HOST/PATH` (see
 * `emulatedUrl`), with test controls on `server.emulators` and under
 * `<issuer>/sandbox/emulators/` (admin token). Their state is kept in memory only.
 *
 * @example
 * ```ts
 * const server = await startAuthorizationServer();
 * const provider = await discoverProvider(server.issuer);
 * // ... sign in ...
 * await server.close();
 *
 * const emulating = await startAuthorizationServer({ emulate: ['github', 'google', 'microsoft'] });
 * emulating.emulatedUrl('https://github.com/login/oauth/access_token'); // http://127.0.0.1:<port>/emulate/github.com/...
 * emulating.emulators.microsoft!.requireMfa({ account: 'alice' });
 * ```
 */
export async function startAuthorizationServer(options: AuthorizationServerOptions = {}): Promise<RunningAuthorizationServer> {
  const clients = options.clients ?? defaultSandboxClients();
  // Checked before anything starts: a typo must not start a sandbox that emulates less than asked.
  const emulate = parseEmulatedProviders(options.emulate ?? []);
  const store = await JsonFileStore.open({ ...(options.stateFile ? { path: options.stateFile } : {}), ...(options.onWarning ? { onWarning: options.onWarning } : {}) });
  const adminToken = options.adminToken ?? randomBytes(24).toString('base64url');
  const httpServer = createServer();
  // The issuer must be known before the provider is built, so bind first.
  const port = await listen(httpServer, options.port ?? 0);
  const issuer = `http://${SANDBOX_HOST}:${port}`;
  const provider = new Provider(issuer, {
    adapter: store.adapterFactory(),
    clients: clients.map(toClientMetadata),
    pkce: { required: () => true },
    scopes: [...SANDBOX_SCOPES],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, email: `${sub}@sandbox.test`, email_verified: true, name: sub, preferred_username: sub }),
    }),
    // Like Google: the ID token itself names the account (email), no userinfo call needed.
    conformIdTokenClaims: false,
    ttl: {
      AccessToken: options.accessTokenTtlSeconds ?? 3600,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
      // How long a device sign-in's user code stays valid (oidc-provider's default, said out loud).
      DeviceCode: 600,
    },
    // Kept in the state file: ID tokens stay verifiable and browser sessions valid across restarts.
    jwks: { keys: [store.remember('signingKey', signingKey)] },
    cookies: { keys: store.remember('cookieKeys', () => [randomBytes(24).toString('hex')]) },
    interactions: { url: interactionUrl },
    renderError: providerHooks.renderError,
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true, allowedPolicy: providerHooks.revocationAllowed },
      introspection: { enabled: true, allowedPolicy: providerHooks.introspectionAllowed },
      deviceFlow: { enabled: true, ...providerHooks.deviceFlow },
    },
  });
  prefillDeviceCode(provider);
  if (options.issuerParameter === false) hideIssuerParameter(provider);
  if (options.devicePollIntervalSeconds !== undefined) announceDevicePollInterval(provider, options.devicePollIntervalSeconds);
  const revoke = (revokeOptions: RevokeGrantsOptions = {}) => revokeGrants(provider, store, revokeOptions);
  const registered = clients.map((c) => ({ ...c, redirectUris: c.redirectUris ?? [SANDBOX_REDIRECT_URI] }));
  const githubAppClient = emulate.includes('github') && !clients.some((c) => isGithubAppClientId(c.clientId)) ? (options.githubAppClient ?? newGithubAppClient()) : undefined;
  const emulators = createEmulators(emulate, {
    origin: issuer,
    clients: registered,
    githubClients: githubAppClient ? [...registered, { ...githubAppClient, redirectUris: githubAppClient.redirectUris ?? [SANDBOX_REDIRECT_URI] }] : registered,
    now: options.now ?? Date.now,
    ...(options.accessTokenTtlSeconds !== undefined ? { accessTokenTtlSeconds: options.accessTokenTtlSeconds } : {}),
    ...(options.devicePollIntervalSeconds !== undefined ? { devicePollIntervalSeconds: options.devicePollIntervalSeconds } : {}),
  });
  // One server for all: the demo APIs check tokens against this provider's own store.
  const oidcCallback = provider.callback();
  httpServer.on('request', (req, res) => {
    void (async () => {
      if (await handleEmulatedRequest(req, res, issuer, emulators)) return;
      if (await handleAdminApi(req, res, { adminToken, revoke })) return;
      if (await handleEmulatorAdminApi(req, res, { adminToken, emulators })) return;
      if (await handleInteractions(provider, req, res)) return;
      if (await handleGithubApi(provider, req, res)) return;
      if (await handleDemoApi(provider, req, res)) return;
      oidcCallback(req, res);
    })().catch((err: unknown) => {
      if (!res.headersSent) sendHtml(res, 500, renderErrorPage('Something went wrong', [['error', err instanceof Error ? err.message : String(err)]]));
      else res.destroy();
    });
  });

  return {
    issuer,
    port,
    clients,
    demoApiUrl: `${issuer}${DEMO_API_PREFIX}`,
    githubApiUrl: `${issuer}${GITHUB_API_PREFIX}`,
    adminToken,
    revokeGrants: revoke,
    emulators,
    ...(githubAppClient ? { githubAppClient } : {}),
    emulatedUrl: (realUrl: string) => emulatedUrl(issuer, realUrl),
    close: async () => {
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
      await store.close();
    },
  };
}

/** A fresh RS256 signing key, made once per state file (or per run without one). */
function signingKey(): JWK {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: `sandbox-${randomBytes(4).toString('hex')}`, use: 'sig', alg: 'RS256' };
}

function toClientMetadata(client: SandboxClient): ClientMetadata {
  return {
    client_id: client.clientId,
    ...(client.clientSecret ? { client_secret: client.clientSecret, token_endpoint_auth_method: 'client_secret_basic' } : { token_endpoint_auth_method: 'none' }),
    application_type: 'native',
    redirect_uris: client.redirectUris ?? [SANDBOX_REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT_TYPE],
    response_types: ['code'],
  };
}

/**
 * Makes the server behave like a provider without RFC 9207: drops `iss`
 * from authorization responses and from the metadata that announces it.
 */
function hideIssuerParameter(provider: Provider): void {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/.well-known/openid-configuration' && ctx.body && typeof ctx.body === 'object') {
      delete (ctx.body as Record<string, unknown>).authorization_response_iss_parameter_supported;
    }
    const location = ctx.response.get('location');
    if (location && location.startsWith('http://127.0.0.1') && location.includes('iss=')) {
      const url = new URL(location);
      url.searchParams.delete('iss');
      ctx.redirect(url.href);
    }
  });
}

/**
 * oidc-provider sends no `interval` with a device code, which means 5 s
 * between polls; announcing a shorter one keeps device-flow tests quick.
 */
function announceDevicePollInterval(provider: Provider, seconds: number): void {
  provider.use(async (ctx, next) => {
    await next();
    const body: unknown = ctx.body;
    if (ctx.oidc?.route === 'device_authorization' && ctx.status === 200 && body && typeof body === 'object' && 'device_code' in body) {
      (body as Record<string, unknown>).interval = seconds;
    }
  });
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, SANDBOX_HOST, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
