import { readTokenRequest } from './emulator-http.js';
import type { EmulatorSettings, EmulatedCall, Route } from './emulator-types.js';
import type { AccountSelector } from './grant-book.js';
import { SigningKey } from './jwt-signing.js';
import { EntraDeviceFlow } from './microsoft-device-flow.js';
import { resolveTenant, userPrincipalName, type Tenant } from './microsoft-directory.js';
import { EntraDiscovery } from './microsoft-discovery.js';
import { ENTRA_TAG, EntraErrors, appNotFound } from './microsoft-errors.js';
import { GraphApi } from './microsoft-graph.js';
import { SCOPE_DESCRIPTIONS } from './microsoft-scopes.js';
import { EntraTokens } from './microsoft-tokens.js';
import { EntraWebFlow, type EntraWebSignIn } from './microsoft-web-flow.js';
import { DEVICE_GRANT } from './oauth-rules.js';
import { ProviderEmulator } from './provider-emulator.js';
import { SignInPages } from './sign-in-pages.js';

// Sources, cited next to each behaviour below (under https://learn.microsoft.com/en-us/entra/identity-platform/):
// [code-flow] v2-oauth2-auth-code-flow   [errors] reference-error-codes
// The parts cite theirs: microsoft-web-flow.ts, microsoft-tokens.ts, microsoft-device-flow.ts, microsoft-discovery.ts,
// microsoft-graph.ts, microsoft-errors.ts, microsoft-directory.ts, microsoft-scopes.ts.

/**
 * Emulates Microsoft Entra ID's v2.0 endpoints on login.microsoftonline.com
 * for the tenant segments common, organizations, consumers and the emulated
 * tenant (its GUID or `sandbox.onmicrosoft.com`), the device login page
 * (microsoft.com/devicelogin) and Microsoft Graph's `/v1.0/me`, as Microsoft
 * documents them: `{tenantid}` issuer for multi-tenant discovery,
 * `offline_access` never echoed in `scope`, refresh tokens rotated (the old
 * one stays valid), AADSTS errors with `error_codes`, `timestamp`,
 * `trace_id` and `correlation_id`, device flow without `slow_down`.
 */
export class MicrosoftEmulator extends ProviderEmulator {
  readonly provider = 'microsoft' as const;
  readonly hosts = ['login.microsoftonline.com', 'microsoft.com', 'graph.microsoft.com'] as const;
  protected readonly tokenEndpoint = 'POST login.microsoftonline.com/{tenant}/oauth2/v2.0/token';
  readonly #errors: EntraErrors;
  readonly #discovery: EntraDiscovery;
  readonly #tokens: EntraTokens;
  readonly #web: EntraWebFlow;
  readonly #device: EntraDeviceFlow;
  readonly #graph: GraphApi;
  readonly #pages: SignInPages<EntraWebSignIn>;

  constructor(settings: EmulatorSettings) {
    super(settings);
    const key = SigningKey.generate();
    this.#errors = new EntraErrors(settings.now);
    this.#discovery = new EntraDiscovery(key);
    this.#tokens = new EntraTokens(this.context, this.#errors, key);
    this.#web = new EntraWebFlow(this.context, this.#errors, this.#tokens, (res, start) => this.#pages.startWeb(res, start));
    this.#device = new EntraDeviceFlow(this.context, this.#errors, this.#tokens);
    this.#graph = new GraphApi(this.context);
    this.#pages = new SignInPages<EntraWebSignIn>({
      now: settings.now,
      origin: settings.origin,
      tag: ENTRA_TAG,
      accountHint: 'Any user name works (this is an emulated Microsoft sign-in, not login.microsoftonline.com).',
      urls: {
        login: 'https://login.microsoftonline.com/common/login',
        consent: 'https://login.microsoftonline.com/common/Consent/Set',
        deviceEntry: 'https://microsoft.com/devicelogin',
        deviceConfirm: 'https://microsoft.com/devicelogin/confirm',
      },
      devices: this.#device.devices,
      scopeDescriptions: SCOPE_DESCRIPTIONS,
      accountLabel: (account) => `the Microsoft account ${userPrincipalName(account)}`,
      clientName: (clientId) => clientId,
      needsConsent: (pending, account) => this.#web.needsConsent(pending, account),
      approveWeb: (pending, account) => this.#web.approveWeb(pending, account),
      denyWeb: (pending, stage) => this.#web.denyWeb(pending, stage),
      deviceNeedsConsent: (device, account) => this.#device.needsConsent(device, account),
    });
  }

  baseUrls(): Record<string, string> {
    return {
      'login.microsoftonline.com': this.emulated('https://login.microsoftonline.com'),
      'microsoft.com': this.emulated('https://microsoft.com/devicelogin'),
      'graph.microsoft.com': this.emulated('https://graph.microsoft.com'),
    };
  }

  /**
   * Makes the next refresh of one account's grants (or all) fail as a
   * Conditional Access MFA policy does (AADSTS50076) until the user signs in
   * interactively again; returns how many grants.
   *
   * @example
   * ```ts
   * server.emulators.microsoft!.requireMfa({ account: 'alice' });
   * ```
   */
  requireMfa(selector: AccountSelector = {}): number {
    return this.grants.demand(selector, 'mfaRequired');
  }

  /**
   * Makes the next refresh of one account's grants (or all) fail with
   * AADSTS65001 (consent missing) until the user consents again; returns how many grants.
   *
   * @example
   * ```ts
   * server.emulators.microsoft!.requireConsent();
   * ```
   */
  requireConsent(selector: AccountSelector = {}): number {
    return this.grants.demand(selector, 'consentRequired');
  }

  /**
   * Ends the grants of one account (or all) as refresh tokens unused for
   * too long end: the next refresh answers AADSTS700082. {@link revokeGrants}
   * answers AADSTS50173 (revoked) instead.
   *
   * @example
   * ```ts
   * server.emulators.microsoft!.expireRefreshTokens({ account: 'alice' });
   * ```
   */
  expireRefreshTokens(selector: AccountSelector = {}): number {
    return this.grants.revoke(selector, 'inactive');
  }

  protected routes(): Route[] {
    const login = 'login.microsoftonline.com';
    const tenantRoute = (method: 'GET' | 'POST', rest: string, endpoint: string, handle: (call: EmulatedCall, tenant: Tenant) => Promise<void> | void): Route => ({
      method,
      host: login,
      path: new RegExp(`^/([^/]+)${rest.replace(/[.]/g, '\\.')}$`),
      endpoint: `${method} login.microsoftonline.com/{tenant}${endpoint}`,
      handle: (call, match) => {
        const tenant = resolveTenant(decodeURIComponent(match[1] as string));
        if (!tenant) return this.#errors.unknownTenant(call, decodeURIComponent(match[1] as string), rest.includes('authorize'));
        return handle(call, tenant);
      },
    });
    return [
      tenantRoute('GET', '/v2.0/.well-known/openid-configuration', '/v2.0/.well-known/openid-configuration', (call, tenant) => this.#discovery.configuration(call, tenant)),
      tenantRoute('GET', '/discovery/v2.0/keys', '/discovery/v2.0/keys', (call) => this.#discovery.keys(call)),
      tenantRoute('GET', '/oauth2/v2.0/authorize', '/oauth2/v2.0/authorize', (call, tenant) => this.#web.authorize(call, tenant)),
      tenantRoute('POST', '/oauth2/v2.0/token', '/oauth2/v2.0/token', (call, tenant) => this.#token(call, tenant)),
      tenantRoute('POST', '/oauth2/v2.0/devicecode', '/oauth2/v2.0/devicecode', (call, tenant) => this.#device.start(call, tenant)),
      { method: 'POST', host: login, path: /^\/common\/login$/, endpoint: 'POST login.microsoftonline.com/common/login', handle: (call) => this.#pages.submitLogin(call) },
      { method: 'POST', host: login, path: /^\/common\/Consent\/Set$/, endpoint: 'POST login.microsoftonline.com/common/Consent/Set', handle: (call) => this.#pages.submitConsent(call) },
      { method: 'GET', host: 'microsoft.com', path: /^\/devicelogin$/, endpoint: 'GET microsoft.com/devicelogin', handle: (call) => this.#pages.showDeviceEntry(call) },
      { method: 'POST', host: 'microsoft.com', path: /^\/devicelogin$/, endpoint: 'POST microsoft.com/devicelogin', handle: (call) => this.#pages.submitDeviceEntry(call) },
      { method: 'POST', host: 'microsoft.com', path: /^\/devicelogin\/confirm$/, endpoint: 'POST microsoft.com/devicelogin/confirm', handle: (call) => this.#pages.submitDeviceConfirm(call) },
      { method: 'GET', host: 'graph.microsoft.com', path: /^\/v1\.0\/me$/, endpoint: 'GET graph.microsoft.com/v1.0/me', handle: (call) => this.#graph.me(call) },
      { method: 'GET', host: 'graph.microsoft.com', path: /^\/oidc\/userinfo$/, endpoint: 'GET graph.microsoft.com/oidc/userinfo', handle: (call) => this.#graph.userinfo(call) },
    ];
  }

  protected faultBody(status: 429 | 503): unknown {
    // Injected by a test (status and Retry-After as asked); [errors] the token endpoint's error shape with [code-flow]'s
    // temporarily_unavailable ("The server is temporarily too busy to handle the request") and AADSTS50000.
    void status;
    return this.#errors.body('temporarily_unavailable', 50000, 'There was an error issuing a token or an issue with our sign-in service.');
  }

  /** The token endpoint: the client authenticates, then the grant type picks the flow. */
  async #token(call: EmulatedCall, tenant: Tenant): Promise<void> {
    const { params, clientId, secret } = await readTokenRequest(call);
    if (!clientId) return this.#errors.send(call, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    const client = this.client(clientId);
    // [errors] AADSTS700016 (error unauthorized_client in the token endpoint's table of [code-flow]).
    if (!client) return this.#errors.send(call, 400, 'unauthorized_client', 700016, appNotFound(clientId, tenant));
    if (client.clientSecret === undefined && secret !== null) {
      // [errors] AADSTS700025 InvalidClientPublicClientWithCredential: "Client is public so neither 'client_assertion' nor
      // 'client_secret' should be presented."
      return this.#errors.send(call, 401, 'invalid_client', 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.");
    }
    if (client.clientSecret !== undefined && secret === null) {
      // [errors] AADSTS7000218: the request body must contain client_assertion or client_secret.
      return this.#errors.send(call, 401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }
    if (client.clientSecret !== undefined && secret !== client.clientSecret) {
      // [errors] AADSTS7000215 "Invalid client secret is provided."
      return this.#errors.send(call, 401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`);
    }
    const grantType = params.get('grant_type');
    if (!grantType) return this.#errors.send(call, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    if (grantType === 'authorization_code') return this.#web.exchangeCode(call, params, client);
    if (grantType === 'refresh_token') return this.#tokens.refresh(call, params, client, tenant);
    if (grantType === DEVICE_GRANT) return this.#device.poll(call, params, client);
    // [errors] AADSTS70003 UnsupportedGrantType.
    this.#errors.send(call, 400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
  }
}
