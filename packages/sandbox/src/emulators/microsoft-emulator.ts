import { randomUUID } from 'node:crypto';
import { sendJson } from '../access-token-check.js';
import {
  DeviceBook,
  ProviderEmulator,
  SignInPages,
  SigningKey,
  basicCredentials,
  bearerToken,
  isLoopbackHost,
  pkceMatches,
  randomString,
  readParams,
  redirect,
  sendErrorPage,
  stableGuid,
  withQuery,
  type AccountSelector,
  type EmulatedCall,
  type EmulatorClient,
  type EmulatorSettings,
  type Grant,
  type PendingSignIn,
  type Route,
} from './emulator-kit.js';

// Sources, cited next to each behaviour below (all under https://learn.microsoft.com/en-us/entra/identity-platform/):
// [code-flow] v2-oauth2-auth-code-flow      [device] v2-oauth2-device-code      [oidc] v2-protocols-oidc
// [errors] reference-error-codes            [reply-url] reply-url               [refresh] refresh-tokens
// [id-token] id-token-claims-reference      [userinfo] userinfo
// [graph-me] https://learn.microsoft.com/en-us/graph/api/user-get
// [graph-errors] https://learn.microsoft.com/en-us/graph/errors

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/**
 * The id (a GUID) of the emulated Entra work tenant: `tid` of its users' tokens, and a tenant segment the emulator accepts.
 *
 * @example
 * ```ts
 * server.emulatedUrl(`https://login.microsoftonline.com/${SANDBOX_ENTRA_TENANT_ID}/v2.0/.well-known/openid-configuration`);
 * ```
 */
export const SANDBOX_ENTRA_TENANT_ID = '6d1f0a3c-5b2e-4c8a-9e7d-0f3a1b2c4d5e';
/**
 * The domain of the emulated Entra tenant (users' principal names are `<login>@sandbox.onmicrosoft.com`); also a tenant segment.
 *
 * @example
 * ```ts
 * server.emulatedUrl(`https://login.microsoftonline.com/${SANDBOX_ENTRA_TENANT_DOMAIN}/oauth2/v2.0/token`);
 * ```
 */
export const SANDBOX_ENTRA_TENANT_DOMAIN = 'sandbox.onmicrosoft.com';
/** [oidc] "You can also use the consumer tenant GUID, 9188040d-6c67-4c5b-b112-36a304b66dad, in place of consumers." */
const CONSUMER_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';
/** Microsoft Graph's application id: the audience of Graph tokens (and the resource named in AADSTS50076, capture below). */
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** [code-flow] / [device] token responses: `"expires_in": 3599`. */
const ACCESS_TOKEN_TTL_S = 3599;
/** [refresh] "The default lifetime for the refresh tokens is 24 hours for single page apps and 90 days for all other scenarios." */
const REFRESH_TOKEN_TTL_S = 90 * 24 * 3600;
/** [code-flow] "Authorization codes are short lived. Typically, they expire after about 10 minutes." */
const CODE_TTL_S = 600;
/** [device] "From the moment the request is sent, the user has 15 minutes to sign in. This is the default value for expires_in." */
const DEVICE_CODE_TTL_S = 900;
/** Interval 5 s: the `interval` seen in captures (e.g. toblum/ESPTeamsPresence#49 polls every ~6 s). */
const DEVICE_INTERVAL_S = 5;
const ID_TOKEN_TTL_S = 3600;
/** The OpenID scopes; [code-flow]: "The scopes must all be from a single resource, along with OIDC scopes (profile, openid, email)". */
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/** Microsoft Graph delegated permissions the emulator knows, in Graph's spelling (a token echoes this spelling whatever the case asked). */
const GRAPH_SCOPES = ['User.Read', 'User.ReadWrite', 'User.ReadBasic.All', 'Mail.Read', 'Mail.ReadWrite', 'Mail.Send', 'Calendars.Read', 'Calendars.ReadWrite', 'Files.Read', 'Files.ReadWrite', 'Contacts.Read', 'Tasks.ReadWrite'];
const GRAPH_BY_LOWER = new Map(GRAPH_SCOPES.map((s) => [s.toLowerCase(), s]));
/** Permissions that let GET /me read the signed-in user ([graph-me] "Permissions"). */
const ME_SCOPES = ['User.Read', 'User.ReadWrite', 'User.ReadBasic.All'];

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'Sign you in',
  profile: 'View your basic profile',
  email: 'View your email address',
  offline_access: 'Maintain access to data you have given it access to',
  'User.Read': 'Sign you in and read your profile',
  'Mail.Read': 'Read your mail',
  'Mail.Send': 'Send mail as you',
  'Calendars.Read': 'Read your calendars',
  'Files.Read': 'Read your files',
};

const TAG = 'Opperator sandbox: emulated Microsoft Entra ID, no real account';

/** How a tenant path segment resolves. */
interface Tenant {
  /** The segment as asked (common, organizations, consumers, a GUID or a domain). */
  segment: string;
  kind: 'common' | 'organizations' | 'consumers' | 'tenant';
  /** The tenant users signing in here belong to. */
  tid: string;
}

interface EntraWebSignIn {
  tenant: Tenant;
  redirectUri: string;
  state: string | null;
  scopes: ParsedScopes;
  forceConsent: boolean;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain';
  nonce: string | null;
}

interface EntraCode {
  clientId: string;
  grantId: string;
  tid: string;
  scopes: ParsedScopes;
  redirectUri: string;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain';
  nonce: string | null;
  expiresAt: number;
  used: boolean;
}

/** A scope parameter split into Graph permissions and OpenID scopes. */
interface ParsedScopes {
  graph: string[];
  oidc: string[];
}

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
  readonly #key = SigningKey.generate();
  readonly #codes = new Map<string, EntraCode>();
  readonly #devices = new DeviceBook();
  /** Device code → the tenant it was asked at (tokens name that tenant). */
  readonly #deviceTenants = new Map<string, Tenant>();
  readonly #pages: SignInPages<EntraWebSignIn>;

  constructor(settings: EmulatorSettings) {
    super(settings);
    this.#pages = new SignInPages<EntraWebSignIn>({
      now: settings.now,
      origin: settings.origin,
      tag: TAG,
      accountHint: 'Any user name works (this is an emulated Microsoft sign-in, not login.microsoftonline.com).',
      urls: {
        login: 'https://login.microsoftonline.com/common/login',
        consent: 'https://login.microsoftonline.com/common/Consent/Set',
        deviceEntry: 'https://microsoft.com/devicelogin',
        deviceConfirm: 'https://microsoft.com/devicelogin/confirm',
      },
      devices: this.#devices,
      scopeDescriptions: SCOPE_DESCRIPTIONS,
      accountLabel: (account) => `the Microsoft account ${userPrincipalName(account)}`,
      clientName: (clientId) => clientId,
      needsConsent: (pending, account) => this.#needsConsent(pending, account),
      approveWeb: (pending, account) => this.#approveWeb(pending, account),
      denyWeb: (pending, stage) => {
        const web = pending.web as EntraWebSignIn;
        // [code-flow] "Error response": error=access_denied ("Resource owner denied consent"); the description carries the
        // AADSTS code of [errors] (AADSTS65004 UserDeclinedConsent).
        return withQuery(web.redirectUri, {
          error: 'access_denied',
          ...(stage === 'login' ? { error_subcode: 'cancel' } : {}),
          error_description: 'AADSTS65004: User declined to consent to access the app.',
          state: web.state ?? undefined,
        });
      },
      deviceNeedsConsent: (device, account) => {
        const grant = this.grants.live(account, device.clientId);
        return !grant || !device.scopes.every((s) => grant.scopes.has(s));
      },
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
    const chosen = this.grants.select(selector);
    for (const grant of chosen) grant.mfaRequired = true;
    return chosen.length;
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
    const chosen = this.grants.select(selector);
    for (const grant of chosen) grant.consentRequired = true;
    return chosen.length;
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
        if (!tenant) return this.#unknownTenant(call, decodeURIComponent(match[1] as string), rest.includes('authorize'));
        return handle(call, tenant);
      },
    });
    return [
      tenantRoute('GET', '/v2.0/.well-known/openid-configuration', '/v2.0/.well-known/openid-configuration', (call, tenant) => this.#discovery(call, tenant)),
      tenantRoute('GET', '/discovery/v2.0/keys', '/discovery/v2.0/keys', (call) => sendJson(call.res, 200, { keys: [this.#key.jwk({ x5t: this.#key.kid, issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' })] })),
      tenantRoute('GET', '/oauth2/v2.0/authorize', '/oauth2/v2.0/authorize', (call, tenant) => this.#authorize(call, tenant)),
      tenantRoute('POST', '/oauth2/v2.0/token', '/oauth2/v2.0/token', (call, tenant) => this.#token(call, tenant)),
      tenantRoute('POST', '/oauth2/v2.0/devicecode', '/oauth2/v2.0/devicecode', (call, tenant) => this.#deviceCode(call, tenant)),
      { method: 'POST', host: login, path: /^\/common\/login$/, endpoint: 'POST login.microsoftonline.com/common/login', handle: (call) => this.#pages.submitLogin(call) },
      { method: 'POST', host: login, path: /^\/common\/Consent\/Set$/, endpoint: 'POST login.microsoftonline.com/common/Consent/Set', handle: (call) => this.#pages.submitConsent(call) },
      { method: 'GET', host: 'microsoft.com', path: /^\/devicelogin$/, endpoint: 'GET microsoft.com/devicelogin', handle: (call) => this.#pages.showDeviceEntry(call) },
      { method: 'POST', host: 'microsoft.com', path: /^\/devicelogin$/, endpoint: 'POST microsoft.com/devicelogin', handle: (call) => this.#pages.submitDeviceEntry(call) },
      { method: 'POST', host: 'microsoft.com', path: /^\/devicelogin\/confirm$/, endpoint: 'POST microsoft.com/devicelogin/confirm', handle: (call) => this.#pages.submitDeviceConfirm(call) },
      { method: 'GET', host: 'graph.microsoft.com', path: /^\/v1\.0\/me$/, endpoint: 'GET graph.microsoft.com/v1.0/me', handle: (call) => this.#me(call) },
      { method: 'GET', host: 'graph.microsoft.com', path: /^\/oidc\/userinfo$/, endpoint: 'GET graph.microsoft.com/oidc/userinfo', handle: (call) => this.#userinfo(call) },
    ];
  }

  protected faultBody(status: 429 | 503): unknown {
    // Injected by a test (status and Retry-After as asked); [errors] the token endpoint's error shape with [code-flow]'s
    // temporarily_unavailable ("The server is temporarily too busy to handle the request") and AADSTS50000.
    void status;
    return this.#errorBody('temporarily_unavailable', 50000, 'There was an error issuing a token or an issue with our sign-in service.');
  }

  // ---- errors ----------------------------------------------------------------------------------

  /**
   * [errors] "Here's a sample error response": error, error_description ("AADSTSnnnnn: ...\r\nTrace ID: ...\r\nCorrelation
   * ID: ...\r\nTimestamp: ..."), error_codes, timestamp ("2016-01-09 02:02:12Z"), trace_id, correlation_id, error_uri.
   */
  #errorBody(error: string, code: number, message: string, extra: Record<string, string> = {}): Record<string, unknown> {
    const timestamp = new Date(this.settings.now()).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    const traceId = randomUUID();
    const correlationId = randomUUID();
    return {
      error,
      error_description: `AADSTS${code}: ${message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
      ...extra,
    };
  }

  #error(call: EmulatedCall, status: number, error: string, code: number, message: string, extra: Record<string, string> = {}): void {
    sendJson(call.res, status, this.#errorBody(error, code, message, extra));
  }

  #unknownTenant(call: EmulatedCall, segment: string, page: boolean): void {
    // Capture (panva/openid-client#175): invalid_tenant "AADSTS90002: Tenant 'organizations' not found. ...", HTTP 400.
    const message = `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`;
    if (page) return sendErrorPage(call.res, 400, 'Sign in', [['error', 'invalid_tenant'], ['message', `AADSTS90002: ${message}`]], TAG);
    this.#error(call, 400, 'invalid_tenant', 90002, message);
  }

  // ---- discovery -------------------------------------------------------------------------------

  #discovery(call: EmulatedCall, tenant: Tenant): void {
    // [oidc] endpoints under the segment asked for (a domain resolves to the tenant's GUID).
    const segment = tenant.kind === 'tenant' ? tenant.tid : tenant.segment;
    const login = (path: string) => `https://login.microsoftonline.com/${segment}${path}`;
    // [oidc] / captures (coreos/go-oidc#121, dexidp/dex#1110, geldata/gel#6028): the multi-tenant documents (common,
    // organizations) name the issuer with a literal {tenantid} placeholder; consumers names the consumer tenant's GUID; a
    // tenant names its own GUID. ID tokens then carry the user's tenant in iss.
    const issuerTenant = tenant.kind === 'common' || tenant.kind === 'organizations' ? '{tenantid}' : tenant.tid;
    sendJson(call.res, 200, {
      token_endpoint: login('/oauth2/v2.0/token'),
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: login('/discovery/v2.0/keys'),
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `https://login.microsoftonline.com/${issuerTenant}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
      authorization_endpoint: login('/oauth2/v2.0/authorize'),
      device_authorization_endpoint: login('/oauth2/v2.0/devicecode'),
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: login('/oauth2/v2.0/logout'),
      claims_supported: ['sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
      kerberos_endpoint: login('/kerberos'),
      tenant_region_scope: null,
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    });
  }

  // ---- web flow -------------------------------------------------------------------------------

  #authorize(call: EmulatedCall, tenant: Tenant): void {
    const q = call.url.searchParams;
    const page = (code: number, message: string) => sendErrorPage(call.res, 400, 'Sign in', [['message', `AADSTS${code}: ${message}`]], TAG, 'Sorry, but we\u2019re having trouble signing you in.');
    const clientId = q.get('client_id') ?? '';
    const client = this.client(clientId);
    // [errors] AADSTS700016 UnauthorizedClient_DoesNotMatchRequest: "Application with identifier '{appIdentifier}' was not
    // found in the directory". Shown on Microsoft's page, not redirected.
    if (!client) return page(700016, `Application with identifier '${clientId}' was not found in the directory '${tenantName(tenant)}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
    const redirectUri = q.get('redirect_uri');
    if (!redirectUri) return page(900144, "The request body must contain the following parameter: 'redirect_uri'.");
    // [errors] AADSTS50011 InvalidReplyTo; [reply-url] the matching rules (below).
    if (!entraRedirectAllowed(client, redirectUri)) {
      return page(50011, `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${client.clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`);
    }
    const state = q.get('state');
    const fail = (error: string, code: number, message: string) => redirect(call.res, withQuery(redirectUri, { error, error_description: `AADSTS${code}: ${message}`, state: state ?? undefined }));
    // [code-flow] response_type "Must include code for the authorization code flow."
    if (!(q.get('response_type') ?? '').split(' ').includes('code')) return fail('unsupported_response_type', 700054, "response_type 'id_token' is not enabled for the application.");
    const scopeParam = q.get('scope');
    // [code-flow] scope is required; [errors] AADSTS900144 names the missing parameter.
    if (!scopeParam?.trim()) return fail('invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
    const scopes = parseScopes(scopeParam);
    // [code-flow] "Error response" example: invalid_scope with AADSTS70011.
    if ('invalid' in scopes) return fail('invalid_scope', 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${scopes.invalid} is not valid.`);
    const method = q.get('code_challenge_method') ?? 'plain';
    // [code-flow] code_challenge_method: "The Microsoft identity platform supports both plain and S256."
    if (method !== 'plain' && method !== 'S256') return fail('invalid_request', 50000, 'Invalid code_challenge_method.');
    const prompt = q.get('prompt');
    // [code-flow] prompt=none: "If the request can't be completed silently by using single-sign on": no session is kept here,
    // so login_required ("Too many or no users found"; [errors] AADSTS50058).
    if (prompt === 'none') return fail('login_required', 50058, 'A silent sign-in request was sent but no user is signed in.');
    const loginHint = q.get('login_hint');
    this.#pages.startWeb(call.res, {
      clientId: client.clientId,
      scopes: [...scopes.graph, ...scopes.oidc],
      ...(loginHint ? { loginHint } : {}),
      web: {
        tenant,
        redirectUri,
        state,
        scopes,
        // [code-flow] "prompt=consent triggers the OAuth consent dialog after the user signs in".
        forceConsent: prompt === 'consent',
        codeChallenge: q.get('code_challenge'),
        codeChallengeMethod: method,
        nonce: q.get('nonce'),
      },
    });
  }

  #needsConsent(pending: PendingSignIn<EntraWebSignIn>, account: string): boolean {
    const web = pending.web as EntraWebSignIn;
    if (web.forceConsent) return true;
    const grant = this.grants.live(account, pending.clientId);
    // [code-flow] "If the user hasn't consented to any of those permissions, it asks the user to consent".
    return !grant || !pending.scopes.every((s) => grant.scopes.has(s));
  }

  #approveWeb(pending: PendingSignIn<EntraWebSignIn>, account: string): string {
    const web = pending.web as EntraWebSignIn;
    const grant = this.grants.consent(account, pending.clientId, pending.scopes);
    const code = `1.A${randomString(180)}`;
    this.#codes.set(code, {
      clientId: pending.clientId,
      grantId: grant.id,
      tid: web.tenant.tid,
      scopes: web.scopes,
      redirectUri: web.redirectUri,
      codeChallenge: web.codeChallenge,
      codeChallengeMethod: web.codeChallengeMethod,
      nonce: web.nonce,
      expiresAt: this.settings.now() + CODE_TTL_S * 1000,
      used: false,
    });
    // [code-flow] "Successful response" with response_mode=query: code and state.
    return withQuery(web.redirectUri, { code, state: web.state ?? undefined });
  }

  // ---- token endpoint --------------------------------------------------------------------------

  async #token(call: EmulatedCall, tenant: Tenant): Promise<void> {
    const params = await readParams(call);
    const basic = basicCredentials(call.req);
    const clientId = params.get('client_id') ?? basic?.clientId ?? null;
    const secret = params.get('client_secret') ?? basic?.clientSecret ?? null;
    if (!clientId) return this.#error(call, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    const client = this.client(clientId);
    // [errors] AADSTS700016 (error unauthorized_client in the token endpoint's table of [code-flow]).
    if (!client) return this.#error(call, 400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenantName(tenant)}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
    if (client.clientSecret === undefined && secret !== null) {
      // [errors] AADSTS700025 InvalidClientPublicClientWithCredential: "Client is public so neither 'client_assertion' nor
      // 'client_secret' should be presented."
      return this.#error(call, 401, 'invalid_client', 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.");
    }
    if (client.clientSecret !== undefined && secret === null) {
      // [errors] AADSTS7000218: the request body must contain client_assertion or client_secret.
      return this.#error(call, 401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }
    if (client.clientSecret !== undefined && secret !== client.clientSecret) {
      // [errors] AADSTS7000215 "Invalid client secret is provided."
      return this.#error(call, 401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`);
    }
    const grantType = params.get('grant_type');
    if (!grantType) return this.#error(call, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    if (grantType === 'authorization_code') return this.#exchangeCode(call, params, client);
    if (grantType === 'refresh_token') return this.#refresh(call, params, client, tenant);
    if (grantType === DEVICE_GRANT) return this.#pollDevice(call, params, client);
    // [errors] AADSTS70003 UnsupportedGrantType.
    this.#error(call, 400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
  }

  #exchangeCode(call: EmulatedCall, params: URLSearchParams, client: EmulatorClient): void {
    const code = this.#codes.get(params.get('code') ?? '');
    // [errors] AADSTS9002313 "Invalid request. Request is malformed or invalid." for a code that is not one.
    if (!code || code.clientId !== client.clientId) return this.#error(call, 400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
    // [errors] AADSTS54005 "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."
    if (code.used) return this.#error(call, 400, 'invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.');
    // [errors] AADSTS70008 ExpiredOrRevokedGrant.
    if (code.expiresAt <= this.settings.now()) return this.#error(call, 400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.');
    // [code-flow] redirect_uri: "The same redirect_uri value that was used to acquire the authorization_code." Which AADSTS
    // code a different one gets is not documented; [errors] AADSTS70000 InvalidGrant is used.
    if (params.get('redirect_uri') !== code.redirectUri) return this.#error(call, 400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.');
    // [code-flow] invalid_grant: "The authorization code or PKCE code verifier is invalid or has expired."; AADSTS501481 is the
    // code-verifier mismatch.
    if (code.codeChallenge !== null && !pkceMatches(code.codeChallenge, code.codeChallengeMethod, params.get('code_verifier'))) {
      return this.#error(call, 400, 'invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
    }
    code.used = true;
    const grant = this.grants.grant(code.grantId) as Grant;
    this.#answerTokens(call, client, grant, code.tid, code.scopes, code.nonce);
  }

  #refresh(call: EmulatedCall, params: URLSearchParams, client: EmulatorClient, tenant: Tenant): void {
    const found = this.grants.refreshToken(params.get('refresh_token') ?? '');
    if (!found || !found.grant || found.grant.clientId !== client.clientId) return this.#error(call, 400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
    const grant = found.grant;
    if (grant.dead === 'inactive' || (found.token.expiresAt ?? Infinity) <= this.settings.now()) {
      // [errors] AADSTS700082 ExpiredOrRevokedGrantInactiveToken: "The refresh token has expired due to inactivity. The token
      // was issued on {issueDate} and was inactive for {time}."
      return this.#error(call, 400, 'invalid_grant', 700082, 'The refresh token has expired due to inactivity. The token was issued on 2025-01-06T09:15:00.0000000Z and was inactive for 90.00:00:00.');
    }
    if (grant.dead === 'revoked') {
      // [errors] AADSTS50173 (FreshTokenNeeded, MicrosoftDocs/azure-docs#70777); wording from the capture quoted in
      // abraunegg/onedrive's docs: "The provided grant has expired due to it being revoked, a fresh auth token is needed."
      return this.#error(call, 400, 'invalid_grant', 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '2025-01-06T09:15:00.0000000Z' and the TokensValidFrom date (before which tokens are not valid) for this user is '2025-01-07T10:00:00.0000000Z'.");
    }
    if (grant.mfaRequired) {
      // [code-flow]'s table lists interaction_required for "another authentication step is required", but captures of a
      // refresh under a new MFA policy (microsoftgraph/microsoft-graph-docs#6311, RogerSelwyn/O365-HomeAssistant#113) show
      // error invalid_grant with suberror basic_action. Follows the captures.
      return this.#error(call, 400, 'invalid_grant', 50076, `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${GRAPH_APP_ID}'.`, { suberror: 'basic_action' });
    }
    if (grant.consentRequired) {
      // [code-flow]'s table lists consent_required; the capture (MicrosoftDocs/azure-docs#39189) shows error invalid_grant
      // with suberror consent_required and AADSTS65001. Follows the capture.
      return this.#error(call, 400, 'invalid_grant', 65001, `The user or administrator has not consented to use the application with ID '${client.clientId}' named '${client.clientId}'. Send an interactive authorization request for this user and resource.`, { suberror: 'consent_required' });
    }
    // [code-flow] refresh: "The scopes requested in this leg must be equivalent to or a subset of the scopes requested in the
    // original authorization_code request leg"; without a scope parameter the original ones.
    const asked = params.get('scope');
    let scopes = found.token.scopes.length ? parseStored(found.token.scopes) : { graph: [], oidc: [] };
    if (asked?.trim()) {
      const parsed = parseScopes(asked);
      if ('invalid' in parsed) return this.#error(call, 400, 'invalid_scope', 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${parsed.invalid} is not valid.`);
      const granted = new Set(found.token.scopes);
      const beyond = parsed.graph.find((s) => !granted.has(s));
      // [code-flow]'s consent_required: "Returned when a scope parameter was used on the code redemption flow that the client
      // app doesn't have permission to request" (same capture shape as above).
      if (beyond) return this.#error(call, 400, 'invalid_grant', 65001, `The user or administrator has not consented to use the application with ID '${client.clientId}' named '${client.clientId}'. Send an interactive authorization request for this user and resource.`, { suberror: 'consent_required' });
      scopes = { graph: parsed.graph, oidc: [...new Set([...parsed.oidc, ...(scopes.oidc.includes('offline_access') ? ['offline_access'] : [])])] };
    }
    this.#answerTokens(call, client, grant, tenant.kind === 'consumers' ? CONSUMER_TENANT_ID : SANDBOX_ENTRA_TENANT_ID, scopes, null);
  }

  #answerTokens(call: EmulatedCall, client: EmulatorClient, grant: Grant, tid: string, scopes: ParsedScopes, nonce: string | null): void {
    const now = this.settings.now();
    const ttl = this.settings.accessTokenTtlSeconds ?? ACCESS_TOKEN_TTL_S;
    // [device] example response: "scope": "User.Read profile openid email" for a request of user.read openid profile; the
    // capture at learn.microsoft.com/en-us/answers/questions/806413 shows the same echo for "User.Read offline_access":
    // Graph permissions in Graph's spelling, then "profile openid email", and never offline_access.
    const echoed = [...scopes.graph, 'profile', 'openid', 'email'].join(' ');
    const account = grant.account;
    const iat = Math.floor(now / 1000);
    // Access tokens for Graph are JWTs (v1.0 Graph tokens); clients must not read them ([code-flow] note on access tokens).
    const accessToken = this.#key.sign({
      aud: GRAPH_APP_ID,
      iss: `https://sts.windows.net/${tid}/`,
      iat,
      nbf: iat,
      exp: iat + ttl,
      appid: client.clientId,
      name: account,
      oid: entraObjectId(account),
      scp: echoed,
      tid,
      upn: userPrincipalName(account),
      uti: randomString(22),
      ver: '1.0',
    });
    // Entra's access tokens are self-contained: a revoked grant does not stop them before they expire ([refresh] "Token revocation").
    this.grants.addAccess({ token: accessToken, grantId: grant.id, scopes: [...scopes.graph, ...scopes.oidc], expiresAt: now + ttl * 1000 });
    // [code-flow] refresh_token: "Only provided if offline_access scope was requested."; [refresh] 90 days; a new one on each
    // refresh ("Refresh tokens aren't revoked when used to acquire new access tokens. You're expected to discard the old
    // refresh token.") while the old stays valid.
    const refresh = scopes.oidc.includes('offline_access')
      ? this.grants.addRefresh({ token: `${tid === CONSUMER_TENANT_ID ? 'M.C5' : '0.A'}${randomString(200)}`, grantId: grant.id, scopes: [...scopes.graph, ...scopes.oidc], expiresAt: now + REFRESH_TOKEN_TTL_S * 1000 })
      : undefined;
    // [device] "Successful authentication response" (token_type, scope, expires_in, access_token, refresh_token, id_token);
    // id_token "Issued if the original scope parameter included the openid scope".
    sendJson(call.res, 200, {
      token_type: 'Bearer',
      scope: echoed,
      expires_in: ttl,
      access_token: accessToken,
      ...(refresh ? { refresh_token: refresh.token } : {}),
      ...(scopes.oidc.includes('openid') ? { id_token: this.#idToken(client, account, tid, scopes, nonce) } : {}),
    });
  }

  #idToken(client: EmulatorClient, account: string, tid: string, scopes: ParsedScopes, nonce: string | null): string {
    const iat = Math.floor(this.settings.now() / 1000);
    // [id-token] v2.0 claims: aud, iss (https://login.microsoftonline.com/{tid}/v2.0), iat, nbf, exp, name, oid,
    // preferred_username, sub, tid, ver "2.0", nonce; email with the email scope.
    return this.#key.sign({
      aud: client.clientId,
      iss: `https://login.microsoftonline.com/${tid}/v2.0`,
      iat,
      nbf: iat,
      exp: iat + ID_TOKEN_TTL_S,
      ...(scopes.oidc.includes('profile') ? { name: account } : {}),
      ...(nonce ? { nonce } : {}),
      oid: entraObjectId(account),
      preferred_username: userPrincipalName(account),
      ...(scopes.oidc.includes('email') ? { email: userPrincipalName(account) } : {}),
      sub: entraObjectId(`${client.clientId}:${account}`).replace(/-/g, '').slice(0, 43),
      tid,
      uti: randomString(22),
      ver: '2.0',
    });
  }

  // ---- device flow -----------------------------------------------------------------------------

  async #deviceCode(call: EmulatedCall, tenant: Tenant): Promise<void> {
    const params = await readParams(call);
    const clientId = params.get('client_id') ?? '';
    const client = this.client(clientId);
    if (!client) return this.#error(call, 400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenantName(tenant)}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
    const scopeParam = params.get('scope');
    // [device] scope is Required.
    if (!scopeParam?.trim()) return this.#error(call, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
    const scopes = parseScopes(scopeParam);
    if ('invalid' in scopes) return this.#error(call, 400, 'invalid_scope', 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${scopes.invalid} is not valid.`);
    const interval = this.settings.devicePollIntervalSeconds ?? DEVICE_INTERVAL_S;
    const device = this.#devices.add({
      deviceCode: `DAQABIQEAAAD${randomString(160)}`,
      // Captured user codes are nine upper-case letters and digits ("BPPVYQZMA", Azure/azure-sdk-for-python#32375).
      userCode: randomString(9, 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'),
      clientId: client.clientId,
      scopes: [...scopes.graph, ...scopes.oidc],
      expiresAt: this.settings.now() + DEVICE_CODE_TTL_S * 1000,
      intervalSeconds: interval,
      status: 'pending',
    });
    this.#deviceTenants.set(device.deviceCode, tenant);
    const verificationUri = 'https://microsoft.com/devicelogin';
    // [device] "Device authorization response": device_code, user_code, verification_uri, expires_in, interval, message
    // ("A human-readable string with instructions for the user"); no verification_uri_complete. The wording of message is
    // the capture's (Azure/azure-sdk-for-python#32375).
    sendJson(call.res, 200, {
      user_code: device.userCode,
      device_code: device.deviceCode,
      verification_uri: verificationUri,
      expires_in: DEVICE_CODE_TTL_S,
      interval,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${device.userCode} to authenticate.`,
    });
  }

  #pollDevice(call: EmulatedCall, params: URLSearchParams, client: EmulatorClient): void {
    const device = this.#devices.byDeviceCode(params.get('device_code'));
    // [device] "Expected errors": bad_verification_code "The device_code sent to the /token endpoint wasn't recognized." The
    // AADSTS number is not documented for it; AADSTS70000 InvalidGrant of [errors] is used.
    const badCode = () => this.#error(call, 400, 'bad_verification_code', 70000, 'The provided value for the input parameter \'device_code\' is not valid.');
    if (!device || device.clientId !== client.clientId) return badCode();
    // [device] lists no slow_down: polling too soon is answered like any other pending poll.
    switch (this.#devices.poll(device, this.settings.now(), { slowDown: false })) {
      case 'expired':
        // [device] expired_token; captures (MicrosoftDocs/azure-docs#92366, Azure/azure-sdk-for-python#32375) give AADSTS70020
        // and this wording.
        return this.#error(call, 400, 'expired_token', 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.");
      case 'slow_down':
      case 'pending':
        // Capture (secureworks/squarephish#3): HTTP 400 authorization_pending, AADSTS70016 with this wording.
        return this.#error(call, 400, 'authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
      case 'denied':
        // [device] authorization_declined "The end user denied the authorization request."; AADSTS65004 UserDeclinedConsent.
        return this.#error(call, 400, 'authorization_declined', 65004, 'User declined to consent to access the app.');
      case 'redeemed':
        return badCode();
      case 'approved': {
        device.status = 'redeemed';
        const tenant = this.#deviceTenants.get(device.deviceCode) as Tenant;
        const grant = this.grants.consent(device.account as string, client.clientId, device.scopes);
        return this.#answerTokens(call, client, grant, tenant.tid, parseStored(device.scopes), null);
      }
    }
  }

  // ---- Microsoft Graph -------------------------------------------------------------------------

  /** [graph-errors] The Graph error shape with its innerError (date, request-id, client-request-id), as captured below. */
  #graphError(call: EmulatedCall, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
    const requestId = randomUUID();
    const date = new Date(this.settings.now()).toISOString().replace(/\.\d+Z$/, '');
    sendJson(call.res, status, { error: { code, message, innerError: { date, 'request-id': requestId, 'client-request-id': requestId } } }, { 'request-id': requestId, 'client-request-id': requestId, ...headers });
  }

  #graphAuth(call: EmulatedCall): { grant: Grant; scopes: string[] } | undefined {
    // Capture (microsofthackathons/tdi#24): Graph's 401 carries this WWW-Authenticate header (the real authorization_uri).
    const challenge = { 'WWW-Authenticate': `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"` };
    const presented = bearerToken(call.req);
    if (!presented) {
      this.#graphError(call, 401, 'InvalidAuthenticationToken', 'Access token is empty.', challenge);
      return undefined;
    }
    if (presented.split('.').length !== 3) {
      // Graph's message for a bearer token that is not a JWT (IDX14100).
      this.#graphError(call, 401, 'InvalidAuthenticationToken', "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'.", challenge);
      return undefined;
    }
    const found = this.grants.usableAccess(presented, { survivesRevocation: true });
    if (!found) {
      // Captures (besscroft/diyfile#1, microsofthackathons/tdi#24): 401 InvalidAuthenticationToken "Access token has expired or
      // is not yet valid." with innerError {date, request-id, client-request-id}.
      this.#graphError(call, 401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.', challenge);
      return undefined;
    }
    return { grant: found.grant, scopes: found.token.scopes };
  }

  #me(call: EmulatedCall): void {
    const auth = this.#graphAuth(call);
    if (!auth) return;
    // [graph-me] Permissions: User.Read (least privileged) and up; [graph-errors] 403 Authorization_RequestDenied.
    if (!auth.scopes.some((s) => ME_SCOPES.includes(s))) return this.#graphError(call, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    const account = auth.grant.account;
    // [graph-me] "Response" example for GET /me (v1.0 default properties).
    sendJson(call.res, 200, {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity',
      businessPhones: [],
      displayName: account,
      givenName: account,
      jobTitle: null,
      mail: userPrincipalName(account),
      mobilePhone: null,
      officeLocation: null,
      preferredLanguage: null,
      surname: 'Sandbox',
      userPrincipalName: userPrincipalName(account),
      id: entraObjectId(account),
    });
  }

  #userinfo(call: EmulatedCall): void {
    const auth = this.#graphAuth(call);
    if (!auth) return;
    const account = auth.grant.account;
    // [userinfo] "Sample response": sub, name, family_name, given_name, picture, email (email with the email scope).
    sendJson(call.res, 200, {
      sub: entraObjectId(`userinfo:${account}`).replace(/-/g, ''),
      name: account,
      family_name: 'Sandbox',
      given_name: account,
      picture: 'https://graph.microsoft.com/v1.0/me/photo/$value',
      ...(auth.scopes.includes('email') ? { email: userPrincipalName(account) } : {}),
    });
  }
}

/** [oidc] tenant values: common, organizations, consumers, or a tenant's GUID or domain name. */
function resolveTenant(segment: string): Tenant | undefined {
  const lower = segment.toLowerCase();
  if (lower === 'common' || lower === 'organizations') return { segment, kind: lower, tid: SANDBOX_ENTRA_TENANT_ID };
  if (lower === 'consumers' || lower === CONSUMER_TENANT_ID) return { segment, kind: 'consumers', tid: CONSUMER_TENANT_ID };
  if (lower === SANDBOX_ENTRA_TENANT_ID || lower === SANDBOX_ENTRA_TENANT_DOMAIN) return { segment, kind: 'tenant', tid: SANDBOX_ENTRA_TENANT_ID };
  return undefined;
}

function tenantName(tenant: Tenant): string {
  return tenant.kind === 'consumers' ? 'Microsoft Accounts' : 'Opperator Sandbox';
}

/**
 * Splits a scope parameter: Graph permissions (short `User.Read` or full `https://graph.microsoft.com/User.Read`, any case)
 * to Graph's spelling, OpenID scopes apart; `.default` stands for User.Read here. An unknown scope is returned as invalid.
 */
function parseScopes(value: string): ParsedScopes | { invalid: string } {
  const graph: string[] = [];
  const oidc: string[] = [];
  for (const scope of value.split(/\s+/).filter(Boolean)) {
    if (OIDC_SCOPES.has(scope.toLowerCase())) {
      if (!oidc.includes(scope.toLowerCase())) oidc.push(scope.toLowerCase());
      continue;
    }
    const short = scope.replace(/^https:\/\/graph\.microsoft\.com\//i, '');
    const known = short === '.default' ? 'User.Read' : GRAPH_BY_LOWER.get(short.toLowerCase());
    if (!known) return { invalid: scope };
    if (!graph.includes(known)) graph.push(known);
  }
  return { graph, oidc };
}

function parseStored(scopes: string[]): ParsedScopes {
  return { graph: scopes.filter((s) => !OIDC_SCOPES.has(s)), oidc: scopes.filter((s) => OIDC_SCOPES.has(s)) };
}

/**
 * [reply-url] redirect URIs match exactly, except "loopback" or "localhost" ones: "the port component ... is ignored for the
 * purposes of matching a redirect URI" (http allowed). Host and path still match.
 */
function entraRedirectAllowed(client: EmulatorClient, requested: string): boolean {
  if (client.redirectUris.includes(requested)) return true;
  let asked: URL;
  try {
    asked = new URL(requested);
  } catch {
    return false;
  }
  if (!isLoopbackHost(asked.hostname)) return false;
  return client.redirectUris.some((text) => {
    const registered = new URL(text);
    return registered.hostname === asked.hostname && registered.protocol === asked.protocol && registered.pathname === asked.pathname && registered.search === asked.search;
  });
}

function userPrincipalName(account: string): string {
  return account.includes('@') ? account : `${account}@${SANDBOX_ENTRA_TENANT_DOMAIN}`;
}

function entraObjectId(account: string): string {
  return stableGuid(`entra:${account}`);
}
