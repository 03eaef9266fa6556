import { randomBytes } from 'node:crypto';
import { sendJson } from '../access-token-check.js';
import {
  DeviceBook,
  ProviderEmulator,
  SignInPages,
  basicCredentials,
  bearerToken,
  isLoopbackHost,
  pkceMatches,
  randomString,
  readParams,
  redirect,
  sendErrorPage,
  stableNumber,
  withQuery,
  type EmulatedCall,
  type EmulatorClient,
  type EmulatorSettings,
  type IssuedAccessToken,
  type PendingSignIn,
  type Route,
} from './emulator-kit.js';

// Sources, cited next to each behaviour below:
// [oauth-apps] https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
// [token-errors] https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
// [authz-errors] https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-authorization-request-errors
// [app-tokens] https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app
// [refreshing] https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
// [scopes] https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps
// [pkce] https://github.blog/changelog/2025-07-14-pkce-support-for-oauth-and-github-app-authentication
// [oauth-rest] https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-authorization
// [notifications] https://docs.github.com/en/rest/activity/notifications

/** The grant type of the device flow (RFC 8628). */
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** [oauth-apps] "The temporary code will expire after 10 minutes." */
const CODE_TTL_S = 600;
/** [oauth-apps] device flow: "The default is 900 seconds or 15 minutes." */
const DEVICE_CODE_TTL_S = 900;
/** [oauth-apps] device flow: `interval` 5 in the example and "The default is 5 seconds" ([app-tokens]). */
const DEVICE_INTERVAL_S = 5;
/** [app-tokens] "`expires_in` ... The value will always be 28800 (8 hours)." */
const APP_TOKEN_TTL_S = 28800;
/**
 * [app-tokens] "`refresh_token_expires_in` ... The value will always be 15811200 (6 months)." Captures in
 * omniauth/omniauth-github#99 show the same number; 15897600 is widespread in mocks but in no capture we found.
 */
const REFRESH_TOKEN_TTL_S = 15811200;
/** Captures give absolute `error_uri`s (interlink-hq/interLink#262, PyGithub/PyGithub#1718) where [token-errors] shows paths. */
const TOKEN_ERRORS_DOC = 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/';
/** Capture in ramosbugs/oauth2-rs#218: the device flow's `error_uri`. */
const DEVICE_ERRORS_DOC = 'https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow';

/** [scopes] Normalized scopes: a scope that includes others makes them redundant ("requesting user,gist,user:email will result in a token with user and gist scopes only"). */
const SCOPE_PARENTS: Record<string, string> = {
  'repo:status': 'repo',
  repo_deployment: 'repo',
  public_repo: 'repo',
  'repo:invite': 'repo',
  security_events: 'repo',
  'write:repo_hook': 'admin:repo_hook',
  'read:repo_hook': 'admin:repo_hook',
  'write:org': 'admin:org',
  'read:org': 'admin:org',
  'write:public_key': 'admin:public_key',
  'read:public_key': 'admin:public_key',
  'read:user': 'user',
  'user:email': 'user',
  'user:follow': 'user',
  'read:project': 'project',
  'write:gpg_key': 'admin:gpg_key',
  'read:gpg_key': 'admin:gpg_key',
};

/** [scopes] What the consent page says each scope allows. */
const SCOPE_DESCRIPTIONS: Record<string, string> = {
  '': 'Read-only access to public information',
  repo: 'Full access to public and private repositories',
  public_repo: 'Access to public repositories',
  notifications: 'Read your notifications, mark threads read, watch repositories',
  user: 'Read and write your profile, email addresses and follows',
  'read:user': 'Read your profile data',
  'user:email': 'Read your email addresses',
  gist: 'Write gists',
  'read:org': 'Read organization membership and teams',
  workflow: 'Update GitHub Actions workflow files',
};

/** What a web sign-in carries until the user comes back with a code. */
interface GithubWebSignIn {
  /** Where the code goes: the redirect_uri given, or the registered callback. */
  redirectUri: string;
  /** The redirect_uri parameter as given (null when omitted), checked again at the token endpoint. */
  redirectUriParam: string | null;
  state: string | null;
  /** Normalized scopes asked for; null when the request had no scope parameter. */
  scopes: string[] | null;
  codeChallenge: string | null;
}

interface GithubCode {
  code: string;
  clientId: string;
  grantId: string;
  scopes: string[];
  redirectUriParam: string | null;
  redirectUri: string;
  codeChallenge: string | null;
  expiresAt: number;
  used: boolean;
}

/**
 * Whether a client id is a GitHub App's: their client ids start with `Iv` (`Iv1.8a61f9b3a7aba766` in [oauth-rest]'s example,
 * `Iv23li…` for newer apps); others are OAuth Apps.
 *
 * @example
 * ```ts
 * isGithubAppClientId('Iv1.8a61f9b3a7aba766'); // true
 * ```
 */
export function isGithubAppClientId(clientId: string): boolean {
  return clientId.startsWith('Iv');
}

/**
 * A GitHub App client for the emulator when none is registered: the
 * `Iv1.` + 16 hex id shape of [oauth-rest]'s example, with a 40-hex secret.
 *
 * @example
 * ```ts
 * const app = newGithubAppClient(); // { clientId: 'Iv1.3f…', clientSecret: '…', redirectUris: ['http://127.0.0.1/callback'] }
 * ```
 */
export function newGithubAppClient(): EmulatorClient {
  return { clientId: `Iv1.${randomBytes(8).toString('hex')}`, clientSecret: randomBytes(20).toString('hex'), redirectUris: ['http://127.0.0.1/callback'] };
}

/**
 * Emulates github.com's OAuth endpoints and the api.github.com endpoints
 * agents use, as GitHub documents them. Two kinds of registered apps, told
 * apart by client id: GitHub Apps (`Iv…`: expiring `ghu_` tokens with
 * single-use `ghr_` refresh tokens, scope "") and OAuth Apps (`gho_` tokens
 * that never expire, scopes, no refresh token). Token endpoint errors are
 * answered with HTTP 200.
 */
export class GithubEmulator extends ProviderEmulator {
  readonly provider = 'github' as const;
  readonly hosts = ['github.com', 'api.github.com'] as const;
  protected readonly tokenEndpoint = 'POST github.com/login/oauth/access_token';
  readonly #codes = new Map<string, GithubCode>();
  readonly #devices = new DeviceBook();
  readonly #deviceFlowDisabled = new Set<string>();
  readonly #pages: SignInPages<GithubWebSignIn>;

  constructor(settings: EmulatorSettings) {
    super(settings);
    this.#pages = new SignInPages<GithubWebSignIn>({
      now: settings.now,
      origin: settings.origin,
      tag: 'Opperator sandbox: emulated GitHub, no real account',
      accountHint: 'Any user name works (this is an emulated GitHub, not github.com).',
      urls: {
        // GitHub's own sign-in form posts to /session; its authorize button posts back to /login/oauth/authorize.
        login: 'https://github.com/session',
        consent: 'https://github.com/login/oauth/authorize',
        deviceEntry: 'https://github.com/login/device',
        deviceConfirm: 'https://github.com/login/device/confirm',
      },
      devices: this.#devices,
      scopeDescriptions: SCOPE_DESCRIPTIONS,
      accountLabel: (account) => `the GitHub account ${account}`,
      clientName: (clientId) => clientId,
      needsConsent: (pending, account) => this.#needsConsent(pending, account),
      approveWeb: (pending, account) => this.#approveWeb(pending, account),
      // [authz-errors] "If the user rejects access to your application, GitHub will redirect to the registered callback URL" with these parameters.
      denyWeb: (pending) =>
        withQuery((pending.web as GithubWebSignIn).redirectUri, {
          error: 'access_denied',
          error_description: 'The user has denied your application access.',
          error_uri: '/apps/building-integrations/setting-up-and-registering-oauth-apps/troubleshooting-authorization-request-errors/#access-denied',
          state: (pending.web as GithubWebSignIn).state ?? undefined,
        }),
      deviceNeedsConsent: (device, account) => !this.#alreadyAuthorized(device.clientId, account, device.scopes),
    });
  }

  baseUrls(): Record<string, string> {
    return { 'github.com': this.emulated('https://github.com'), 'api.github.com': this.emulated('https://api.github.com') };
  }

  /**
   * Turns the device flow off (or on again) for one app, as the "Enable
   * Device Flow" checkbox of its settings does; it is on for every app by default.
   *
   * @example
   * ```ts
   * server.emulators.github!.setDeviceFlowEnabled('opperator-demo', false);
   * ```
   */
  setDeviceFlowEnabled(clientId: string, enabled: boolean): void {
    if (enabled) this.#deviceFlowDisabled.delete(clientId);
    else this.#deviceFlowDisabled.add(clientId);
  }

  protected routes(): Route[] {
    const web = 'github.com';
    const api = 'api.github.com';
    return [
      { method: 'GET', host: web, path: /^\/login\/oauth\/authorize$/, endpoint: 'GET github.com/login/oauth/authorize', handle: (call) => this.#authorize(call) },
      { method: 'POST', host: web, path: /^\/session$/, endpoint: 'POST github.com/session', handle: (call) => this.#pages.submitLogin(call) },
      { method: 'POST', host: web, path: /^\/login\/oauth\/authorize$/, endpoint: 'POST github.com/login/oauth/authorize', handle: (call) => this.#pages.submitConsent(call) },
      { method: 'POST', host: web, path: /^\/login\/oauth\/access_token$/, endpoint: this.tokenEndpoint, handle: (call) => this.#token(call) },
      { method: 'POST', host: web, path: /^\/login\/device\/code$/, endpoint: 'POST github.com/login/device/code', handle: (call) => this.#deviceCode(call) },
      { method: 'GET', host: web, path: /^\/login\/device$/, endpoint: 'GET github.com/login/device', handle: (call) => this.#pages.showDeviceEntry(call) },
      { method: 'POST', host: web, path: /^\/login\/device$/, endpoint: 'POST github.com/login/device', handle: (call) => this.#pages.submitDeviceEntry(call) },
      { method: 'POST', host: web, path: /^\/login\/device\/confirm$/, endpoint: 'POST github.com/login/device/confirm', handle: (call) => this.#pages.submitDeviceConfirm(call) },
      { method: 'GET', host: api, path: /^\/user$/, endpoint: 'GET api.github.com/user', handle: (call) => this.#user(call) },
      { method: 'GET', host: api, path: /^\/notifications$/, endpoint: 'GET api.github.com/notifications', handle: (call) => this.#notifications(call) },
      {
        method: 'DELETE',
        host: api,
        path: /^\/applications\/([^/]+)\/(grant|token)$/,
        endpoint: 'DELETE api.github.com/applications/{client_id}/grant',
        handle: (call, match) => this.#deleteAuthorization(call, decodeURIComponent(match[1] as string), match[2] as 'grant' | 'token'),
      },
    ];
  }

  protected faultBody(status: 429 | 503): unknown {
    // Injected by a test; GitHub's REST error shape ({ message, documentation_url, status }), see #refuse below.
    return { message: status === 429 ? 'API rate limit exceeded' : 'Service Unavailable', documentation_url: 'https://docs.github.com/rest', status: String(status) };
  }

  // ---- web flow -------------------------------------------------------------------------------

  #authorize(call: EmulatedCall): void {
    const query = call.url.searchParams;
    const client = this.client(query.get('client_id'));
    if (!client) {
      // Not in the docs: github.com shows a "404" page for an unknown client_id, and never redirects.
      sendErrorPage(call.res, 404, 'Not Found', [['error', 'unknown client_id'], ['client_id', query.get('client_id') ?? '']], 'Opperator sandbox: emulated GitHub, no real account');
      return;
    }
    const registered = client.redirectUris[0] as string;
    const requested = query.get('redirect_uri');
    const state = query.get('state');
    // [oauth-apps] "If left out, GitHub will redirect users to the callback URL configured in the OAuth app settings."
    if (requested !== null && !redirectAllowed(client, requested)) {
      // [authz-errors] "GitHub will redirect to the registered callback URL with the following parameters summarizing the error".
      redirect(
        call.res,
        withQuery(registered, {
          error: 'redirect_uri_mismatch',
          error_description: 'The redirect_uri MUST match the registered callback URL for this application.',
          error_uri: '/apps/building-integrations/setting-up-and-registering-oauth-apps/troubleshooting-authorization-request-errors/#redirect-uri-mismatch',
          state: state ?? undefined,
        }),
      );
      return;
    }
    const redirectUri = requested ?? registered;
    const challenge = query.get('code_challenge');
    // [pkce] "Only the S256 code challenge method is accepted." The error for another method is not documented; the emulator
    // answers invalid_request like an RFC 6749 §4.1.2.1 server would.
    if (challenge !== null && query.get('code_challenge_method') !== 'S256') {
      redirect(call.res, withQuery(redirectUri, { error: 'invalid_request', error_description: 'code_challenge_method must be S256', state: state ?? undefined }));
      return;
    }
    const scopeParam = query.get('scope');
    // [scopes] GitHub Apps use permissions, not scopes: "you don't need to provide scopes in your authorization request".
    const scopes = isGithubAppClientId(client.clientId) || scopeParam === null ? null : normalizeScopes(scopeParam);
    const login = query.get('login');
    this.#pages.startWeb(call.res, {
      clientId: client.clientId,
      scopes: scopes ?? [],
      ...(login ? { loginHint: login } : {}),
      web: { redirectUri, redirectUriParam: requested, state, scopes, codeChallenge: challenge },
    });
  }

  #alreadyAuthorized(clientId: string, account: string, scopes: string[]): boolean {
    const grant = this.grants.live(account, clientId);
    return !!grant && scopes.every((scope) => grant.scopes.has(scope));
  }

  #needsConsent(pending: PendingSignIn<GithubWebSignIn>, account: string): boolean {
    // [oauth-apps] "For users who have authorized scopes for the application, the user won't be shown the OAuth authorization
    // page with the list of scopes. Instead, this step of the flow will automatically complete".
    return !this.#alreadyAuthorized(pending.clientId, account, pending.web?.scopes ?? []);
  }

  #approveWeb(pending: PendingSignIn<GithubWebSignIn>, account: string): string {
    const web = pending.web as GithubWebSignIn;
    const grant = this.grants.consent(account, pending.clientId, web.scopes ?? []);
    // [oauth-apps] "a third web flow that does not provide a scope will receive a token with user and repo scope": without a
    // scope parameter the token carries every scope the user authorized.
    const scopes = web.scopes ?? [...grant.scopes];
    // GitHub's codes are 20 hex characters (e.g. the captures in omniauth/omniauth-github#33).
    const code = randomBytes(10).toString('hex');
    this.#codes.set(code, {
      code,
      clientId: pending.clientId,
      grantId: grant.id,
      scopes,
      redirectUri: web.redirectUri,
      redirectUriParam: web.redirectUriParam,
      codeChallenge: web.codeChallenge,
      expiresAt: this.settings.now() + CODE_TTL_S * 1000,
      used: false,
    });
    // [oauth-apps] "GitHub redirects back to your site with a temporary code in a code parameter as well as the state".
    return withQuery(web.redirectUri, { code, state: web.state ?? undefined });
  }

  // ---- token endpoint --------------------------------------------------------------------------

  async #token(call: EmulatedCall): Promise<void> {
    // [app-tokens] / [refreshing] send the parameters as "query parameters"; clients also send them as a form: both are read.
    const params = await readParams(call, { withQuery: true });
    const basic = basicCredentials(call.req);
    const clientId = params.get('client_id') ?? basic?.clientId ?? null;
    const secret = params.get('client_secret') ?? basic?.clientSecret ?? null;
    // [oauth-apps] the code exchange has no grant_type parameter; a missing one is the code exchange.
    const grantType = params.get('grant_type') ?? 'authorization_code';
    if (grantType === 'authorization_code') return this.#exchangeCode(call, params, clientId, secret);
    if (grantType === 'refresh_token') return this.#refresh(call, params, clientId, secret);
    if (grantType === DEVICE_GRANT) return this.#pollDevice(call, params, clientId);
    // [oauth-apps] device flow errors: "unsupported_grant_type: The grant type must be urn:ietf:params:oauth:grant-type:device_code".
    this.#tokenError(call, 'unsupported_grant_type', 'The grant type must be urn:ietf:params:oauth:grant-type:device_code.', DEVICE_ERRORS_DOC);
  }

  #clientOk(clientId: string | null, secret: string | null): EmulatorClient | undefined {
    const client = this.client(clientId);
    // [oauth-apps] client_secret is "Required" for the code exchange; captured in wham/kaja#613: "GitHub refuses a code
    // exchange that carries no client_secret, PKCE or not". A client registered without a secret cannot pass.
    return client && client.clientSecret !== undefined && client.clientSecret === secret ? client : undefined;
  }

  #exchangeCode(call: EmulatedCall, params: URLSearchParams, clientId: string | null, secret: string | null): void {
    if (!this.#clientOk(clientId, secret)) return this.#incorrectClientCredentials(call);
    const code = this.#codes.get(params.get('code') ?? '');
    const now = this.settings.now();
    // [token-errors] "If the verification code you pass is incorrect, expired, or doesn't match what you received in the first
    // request for authorization you will receive this error."
    if (!code || code.used || code.expiresAt <= now || code.clientId !== clientId) return this.#badVerificationCode(call);
    const redirectUri = params.get('redirect_uri');
    // [token-errors] "If you provide a redirect_uri that doesn't match what you've registered with your OAuth app".
    if (redirectUri !== null && redirectUri !== code.redirectUri) {
      return this.#tokenError(call, 'redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.', '/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#redirect-uri-mismatch2');
    }
    // [pkce] "It must then include the corresponding code_verifier parameter when exchanging the authorization code". Which error
    // a wrong verifier gets is not documented: the emulator treats it as a code that "doesn't match" (bad_verification_code).
    if (code.codeChallenge !== null && !pkceMatches(code.codeChallenge, 'S256', params.get('code_verifier'))) return this.#badVerificationCode(call);
    code.used = true;
    this.#answerTokens(call, code.clientId, code.grantId, code.scopes, false);
  }

  #refresh(call: EmulatedCall, params: URLSearchParams, clientId: string | null, secret: string | null): void {
    const client = this.client(clientId);
    if (!client) return this.#incorrectClientCredentials(call);
    const found = this.grants.refreshToken(params.get('refresh_token') ?? '');
    // [refreshing] client_secret is "Required unless the user access token was generated using the device flow".
    const secretNeeded = !found?.token.fromDeviceFlow;
    if (secretNeeded && (client.clientSecret === undefined || client.clientSecret !== secret)) return this.#incorrectClientCredentials(call);
    const now = this.settings.now();
    // [refreshing] "Once you use a refresh token, that refresh token and the old user access token will no longer work."
    // Capture (interlink-hq/interLink#262): a dead refresh token gets HTTP 200 with bad_refresh_token and this description.
    if (!found || !found.grant || found.grant.dead || found.token.used || (found.token.expiresAt ?? Infinity) <= now || found.grant.clientId !== client.clientId) {
      return this.#tokenError(call, 'bad_refresh_token', 'The refresh token passed is incorrect or expired.', `${TOKEN_ERRORS_DOC}#bad-verification-code`);
    }
    found.token.used = true;
    if (found.token.pairedAccess) this.grants.killAccess(found.token.pairedAccess);
    this.#answerTokens(call, client.clientId, found.grant.id, found.token.scopes, found.token.fromDeviceFlow === true);
  }

  #pollDevice(call: EmulatedCall, params: URLSearchParams, clientId: string | null): void {
    // [oauth-apps] "incorrect_client_credentials: For the device flow, you must pass your app's client ID ... The client_secret
    // is not needed for the device flow."
    if (!this.client(clientId)) return this.#incorrectClientCredentials(call);
    const device = this.#devices.byDeviceCode(params.get('device_code'));
    // [oauth-apps] "incorrect_device_code: The device_code provided is not valid."
    if (!device || device.clientId !== clientId) return this.#tokenError(call, 'incorrect_device_code', 'The device_code provided is not valid.', DEVICE_ERRORS_DOC);
    switch (this.#devices.poll(device, this.settings.now())) {
      case 'expired':
        // [oauth-apps] "expired_token: If the device code expired, then you will see the token_expired error." The table's
        // error code (expired_token) is what is sent; the prose's "token_expired" is not.
        return this.#tokenError(call, 'expired_token', 'The device_code has expired.', DEVICE_ERRORS_DOC);
      case 'slow_down':
        // [oauth-apps] "5 extra seconds are added to the minimum interval ... The error response includes the new interval".
        return this.#tokenError(call, 'slow_down', 'Too many requests have been made in the same timeframe.', DEVICE_ERRORS_DOC, { interval: device.intervalSeconds });
      case 'pending':
        // Capture (ramosbugs/oauth2-rs#218): this description and error_uri, HTTP 200.
        return this.#tokenError(call, 'authorization_pending', 'The authorization request is still pending.', DEVICE_ERRORS_DOC);
      case 'denied':
        // [oauth-apps] "When a user clicks cancel during the authorization process, you'll receive a access_denied error".
        return this.#tokenError(call, 'access_denied', 'The authorization request was denied.', DEVICE_ERRORS_DOC);
      case 'redeemed':
        // Not documented: a device code is single-use; a replay is answered as an invalid device code.
        return this.#tokenError(call, 'incorrect_device_code', 'The device_code provided is not valid.', DEVICE_ERRORS_DOC);
      case 'approved': {
        device.status = 'redeemed';
        const grant = this.grants.consent(device.account as string, device.clientId, device.scopes);
        return this.#answerTokens(call, device.clientId, grant.id, device.scopes, true);
      }
    }
  }

  #answerTokens(call: EmulatedCall, clientId: string, grantId: string, scopes: string[], fromDeviceFlow: boolean): void {
    const now = this.settings.now();
    if (!isGithubAppClientId(clientId)) {
      // [oauth-apps] OAuth app tokens start with gho_ (40 characters in the example), never expire and come without a
      // refresh token; `scope` is comma-separated ("repo,gist") and token_type is "bearer".
      const token = this.grants.addAccess({ token: `gho_${randomString(36)}`, grantId, scopes, kind: 'oauth-app' });
      return this.#answer(call, 200, { access_token: token.token, scope: scopes.join(','), token_type: 'bearer' });
    }
    // [app-tokens] user access tokens start with ghu_, expire (28800 s), and come with a ghr_ refresh token; `scope` is
    // "always an empty string".
    const ttl = this.settings.accessTokenTtlSeconds ?? APP_TOKEN_TTL_S;
    const access = this.grants.addAccess({ token: `ghu_${randomString(36)}`, grantId, scopes: [], expiresAt: now + ttl * 1000, kind: 'github-app' });
    // The ghr_ example in [refreshing] has 76 characters after the prefix.
    const refresh = this.grants.addRefresh({ token: `ghr_${randomString(76)}`, grantId, scopes: [], expiresAt: now + REFRESH_TOKEN_TTL_S * 1000, fromDeviceFlow, pairedAccess: access.token });
    this.#answer(call, 200, {
      access_token: access.token,
      expires_in: ttl,
      refresh_token: refresh.token,
      refresh_token_expires_in: REFRESH_TOKEN_TTL_S,
      scope: '',
      token_type: 'bearer',
    });
  }

  #incorrectClientCredentials(call: EmulatedCall): void {
    // [token-errors] with the absolute error_uri of the captures (rwth-acis/VIAProMa#186, PyGithub/PyGithub#1718).
    this.#tokenError(call, 'incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.', `${TOKEN_ERRORS_DOC}#incorrect-client-credentials`);
  }

  #badVerificationCode(call: EmulatedCall): void {
    // [token-errors]; capture (reactivemanifesto/website-manifesto#91) for the absolute error_uri.
    this.#tokenError(call, 'bad_verification_code', 'The code passed is incorrect or expired.', `${TOKEN_ERRORS_DOC}#bad-verification-code`);
  }

  #tokenError(call: EmulatedCall, error: string, description: string, uri: string, extra: Record<string, string | number> = {}): void {
    // [app-tokens] "GitHub will respond with a 200 status and an error"; the captures above show HTTP 200 for every token error.
    this.#answer(call, 200, { error, error_description: description, error_uri: uri, ...extra });
  }

  /**
   * [oauth-apps] "By default, the response takes the following form" (form-encoded); with `Accept: application/json` JSON,
   * with `Accept: application/xml` XML.
   */
  #answer(call: EmulatedCall, status: number, body: Record<string, string | number>): void {
    const accept = call.req.headers.accept ?? '';
    if (/application\/json/i.test(accept)) {
      sendJson(call.res, status, body);
      return;
    }
    let text: string;
    let type: string;
    if (/application\/xml/i.test(accept)) {
      type = 'application/xml; charset=utf-8';
      text = `<OAuth>${Object.entries(body).map(([k, v]) => `<${k}>${xmlEscape(String(v))}</${k}>`).join('')}</OAuth>`;
    } else {
      type = 'application/x-www-form-urlencoded; charset=utf-8';
      text = new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)])).toString();
    }
    call.res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'Content-Length': String(Buffer.byteLength(text)) });
    call.res.end(text);
  }

  // ---- device flow -----------------------------------------------------------------------------

  async #deviceCode(call: EmulatedCall): Promise<void> {
    const params = await readParams(call, { withQuery: true });
    const client = this.client(params.get('client_id'));
    if (!client) {
      // Not documented for this endpoint: the error name of the device-flow table, with the 400 status GitHub used for
      // device_flow_disabled here (capture below).
      return this.#answer(call, 400, { error: 'incorrect_client_credentials', error_description: 'The client_id and/or client_secret passed are incorrect.', error_uri: `${TOKEN_ERRORS_DOC}#incorrect-client-credentials` });
    }
    if (this.#deviceFlowDisabled.has(client.clientId)) {
      // [oauth-apps] lists device_flow_disabled among the polling errors; captures (octokit/create-octokit-project.js#208,
      // jupyterhub/gh-scoped-creds#9) show it from POST /login/device/code, with HTTP 400 and this body. Follows the captures.
      return this.#answer(call, 400, { error: 'device_flow_disabled', error_description: 'Device Flow must be explicitly enabled for this App', error_uri: 'https://docs.github.com' });
    }
    const scopes = isGithubAppClientId(client.clientId) ? [] : normalizeScopes(params.get('scope') ?? '');
    const interval = this.settings.devicePollIntervalSeconds ?? DEVICE_INTERVAL_S;
    const device = this.#devices.add({
      // [oauth-apps] "The device verification code is 40 characters".
      deviceCode: randomBytes(20).toString('hex'),
      // [oauth-apps] "8 characters with a hyphen in the middle"; captured codes are upper-case hex (BCE3-88D0 in
      // panva/openid-client#575, 5F41-76A4 in hickford/git-credential-oauth#114).
      userCode: `${randomString(4, '0123456789ABCDEF')}-${randomString(4, '0123456789ABCDEF')}`,
      clientId: client.clientId,
      scopes,
      expiresAt: this.settings.now() + DEVICE_CODE_TTL_S * 1000,
      intervalSeconds: interval,
      status: 'pending',
    });
    // [oauth-apps] the response fields, in the documented order.
    this.#answer(call, 200, {
      device_code: device.deviceCode,
      user_code: device.userCode,
      verification_uri: 'https://github.com/login/device',
      expires_in: DEVICE_CODE_TTL_S,
      interval,
    });
  }

  // ---- REST API --------------------------------------------------------------------------------

  #authenticate(call: EmulatedCall, docs: string): { token: IssuedAccessToken; account: string } | undefined {
    // "Authorization: Bearer OAUTH-TOKEN" ([oauth-apps]); GitHub also takes the older `token` scheme.
    const presented = bearerToken(call.req, /^(Bearer|token)$/i);
    if (!presented) {
      this.#refuse(call, 401, 'Requires authentication', docs);
      return undefined;
    }
    const found = this.grants.usableAccess(presented);
    if (!found) {
      // Capture (hisxo/gitGraber#54): 401 {"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"};
      // [app-tokens] a revoked token gets "the 401 Bad Credentials error".
      this.#refuse(call, 401, 'Bad credentials', 'https://docs.github.com/rest');
      return undefined;
    }
    return { token: found.token, account: found.grant.account };
  }

  #refuse(call: EmulatedCall, status: number, message: string, docs: string, headers: Record<string, string> = {}): void {
    sendJson(call.res, status, { message, documentation_url: docs, status: String(status) }, headers);
  }

  /** [scopes] "X-OAuth-Scopes lists the scopes your token has authorized"; GitHub App tokens have no scopes, so no header. */
  #scopeHeaders(token: IssuedAccessToken, accepted: string): Record<string, string> {
    return {
      ...(token.kind === 'oauth-app' ? { 'X-OAuth-Scopes': token.scopes.join(', ') } : {}),
      'X-Accepted-OAuth-Scopes': accepted,
    };
  }

  #user(call: EmulatedCall): void {
    const auth = this.#authenticate(call, 'https://docs.github.com/rest/users/users#get-the-authenticated-user');
    if (!auth) return;
    const login = auth.account;
    const id = githubUserId(login);
    // https://docs.github.com/en/rest/users/users#get-the-authenticated-user: the public profile fields.
    sendJson(
      call.res,
      200,
      {
        login,
        id,
        node_id: Buffer.from(`04:User${id}`).toString('base64'),
        avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
        gravatar_id: '',
        url: `https://api.github.com/users/${encodeURIComponent(login)}`,
        html_url: `https://github.com/${encodeURIComponent(login)}`,
        type: 'User',
        site_admin: false,
        name: login,
        company: null,
        blog: '',
        location: null,
        email: login.includes('@') ? login : `${login}@sandbox.test`,
        hireable: null,
        bio: null,
        twitter_username: null,
        public_repos: 1,
        public_gists: 0,
        followers: 0,
        following: 0,
        created_at: '2020-01-01T00:00:00Z',
        updated_at: '2025-01-06T09:15:00Z',
      },
      this.#scopeHeaders(auth.token, ''),
    );
  }

  #notifications(call: EmulatedCall): void {
    const docs = 'https://docs.github.com/rest/activity/notifications#list-notifications-for-the-authenticated-user';
    const auth = this.#authenticate(call, docs);
    if (!auth) return;
    const accepted = 'notifications, repo';
    if (auth.token.kind === 'github-app') {
      // [notifications] "These endpoints only support authentication using a personal access token (classic)"; GitHub App
      // user tokens are refused (community discussion orgs/community#214486). GitHub's message for integration tokens.
      return this.#refuse(call, 403, 'Resource not accessible by integration', docs);
    }
    // [notifications] "All calls to these endpoints require the notifications or repo scopes." The wording of the refusal is
    // not documented.
    if (!auth.token.scopes.some((scope) => scope === 'notifications' || scope === 'repo')) {
      return this.#refuse(call, 403, "Missing the 'notifications' scope.", docs, this.#scopeHeaders(auth.token, accepted));
    }
    // [notifications] "Notifications are optimized for polling with the Last-Modified header. If there are no new
    // notifications, you will see a 304 Not Modified response ... There is an X-Poll-Interval header".
    const lastModified = 'Mon, 06 Jan 2025 09:15:00 GMT';
    const headers = { ...this.#scopeHeaders(auth.token, accepted), 'Last-Modified': lastModified, 'X-Poll-Interval': '60' };
    if (call.req.headers['if-modified-since'] === lastModified) {
      call.res.writeHead(304, headers);
      call.res.end();
      return;
    }
    const all = call.url.searchParams.get('all') === 'true';
    sendJson(call.res, 200, this.#demoNotifications().filter((n) => all || n.unread), headers);
  }

  #demoNotifications(): Array<Record<string, unknown> & { unread: boolean }> {
    const repository = 'opperator/sandbox-demo';
    const api = (path: string) => `https://api.github.com/${path}`;
    const item = (id: string, unread: boolean, reason: string, updatedAt: string, title: string, type: string, path: string) => ({
      id,
      unread,
      reason,
      updated_at: updatedAt,
      last_read_at: unread ? null : updatedAt,
      subject: { title, url: api(`repos/${repository}/${path}`), latest_comment_url: api(`repos/${repository}/${path}`), type },
      repository: { id: 1296269, full_name: repository, name: 'sandbox-demo', private: false, url: api(`repos/${repository}`), html_url: `https://github.com/${repository}` },
      url: api(`notifications/threads/${id}`),
      subscription_url: api(`notifications/threads/${id}/subscription`),
    });
    // The same four threads on every run (3 unread, 1 read), as the sandbox's GitHub-shaped demo API has.
    return [
      item('1001', true, 'review_requested', '2025-01-06T09:15:00Z', 'Add a device-flow example', 'PullRequest', 'pulls/42'),
      item('1002', true, 'mention', '2025-01-06T08:40:00Z', 'Refresh token lost after restart?', 'Issue', 'issues/41'),
      item('1003', true, 'subscribed', '2025-01-05T17:02:00Z', 'v0.2.0', 'Release', 'releases/3'),
      item('1004', false, 'author', '2025-01-04T12:00:00Z', 'Document the sandbox', 'Issue', 'issues/37'),
    ];
  }

  async #deleteAuthorization(call: EmulatedCall, clientId: string, what: 'grant' | 'token'): Promise<void> {
    const docs = `https://docs.github.com/rest/apps/oauth-applications#delete-an-app-${what === 'grant' ? 'authorization' : 'token'}`;
    const basic = basicCredentials(call.req);
    const client = this.client(clientId);
    // [oauth-rest] "You must use Basic Authentication when accessing this endpoint, using the application's client_id and
    // client_secret as the username and password." Wrong credentials: GitHub answers 404 for what the caller may not see
    // (https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#404-not-found-for-an-existing-resource).
    if (!basic) return this.#refuse(call, 401, 'Requires authentication', docs);
    if (!client || basic.clientId !== clientId || client.clientSecret === undefined || basic.clientSecret !== client.clientSecret) return this.#refuse(call, 404, 'Not Found', docs);
    const params = await readParams(call);
    const presented = params.get('access_token');
    // [oauth-rest] 422 "Validation failed, or the endpoint has been spammed."
    if (!presented) return this.#refuse(call, 422, 'Invalid request.\n\n"access_token" wasn\'t supplied.', docs);
    const found = this.grants.usableAccess(presented);
    if (!found || found.grant.clientId !== clientId) return this.#refuse(call, 404, 'Not Found', docs);
    if (what === 'grant') {
      // [oauth-rest] "Deleting an application's grant will also delete all OAuth tokens associated with the application for the user."
      this.grants.kill(found.grant.id, 'revoked');
    } else {
      this.grants.killAccess(presented);
    }
    call.res.writeHead(204);
    call.res.end();
  }
}

/**
 * [scopes] Splits a scope parameter (spaces, or commas as GitHub also accepts), drops duplicates and scopes implied by another.
 *
 * @example
 * ```ts
 * normalizeScopes('user,gist,user:email'); // ['user', 'gist'], as [scopes] "Normalized scopes" says
 * ```
 */
export function normalizeScopes(value: string): string[] {
  const asked = [...new Set(value.split(/[\s,]+/).filter(Boolean))];
  return asked.filter((scope) => {
    const parent = SCOPE_PARENTS[scope];
    return !(parent && asked.includes(parent));
  });
}

/**
 * [oauth-apps] Redirect URLs: "the redirect URL's host (excluding sub-domains) and port must exactly match the callback URL.
 * The redirect URL's path must reference a subdirectory of the callback URL." Loopback: "The redirect_uri does not need to
 * match the port specified in the callback URL for the app." [app-tokens] for GitHub Apps: "This must be an exact match to
 * one of the URLs you provided as a Callback URL" (the loopback port rule is applied to them too: their docs are silent).
 */
function redirectAllowed(client: EmulatorClient, requested: string): boolean {
  let asked: URL;
  try {
    asked = new URL(requested);
  } catch {
    return false;
  }
  return client.redirectUris.some((registeredText) => {
    const registered = new URL(registeredText);
    if (asked.protocol !== registered.protocol) return false;
    const loopback = isLoopbackHost(registered.hostname) && asked.hostname === registered.hostname;
    if (!loopback && asked.port !== registered.port) return false;
    if (isGithubAppClientId(client.clientId)) {
      return asked.hostname === registered.hostname && asked.pathname === registered.pathname && asked.search === registered.search;
    }
    const hostOk = loopback || asked.hostname === registered.hostname || asked.hostname.endsWith(`.${registered.hostname}`);
    const base = registered.pathname.replace(/\/+$/, '');
    const pathOk = asked.pathname === registered.pathname || asked.pathname === base || asked.pathname.startsWith(`${base}/`);
    return hostOk && pathOk;
  });
}

/** A stable numeric user id per login: GitHub user ids are numbers. */
function githubUserId(login: string): number {
  return 1_000_000 + stableNumber(`github:${login}`, 90_000_000);
}

function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
