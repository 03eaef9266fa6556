import { createHash } from 'node:crypto';
import { sendJson } from '../access-token-check.js';
import {
  DeviceBook,
  ProviderEmulator,
  SignInPages,
  SigningKey,
  atHash,
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
  type Grant,
  type IssuedAccessToken,
  type PendingSignIn,
  type Route,
} from './emulator-kit.js';

// Sources, cited next to each behaviour below:
// [native] https://developers.google.com/identity/protocols/oauth2/native-app (OAuth 2.0 for Mobile & Desktop Apps)
// [web] https://developers.google.com/identity/protocols/oauth2/web-server (access_type, prompt, include_granted_scopes, revoke)
// [devices] https://developers.google.com/identity/protocols/oauth2/limited-input-device (TV and Limited-Input Devices)
// [oidc] https://developers.google.com/identity/openid-connect/openid-connect (discovery, ID token, userinfo)
// [gmail] https://developers.google.com/gmail/api/reference/rest/v1/users (getProfile, messages.list, messages.get)
// [errors] https://cloud.google.com/apis/design/errors (the {"error":{code,message,status}} shape of Google APIs)

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** Token responses in [web], [native] and [devices] all show `expires_in: 3599`-style hour-long tokens; the examples use 3920, captures 3599. */
const ACCESS_TOKEN_TTL_S = 3599;
/** Not documented; ten minutes as for the other providers. */
const CODE_TTL_S = 600;
/** [devices] the device code response example: `"expires_in": 1800, "interval": 5`. */
const DEVICE_CODE_TTL_S = 1800;
const DEVICE_INTERVAL_S = 5;
/** ID tokens last an hour ([oidc] "exp"). */
const ID_TOKEN_TTL_S = 3600;

/** [native]/[oidc] the OpenID shorthands and the scope Google echoes for them ("scope": "openid https://www.googleapis.com/auth/userinfo.email ..."). */
const SHORTHANDS: Record<string, string> = {
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
};

/** Scopes the emulator knows; others are refused at authorization with invalid_scope like Google refuses unknown ones (capture kootenpv/yagmail#78). */
const KNOWN_SCOPES = new Set([
  'openid',
  SHORTHANDS.email as string,
  SHORTHANDS.profile as string,
  'https://mail.google.com/',
  'https://www.googleapis.com/auth/gmail.readonly',
  'https://www.googleapis.com/auth/gmail.modify',
  'https://www.googleapis.com/auth/gmail.metadata',
  'https://www.googleapis.com/auth/gmail.compose',
  'https://www.googleapis.com/auth/gmail.send',
  'https://www.googleapis.com/auth/gmail.labels',
  'https://www.googleapis.com/auth/drive',
  'https://www.googleapis.com/auth/drive.file',
  'https://www.googleapis.com/auth/drive.appdata',
  'https://www.googleapis.com/auth/youtube',
  'https://www.googleapis.com/auth/youtube.readonly',
  'https://www.googleapis.com/auth/calendar',
  'https://www.googleapis.com/auth/calendar.readonly',
]);

/**
 * [devices] "Allowed scopes": the device flow is supported only for these. Captures show the refusal for others (Gmail in
 * brockamer/findajob#115, googleapis/oauth2client#88; Gerrit in hickford/git-credential-oauth#38).
 */
const DEVICE_ALLOWED_SCOPES = new Set([
  'openid',
  SHORTHANDS.email as string,
  SHORTHANDS.profile as string,
  'https://www.googleapis.com/auth/drive.appdata',
  'https://www.googleapis.com/auth/drive.file',
  'https://www.googleapis.com/auth/youtube',
  'https://www.googleapis.com/auth/youtube.readonly',
]);

/** [gmail] Authorization scopes of users.getProfile / messages.list / messages.get (any one of them). */
const GMAIL_READ_SCOPES = ['https://mail.google.com/', 'https://www.googleapis.com/auth/gmail.modify', 'https://www.googleapis.com/auth/gmail.readonly', 'https://www.googleapis.com/auth/gmail.metadata'];

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'Associate you with your personal info on Google',
  email: 'See your primary Google Account email address',
  profile: 'See your personal info, including any personal info you\u2019ve made publicly available',
  [SHORTHANDS.email as string]: 'See your primary Google Account email address',
  [SHORTHANDS.profile as string]: 'See your personal info, including any personal info you\u2019ve made publicly available',
  'https://mail.google.com/': 'Read, compose, send, and permanently delete all your email from Gmail',
  'https://www.googleapis.com/auth/gmail.readonly': 'View your email messages and settings',
  'https://www.googleapis.com/auth/gmail.modify': 'Read, compose, and send emails from your Gmail account',
  'https://www.googleapis.com/auth/gmail.metadata': 'View your email message metadata such as labels and headers, but not the email body',
};

const TAG = 'Opperator sandbox: emulated Google, no real account';

interface GoogleWebSignIn {
  redirectUri: string;
  state: string | null;
  scopes: string[];
  offline: boolean;
  forceConsent: boolean;
  includeGrantedScopes: boolean;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain';
  nonce: string | null;
}

interface GoogleCode {
  clientId: string;
  grantId: string;
  scopes: string[];
  redirectUri: string;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain';
  nonce: string | null;
  withRefreshToken: boolean;
  expiresAt: number;
  used: boolean;
}

/** A demo message of the emulated mailbox. */
interface Mail {
  id: string;
  threadId: string;
  unread: boolean;
  from: string;
  subject: string;
  date: Date;
  body: string;
}

/**
 * Emulates Google's OAuth 2.0 and OpenID Connect endpoints (accounts.google.com,
 * oauth2.googleapis.com, openidconnect.googleapis.com, www.googleapis.com,
 * www.google.com/device) and the Gmail API calls agents use
 * (gmail.googleapis.com), as Google documents them: refresh tokens only with
 * `access_type=offline` on a consent, never rotated; `email`/`profile` echoed
 * as their full scope URLs; device flow with `verification_url`, HTTP 428
 * while pending and an allow-list of scopes; Google's JSON error shapes.
 */
export class GoogleEmulator extends ProviderEmulator {
  readonly provider = 'google' as const;
  readonly hosts = ['accounts.google.com', 'oauth2.googleapis.com', 'openidconnect.googleapis.com', 'www.googleapis.com', 'gmail.googleapis.com', 'www.google.com'] as const;
  protected readonly tokenEndpoint = 'POST oauth2.googleapis.com/token';
  readonly #key = SigningKey.generate();
  readonly #codes = new Map<string, GoogleCode>();
  readonly #devices = new DeviceBook();
  readonly #pages: SignInPages<GoogleWebSignIn>;

  constructor(settings: EmulatorSettings) {
    super(settings);
    this.#pages = new SignInPages<GoogleWebSignIn>({
      now: settings.now,
      origin: settings.origin,
      tag: TAG,
      accountHint: 'Any user name works (this is an emulated Google, not accounts.google.com).',
      urls: {
        login: 'https://accounts.google.com/v3/signin/identifier',
        consent: 'https://accounts.google.com/signin/oauth/consent',
        deviceEntry: 'https://www.google.com/device',
        deviceConfirm: 'https://www.google.com/device/confirm',
      },
      devices: this.#devices,
      scopeDescriptions: SCOPE_DESCRIPTIONS,
      accountLabel: (account) => `the Google Account ${googleEmail(account)}`,
      clientName: (clientId) => clientId,
      needsConsent: (pending, account) => this.#needsConsent(pending, account),
      approveWeb: (pending, account, consentShown) => this.#approveWeb(pending, account, consentShown),
      // [web] "If the user does not approve the request, the response contains an error message": error=access_denied.
      denyWeb: (pending) => withQuery((pending.web as GoogleWebSignIn).redirectUri, { error: 'access_denied', state: (pending.web as GoogleWebSignIn).state ?? undefined }),
      deviceNeedsConsent: () => true,
    });
  }

  baseUrls(): Record<string, string> {
    return Object.fromEntries(this.hosts.map((host) => [host, this.emulated(`https://${host}`)]));
  }

  /**
   * Makes the next refresh of one account's grants (or all) fail as a
   * Workspace reauthentication policy does (`invalid_grant`,
   * `invalid_rapt`) until the user signs in again; returns how many grants.
   *
   * @example
   * ```ts
   * server.emulators.google!.requireReauth({ account: 'alice' });
   * ```
   */
  requireReauth(selector: { account?: string } = {}): number {
    const chosen = this.grants.select(selector);
    for (const grant of chosen) grant.mfaRequired = true;
    return chosen.length;
  }

  protected routes(): Route[] {
    const accounts = 'accounts.google.com';
    const oauth2 = 'oauth2.googleapis.com';
    const device = 'www.google.com';
    const userinfo = (host: string, path: RegExp, endpoint: string): Route => ({ method: 'GET', host, path, endpoint, handle: (call) => this.#userinfo(call) });
    const gmailRoutes = (host: string): Route[] => [
      { method: 'GET', host, path: /^\/gmail\/v1\/users\/([^/]+)\/profile$/, endpoint: `GET ${host}/gmail/v1/users/{userId}/profile`, handle: (call, m) => this.#gmailProfile(call, decodeURIComponent(m[1] as string)) },
      { method: 'GET', host, path: /^\/gmail\/v1\/users\/([^/]+)\/messages$/, endpoint: `GET ${host}/gmail/v1/users/{userId}/messages`, handle: (call, m) => this.#gmailList(call, decodeURIComponent(m[1] as string)) },
      { method: 'GET', host, path: /^\/gmail\/v1\/users\/([^/]+)\/messages\/([^/]+)$/, endpoint: `GET ${host}/gmail/v1/users/{userId}/messages/{id}`, handle: (call, m) => this.#gmailGet(call, decodeURIComponent(m[1] as string), decodeURIComponent(m[2] as string)) },
    ];
    return [
      { method: 'GET', host: accounts, path: /^\/\.well-known\/openid-configuration$/, endpoint: 'GET accounts.google.com/.well-known/openid-configuration', handle: (call) => this.#discovery(call) },
      // [native] the authorization endpoint; the older /o/oauth2/auth still answers the same.
      { method: 'GET', host: accounts, path: /^\/o\/oauth2\/(v2\/)?auth$/, endpoint: 'GET accounts.google.com/o/oauth2/v2/auth', handle: (call) => this.#authorize(call) },
      { method: 'POST', host: accounts, path: /^\/v3\/signin\/identifier$/, endpoint: 'POST accounts.google.com/v3/signin/identifier', handle: (call) => this.#pages.submitLogin(call) },
      { method: 'POST', host: accounts, path: /^\/signin\/oauth\/consent$/, endpoint: 'POST accounts.google.com/signin/oauth/consent', handle: (call) => this.#pages.submitConsent(call) },
      { method: 'POST', host: oauth2, path: /^\/token$/, endpoint: this.tokenEndpoint, handle: (call) => this.#token(call) },
      { method: 'POST', host: oauth2, path: /^\/revoke$/, endpoint: 'POST oauth2.googleapis.com/revoke', handle: (call) => this.#revoke(call) },
      { method: 'POST', host: oauth2, path: /^\/device\/code$/, endpoint: 'POST oauth2.googleapis.com/device/code', handle: (call) => this.#deviceCode(call) },
      { method: 'GET', host: device, path: /^\/device$/, endpoint: 'GET www.google.com/device', handle: (call) => this.#pages.showDeviceEntry(call) },
      { method: 'POST', host: device, path: /^\/device$/, endpoint: 'POST www.google.com/device', handle: (call) => this.#pages.submitDeviceEntry(call) },
      { method: 'POST', host: device, path: /^\/device\/confirm$/, endpoint: 'POST www.google.com/device/confirm', handle: (call) => this.#pages.submitDeviceConfirm(call) },
      userinfo('openidconnect.googleapis.com', /^\/v1\/userinfo$/, 'GET openidconnect.googleapis.com/v1/userinfo'),
      userinfo('www.googleapis.com', /^\/oauth2\/v3\/userinfo$/, 'GET www.googleapis.com/oauth2/v3/userinfo'),
      { method: 'GET', host: 'www.googleapis.com', path: /^\/oauth2\/v3\/certs$/, endpoint: 'GET www.googleapis.com/oauth2/v3/certs', handle: (call) => sendJson(call.res, 200, { keys: [this.#key.jwk()] }) },
      ...gmailRoutes('gmail.googleapis.com'),
      // The Gmail API also answers on its older host.
      ...gmailRoutes('www.googleapis.com'),
    ];
  }

  protected faultBody(status: 429 | 503): unknown {
    // Injected by a test; the OAuth error shape of the token endpoint ([web]: {"error": ..., "error_description": ...}).
    return status === 429 ? { error: 'rate_limit_exceeded', error_description: 'Rate Limit Exceeded' } : { error: 'temporarily_unavailable', error_description: 'Service Unavailable' };
  }

  // ---- discovery -------------------------------------------------------------------------------

  #discovery(call: EmulatedCall): void {
    // [oidc] "Discovery document" (https://accounts.google.com/.well-known/openid-configuration): its fields and the
    // provider's own URLs (a client routes them here). No authorization_response_iss_parameter_supported: Google sends no `iss` with the code.
    sendJson(call.res, 200, {
      issuer: 'https://accounts.google.com',
      authorization_endpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
      device_authorization_endpoint: 'https://oauth2.googleapis.com/device/code',
      token_endpoint: 'https://oauth2.googleapis.com/token',
      userinfo_endpoint: 'https://openidconnect.googleapis.com/v1/userinfo',
      revocation_endpoint: 'https://oauth2.googleapis.com/revoke',
      jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
      response_types_supported: ['code', 'token', 'id_token', 'code token', 'code id_token', 'token id_token', 'code token id_token', 'none'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'email', 'profile'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      claims_supported: ['aud', 'email', 'email_verified', 'exp', 'family_name', 'given_name', 'iat', 'iss', 'name', 'picture', 'sub'],
      code_challenge_methods_supported: ['plain', 'S256'],
      grant_types_supported: ['authorization_code', 'refresh_token', DEVICE_GRANT, 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
    });
  }

  // ---- web flow -------------------------------------------------------------------------------

  #authorize(call: EmulatedCall): void {
    const q = call.url.searchParams;
    const pageError = (status: number, error: string, description: string) =>
      // [web] "Error handling": Google shows these to the user on an error page, it does not redirect (the app's redirect
      // cannot be trusted yet).
      sendErrorPage(call.res, status, `Error ${status}: ${error}`, [['error', error], ['error_description', description]], TAG, 'Request details are shown to help the app developer.');
    const client = this.client(q.get('client_id'));
    // Captures: 401 invalid_client "The OAuth client was not found." (Edujugon/laravel-google-ads#17).
    if (!client) return pageError(401, 'invalid_client', 'The OAuth client was not found.');
    const redirectUri = q.get('redirect_uri');
    if (!redirectUri) return pageError(400, 'invalid_request', 'Missing required parameter: redirect_uri');
    // [web] "Error 400: redirect_uri_mismatch": "The redirect_uri passed in the authorization request does not match an
    // authorized redirect URI for the OAuth client ID."
    if (!googleRedirectAllowed(client, redirectUri)) return pageError(400, 'redirect_uri_mismatch', `The redirect_uri passed in the request does not match an authorized redirect URI: ${redirectUri}`);
    const responseType = q.get('response_type');
    if (!responseType) return pageError(400, 'invalid_request', 'Missing required parameter: response_type');
    if (responseType !== 'code') return pageError(400, 'unsupported_response_type', `Invalid response_type: ${responseType}`);
    const scopeParam = q.get('scope');
    if (!scopeParam?.trim()) return pageError(400, 'invalid_request', 'Missing required parameter: scope');
    const scopes = expandScopes(scopeParam);
    const invalid = scopes.filter((s) => !KNOWN_SCOPES.has(s));
    // Capture (kootenpv/yagmail#78): "Error: invalid_scope  Some requested scopes were invalid. {invalid=[...]}".
    if (invalid.length) return pageError(400, 'invalid_scope', `Some requested scopes were invalid. {invalid=[${invalid.join(', ')}]}`);
    const method = q.get('code_challenge_method') ?? 'plain';
    // [native] step 1: code_challenge_method "S256 or plain"; RFC 7636's default is plain.
    if (method !== 'S256' && method !== 'plain') return pageError(400, 'invalid_request', `Invalid code_challenge_method: ${method}`);
    const prompt = (q.get('prompt') ?? '').split(' ');
    const state = q.get('state');
    // No browser session is kept, so prompt=none can never be answered silently; [oidc] login_required is the answer then.
    if (prompt.includes('none')) return redirect(call.res, withQuery(redirectUri, { error: 'login_required', state: state ?? undefined }));
    const loginHint = q.get('login_hint');
    this.#pages.startWeb(call.res, {
      clientId: client.clientId,
      scopes,
      ...(loginHint ? { loginHint } : {}),
      web: {
        redirectUri,
        state,
        scopes,
        // [web] access_type "offline ... instructs the Google authorization server to return a refresh token".
        offline: q.get('access_type') === 'offline',
        // [web] prompt=consent: "Prompt the user for consent".
        forceConsent: prompt.includes('consent'),
        // [web] include_granted_scopes=true: "the new access token will also cover any scopes to which the user previously granted".
        includeGrantedScopes: q.get('include_granted_scopes') === 'true',
        codeChallenge: q.get('code_challenge'),
        codeChallengeMethod: method,
        nonce: q.get('nonce'),
      },
    });
  }

  #needsConsent(pending: PendingSignIn<GoogleWebSignIn>, account: string): boolean {
    const web = pending.web as GoogleWebSignIn;
    if (web.forceConsent) return true;
    const grant = this.grants.live(account, pending.clientId);
    // [web] an app the user already authorized for these scopes is not asked again unless prompt=consent.
    return !grant || !web.scopes.every((s) => grant.scopes.has(s));
  }

  #approveWeb(pending: PendingSignIn<GoogleWebSignIn>, account: string, consentShown: boolean): string {
    const web = pending.web as GoogleWebSignIn;
    const grant = this.grants.consent(account, pending.clientId, web.scopes);
    const scopes = web.includeGrantedScopes ? [...grant.scopes] : web.scopes;
    // Authorization codes look like "4/0A..." (the [web] example: "4/P7q7W91a-oMsCeLvIaQm6bTrgtp7").
    const code = `4/0A${randomString(70, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')}`;
    this.#codes.set(code, {
      clientId: pending.clientId,
      grantId: grant.id,
      scopes,
      redirectUri: web.redirectUri,
      codeChallenge: web.codeChallenge,
      codeChallengeMethod: web.codeChallengeMethod,
      nonce: web.nonce,
      // [web] access_type=offline: a refresh token "the first time that your application exchanges an authorization code";
      // a sign-in that skips the consent page (already granted, no prompt=consent) gets none.
      withRefreshToken: web.offline && consentShown,
      expiresAt: this.settings.now() + CODE_TTL_S * 1000,
      used: false,
    });
    // [web] step 5 "Handle the OAuth 2.0 server response": the code (and the state) in the redirect's query.
    return withQuery(web.redirectUri, { state: web.state ?? undefined, code });
  }

  // ---- token endpoint --------------------------------------------------------------------------

  async #token(call: EmulatedCall): Promise<void> {
    const params = await readParams(call);
    const basic = basicCredentials(call.req);
    const clientId = params.get('client_id') ?? basic?.clientId ?? null;
    const secret = params.get('client_secret') ?? basic?.clientSecret ?? null;
    const client = this.client(clientId);
    if (!client) return this.#oauthError(call, 401, 'invalid_client', 'The OAuth client was not found.');
    // Capture (the common answer when a confidential client omits its secret): 400 invalid_request "client_secret is missing.".
    if (client.clientSecret !== undefined && secret === null) return this.#oauthError(call, 400, 'invalid_request', 'client_secret is missing.');
    // Capture (hybridauth/hybridauth#973): a wrong secret gets 401 invalid_client "Unauthorized".
    if (client.clientSecret !== undefined && secret !== client.clientSecret) return this.#oauthError(call, 401, 'invalid_client', 'Unauthorized');
    const grantType = params.get('grant_type');
    if (grantType === 'authorization_code') return this.#exchangeCode(call, params, client);
    if (grantType === 'refresh_token') return this.#refresh(call, params, client);
    if (grantType === DEVICE_GRANT) return this.#pollDevice(call, params, client);
    // [devices] "unsupported_grant_type: The token endpoint returns this error with a 400 status."
    this.#oauthError(call, 400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
  }

  #exchangeCode(call: EmulatedCall, params: URLSearchParams, client: EmulatorClient): void {
    const codeText = params.get('code') ?? '';
    const code = this.#codes.get(codeText);
    // Captures: an unknown, expired or used code is refused with 400 invalid_grant ("Bad Request"); a code that does not
    // parse says "Malformed auth code.".
    if (!code) return this.#oauthError(call, 400, 'invalid_grant', codeText.startsWith('4/') ? 'Bad Request' : 'Malformed auth code.');
    if (code.used || code.expiresAt <= this.settings.now() || code.clientId !== client.clientId) return this.#oauthError(call, 400, 'invalid_grant', 'Bad Request');
    // [native] step 5 (exchange): redirect_uri must be the one of the authorization request.
    if (params.get('redirect_uri') !== code.redirectUri) return this.#oauthError(call, 400, 'redirect_uri_mismatch', 'Bad Request');
    if (code.codeChallenge !== null) {
      const verifier = params.get('code_verifier');
      // [native] code_verifier is checked against the code_challenge of step 1.
      if (!verifier) return this.#oauthError(call, 400, 'invalid_grant', 'Missing code verifier.');
      if (!pkceMatches(code.codeChallenge, code.codeChallengeMethod, verifier)) return this.#oauthError(call, 400, 'invalid_grant', 'Invalid code verifier.');
    }
    code.used = true;
    const grant = this.grants.grant(code.grantId) as Grant;
    this.#answerTokens(call, client, grant, code.scopes, { refreshToken: code.withRefreshToken, nonce: code.nonce });
  }

  #refresh(call: EmulatedCall, params: URLSearchParams, client: EmulatorClient): void {
    const found = this.grants.refreshToken(params.get('refresh_token') ?? '');
    // Captures (AppleIdLoginHelper/LoginHelper#8, mbrother2/backuptogoogle#4): 400 invalid_grant "Token has been expired or
    // revoked." for a revoked grant or an unknown refresh token.
    if (!found || !found.grant || found.grant.dead || found.grant.clientId !== client.clientId) return this.#oauthError(call, 400, 'invalid_grant', 'Token has been expired or revoked.');
    if (found.grant.mfaRequired) {
      // Capture (cline/cline#4080): a Workspace reauthentication policy refuses the refresh with this body.
      return sendJson(call.res, 400, { error: 'invalid_grant', error_description: 'reauth related error (invalid_rapt)', error_uri: 'https://support.google.com/a/answer/9368756', error_subtype: 'invalid_rapt' });
    }
    // [web] "Refreshing an access token": the response has no refresh_token; Google's refresh tokens do not rotate.
    this.#answerTokens(call, client, found.grant, found.token.scopes, { refreshToken: false, nonce: null });
  }

  #answerTokens(call: EmulatedCall, client: EmulatorClient, grant: Grant, scopes: string[], options: { refreshToken: boolean; nonce: string | null }): void {
    const now = this.settings.now();
    const ttl = this.settings.accessTokenTtlSeconds ?? ACCESS_TOKEN_TTL_S;
    // Google access tokens are opaque "ya29." strings; refresh tokens start "1//".
    const access = this.grants.addAccess({ token: `ya29.a0${randomString(120)}`, grantId: grant.id, scopes, expiresAt: now + ttl * 1000 });
    const refresh = options.refreshToken ? this.grants.addRefresh({ token: `1//0${randomString(100)}`, grantId: grant.id, scopes }) : undefined;
    // [web] step 5 response, in its order: access_token, expires_in, refresh_token, scope, token_type ("Bearer"), id_token.
    sendJson(call.res, 200, {
      access_token: access.token,
      expires_in: ttl,
      ...(refresh ? { refresh_token: refresh.token } : {}),
      scope: scopes.join(' '),
      token_type: 'Bearer',
      ...(scopes.includes('openid') ? { id_token: this.#idToken(client, grant.account, scopes, access.token, options.nonce) } : {}),
    });
  }

  #idToken(client: EmulatorClient, account: string, scopes: string[], accessToken: string, nonce: string | null): string {
    const now = Math.floor(this.settings.now() / 1000);
    // [oidc] "An ID token's payload": iss, azp, aud, sub, email/email_verified (email scope), at_hash, name/picture/given_name/
    // family_name (profile scope), nonce, iat, exp. iss is https://accounts.google.com, as from Google.
    return this.#key.sign({
      iss: 'https://accounts.google.com',
      azp: client.clientId,
      aud: client.clientId,
      sub: googleSub(account),
      ...(scopes.includes(SHORTHANDS.email as string) ? { email: googleEmail(account), email_verified: true } : {}),
      at_hash: atHash(accessToken),
      ...(nonce ? { nonce } : {}),
      ...(scopes.includes(SHORTHANDS.profile as string) ? profileClaims(account) : {}),
      iat: now,
      exp: now + ID_TOKEN_TTL_S,
    });
  }

  #oauthError(call: EmulatedCall, status: number, error: string, description: string): void {
    sendJson(call.res, status, { error, error_description: description });
  }

  // ---- revocation ------------------------------------------------------------------------------

  async #revoke(call: EmulatedCall): Promise<void> {
    // [web] "Revoking a token": POST https://oauth2.googleapis.com/revoke?token={token}, or the token in the form body.
    const params = await readParams(call);
    const token = call.url.searchParams.get('token') ?? params.get('token') ?? '';
    const access = this.grants.usableAccess(token);
    const refresh = this.grants.refreshToken(token);
    const grant = access?.grant ?? (refresh?.grant && !refresh.grant.dead ? refresh.grant : undefined);
    // [web] "For error conditions, an HTTP status code 400 is returned along with an error code."
    if (!grant) return this.#oauthError(call, 400, 'invalid_token', 'Token expired or revoked');
    // [web] "If the token is an access token and it has a corresponding refresh token, the refresh token will also be
    // revoked": the whole grant goes.
    this.grants.kill(grant.id, 'revoked');
    // [web] "If the revocation is successfully processed, then the HTTP status code of the response is 200."
    call.res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': '0' });
    call.res.end();
  }

  // ---- device flow -----------------------------------------------------------------------------

  async #deviceCode(call: EmulatedCall): Promise<void> {
    const params = await readParams(call);
    const client = this.client(params.get('client_id'));
    // [devices] step 2 errors: "invalid_client: The OAuth client was not found" (401).
    if (!client) return this.#oauthError(call, 401, 'invalid_client', 'The OAuth client was not found.');
    const scopes = expandScopes(params.get('scope') ?? '');
    if (!scopes.length) return this.#oauthError(call, 400, 'invalid_request', 'Missing required parameter: scope');
    const refused = scopes.find((s) => !DEVICE_ALLOWED_SCOPES.has(s));
    // Captures: 400 {"error":"invalid_scope","error_description":"Invalid device flow scope: <scope>"}
    // (hickford/git-credential-oauth#38, brockamer/findajob#115).
    if (refused) return this.#oauthError(call, 400, 'invalid_scope', `Invalid device flow scope: ${refused}`);
    const interval = this.settings.devicePollIntervalSeconds ?? DEVICE_INTERVAL_S;
    const letters = 'BCDFGHJKLMNPQRSTVWXZ';
    const device = this.#devices.add({
      deviceCode: `AH-1Ng${randomString(60)}`,
      // [devices] the example user code "GQVQ-JKEC".
      userCode: `${randomString(4, letters)}-${randomString(4, letters)}`,
      clientId: client.clientId,
      scopes,
      expiresAt: this.settings.now() + DEVICE_CODE_TTL_S * 1000,
      intervalSeconds: interval,
      status: 'pending',
    });
    // [devices] step 2 response: device_code, expires_in, interval, user_code and verification_url (not verification_uri).
    sendJson(call.res, 200, {
      device_code: device.deviceCode,
      expires_in: DEVICE_CODE_TTL_S,
      interval,
      user_code: device.userCode,
      verification_url: 'https://www.google.com/device',
    });
  }

  #pollDevice(call: EmulatedCall, params: URLSearchParams, client: EmulatorClient): void {
    const device = this.#devices.byDeviceCode(params.get('device_code'));
    // [devices] "invalid_grant: The code parameter value is invalid, was already claimed, or cannot be parsed." (400)
    if (!device || device.clientId !== client.clientId) return this.#oauthError(call, 400, 'invalid_grant', 'Bad Request');
    switch (this.#devices.poll(device, this.settings.now())) {
      case 'expired':
        // RFC 8628 §3.5 expired_token; [devices] does not list it with a status, so RFC 6749's 400 is used.
        return this.#oauthError(call, 400, 'expired_token', 'Bad Request');
      case 'slow_down':
        // [devices] "Polling too frequently": HTTP 403, {"error": "slow_down", "error_description": "Forbidden"}.
        return this.#oauthError(call, 403, 'slow_down', 'Forbidden');
      case 'pending':
        // [devices] "Authorization pending": HTTP 428 (Precondition Required), {"error": "authorization_pending", ...}.
        return this.#oauthError(call, 428, 'authorization_pending', 'Precondition Required');
      case 'denied':
        // [devices] "Access denied": HTTP 403, {"error": "access_denied", "error_description": "Forbidden"}.
        return this.#oauthError(call, 403, 'access_denied', 'Forbidden');
      case 'redeemed':
        // [devices] invalid_grant: "was already claimed".
        return this.#oauthError(call, 400, 'invalid_grant', 'Bad Request');
      case 'approved': {
        device.status = 'redeemed';
        const grant = this.grants.consent(device.account as string, client.clientId, device.scopes);
        // [devices] step 6 "Access granted": the response includes a refresh_token.
        return this.#answerTokens(call, client, grant, device.scopes, { refreshToken: true, nonce: null });
      }
    }
  }

  // ---- APIs ------------------------------------------------------------------------------------

  #userinfo(call: EmulatedCall): void {
    const found = this.#bearer(call);
    if (!found) {
      // Capture (coderello/laravel-passport-social-grant#22): 401 {"error": "invalid_request", "error_description":
      // "Invalid Credentials"} from the userinfo endpoint, in the OAuth shape (not the API one).
      return sendJson(call.res, 401, { error: 'invalid_request', error_description: 'Invalid Credentials' }, { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' });
    }
    const { account } = found.grant;
    const scopes = found.token.scopes;
    // [oidc] "Obtaining user profile information": the claims of the ID token, by scope.
    sendJson(call.res, 200, {
      sub: googleSub(account),
      ...(scopes.includes(SHORTHANDS.profile as string) ? profileClaims(account) : {}),
      ...(scopes.includes(SHORTHANDS.email as string) ? { email: googleEmail(account), email_verified: true } : {}),
    });
  }

  #bearer(call: EmulatedCall): { token: IssuedAccessToken; grant: Grant } | undefined {
    const presented = bearerToken(call.req);
    return presented ? this.grants.usableAccess(presented) : undefined;
  }

  /** The Gmail API's checks of [gmail]: a token, one of the method's scopes, and `userId` being "me" or the user's address. */
  #gmailAuth(call: EmulatedCall, userId: string, method: string): { grant: Grant; scopes: string[] } | undefined {
    const metadata = { service: 'gmail.googleapis.com', method: `caribou.api.proto.MailboxService.${method}` };
    if (!call.req.headers.authorization) {
      // Capture (reactmore/morelab#17) of a Google API called without credentials: this message, reason "required",
      // CREDENTIALS_MISSING.
      sendJson(
        call.res,
        401,
        apiError(401, 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.', 'UNAUTHENTICATED', [{ message: 'Login Required.', domain: 'global', reason: 'required', location: 'Authorization', locationType: 'header' }], [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'CREDENTIALS_MISSING', domain: 'googleapis.com', metadata }]),
        { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/"' },
      );
      return undefined;
    }
    const found = this.#bearer(call);
    if (!found) {
      // Captures (dacastro4/laravel-gmail#273, googleapis/google-api-nodejs-client#2665): 401 with this message, "Invalid
      // Credentials", reason authError, status UNAUTHENTICATED.
      sendJson(
        call.res,
        401,
        apiError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.', 'UNAUTHENTICATED', [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }]),
        { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      );
      return undefined;
    }
    if (!found.token.scopes.some((s) => GMAIL_READ_SCOPES.includes(s))) {
      // Captures (googleworkspace/cli#282 "403 insufficientPermissions: Request had insufficient authentication scopes.",
      // kwent/react-google-contacts#6 with the WWW-Authenticate header naming the scopes that would do).
      sendJson(
        call.res,
        403,
        apiError(403, 'Request had insufficient authentication scopes.', 'PERMISSION_DENIED', [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }], [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', domain: 'googleapis.com', metadata }]),
        { 'WWW-Authenticate': `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${GMAIL_READ_SCOPES.join(' ')}"` },
      );
      return undefined;
    }
    // [gmail] userId: "The user's email address. The special value me can be used to indicate the authenticated user."
    if (userId !== 'me' && userId !== googleEmail(found.grant.account)) {
      sendJson(call.res, 403, apiError(403, `Delegation denied for ${googleEmail(found.grant.account)}`, 'PERMISSION_DENIED', [{ message: `Delegation denied for ${googleEmail(found.grant.account)}`, domain: 'global', reason: 'forbidden' }]));
      return undefined;
    }
    return { grant: found.grant, scopes: found.token.scopes };
  }

  #gmailProfile(call: EmulatedCall, userId: string): void {
    const auth = this.#gmailAuth(call, userId, 'GetProfile');
    if (!auth) return;
    const mails = mailbox(auth.grant.account);
    // [gmail] users.getProfile: emailAddress, messagesTotal, threadsTotal, historyId.
    sendJson(call.res, 200, { emailAddress: googleEmail(auth.grant.account), messagesTotal: mails.length, threadsTotal: new Set(mails.map((m) => m.threadId)).size, historyId: '4242' });
  }

  #gmailList(call: EmulatedCall, userId: string): void {
    const auth = this.#gmailAuth(call, userId, 'ListMessages');
    if (!auth) return;
    const q = call.url.searchParams;
    let mails = mailbox(auth.grant.account);
    // Gmail search: only the operators agents use here (is:unread, is:read) are understood; others match everything.
    const query = q.get('q') ?? '';
    if (/\bis:unread\b/i.test(query)) mails = mails.filter((m) => m.unread);
    if (/\bis:read\b/i.test(query)) mails = mails.filter((m) => !m.unread);
    for (const label of q.getAll('labelIds')) mails = mails.filter((m) => labelsOf(m).includes(label));
    // [gmail] messages.list maxResults: "default value for this field is 100. The maximum allowed value for this field is 500."
    const max = Math.min(Math.max(Number(q.get('maxResults') ?? 100) || 100, 1), 500);
    const offset = Number(q.get('pageToken') ?? 0) || 0;
    const page = mails.slice(offset, offset + max);
    const next = offset + max < mails.length ? String(offset + max) : undefined;
    // [gmail] response: messages[], nextPageToken, resultSizeEstimate. Empty lists are left out of Google's JSON (proto3 JSON
    // mapping omits empty repeated fields), so an empty mailbox answers {"resultSizeEstimate": 0}.
    sendJson(call.res, 200, {
      ...(page.length ? { messages: page.map(({ id, threadId }) => ({ id, threadId })) } : {}),
      ...(next ? { nextPageToken: next } : {}),
      resultSizeEstimate: mails.length,
    });
  }

  #gmailGet(call: EmulatedCall, userId: string, id: string): void {
    const auth = this.#gmailAuth(call, userId, 'GetMessage');
    if (!auth) return;
    const mail = mailbox(auth.grant.account).find((m) => m.id === id);
    // [errors] NOT_FOUND, with Gmail's "Requested entity was not found." and reason notFound.
    if (!mail) return sendJson(call.res, 404, apiError(404, 'Requested entity was not found.', 'NOT_FOUND', [{ message: 'Requested entity was not found.', domain: 'global', reason: 'notFound' }]));
    const format = (call.url.searchParams.get('format') ?? 'full').toLowerCase();
    const metadataOnly = !auth.scopes.some((s) => s !== 'https://www.googleapis.com/auth/gmail.metadata' && GMAIL_READ_SCOPES.includes(s));
    // [gmail] messages.get format: "full ... cannot be used when accessing the api using the gmail.metadata scope".
    if (metadataOnly && (format === 'full' || format === 'raw')) {
      return sendJson(call.res, 403, apiError(403, `Metadata scope doesn't allow format ${format.toUpperCase()}`, 'PERMISSION_DENIED', [{ message: `Metadata scope doesn't allow format ${format.toUpperCase()}`, domain: 'global', reason: 'forbidden' }]));
    }
    const email = googleEmail(auth.grant.account);
    const headers = [
      { name: 'From', value: mail.from },
      { name: 'To', value: email },
      { name: 'Subject', value: mail.subject },
      { name: 'Date', value: mail.date.toUTCString().replace('GMT', '+0000') },
      { name: 'Message-ID', value: `<${mail.id}@sandbox.test>` },
    ];
    const wanted = call.url.searchParams.getAll('metadataHeaders').map((h) => h.toLowerCase());
    const body = Buffer.from(mail.body).toString('base64url');
    // [gmail] users.messages resource: id, threadId, labelIds, snippet, payload (MessagePart), sizeEstimate, historyId, internalDate.
    const base = { id: mail.id, threadId: mail.threadId, labelIds: labelsOf(mail), snippet: mail.body.slice(0, 100), sizeEstimate: 900 + mail.body.length, historyId: '4242', internalDate: String(mail.date.getTime()) };
    if (format === 'minimal') return sendJson(call.res, 200, base);
    if (format === 'raw') {
      const raw = `${headers.map((h) => `${h.name}: ${h.value}`).join('\r\n')}\r\nContent-Type: text/plain; charset="UTF-8"\r\n\r\n${mail.body}\r\n`;
      return sendJson(call.res, 200, { ...base, raw: Buffer.from(raw).toString('base64url') });
    }
    const partHeaders = format === 'metadata' && wanted.length ? headers.filter((h) => wanted.includes(h.name.toLowerCase())) : headers;
    const payload =
      format === 'metadata'
        ? { mimeType: 'text/plain', headers: partHeaders }
        : { partId: '', mimeType: 'text/plain', filename: '', headers: [...partHeaders, { name: 'Content-Type', value: 'text/plain; charset="UTF-8"' }], body: { size: mail.body.length, data: body } };
    sendJson(call.res, 200, { ...base, payload });
  }
}

/** [errors] The error shape of Google APIs: {"error": {"code", "message", "errors", "status", "details"}}. */
function apiError(code: number, message: string, status: string, errors: unknown[], details?: unknown[]): unknown {
  return { error: { code, message, errors, status, ...(details ? { details } : {}) } };
}

/** `email`/`profile` to their full scope URLs, others as given; duplicates dropped. */
function expandScopes(value: string): string[] {
  return [...new Set(value.split(/\s+/).filter(Boolean).map((s) => SHORTHANDS[s] ?? s))];
}

/**
 * [native] "Loopback IP address (macOS, Linux, Windows desktop)": http://127.0.0.1:port or http://[::1]:port, the app picking
 * the port (localhost is accepted too); desktop clients register no redirect URI for it. Other redirect URIs must be registered
 * exactly ([web] redirect_uri_mismatch).
 */
function googleRedirectAllowed(client: EmulatorClient, requested: string): boolean {
  let url: URL;
  try {
    url = new URL(requested);
  } catch {
    return false;
  }
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return true;
  return client.redirectUris.includes(requested);
}

/** Google's `sub` is a 21-digit number, stable per account. */
function googleSub(account: string): string {
  const hash = createHash('sha256').update(`google:${account}`).digest();
  return `1${[...hash.subarray(0, 20)].map((b) => String(b % 10)).join('')}`;
}

function googleEmail(account: string): string {
  return account.includes('@') ? account : `${account}@sandbox.test`;
}

function profileClaims(account: string): Record<string, string> {
  const name = account.split('@')[0] as string;
  return { name, picture: `https://lh3.googleusercontent.com/a/${googleSub(account)}=s96-c`, given_name: name, family_name: 'Sandbox' };
}

function labelsOf(mail: Mail): string[] {
  return mail.unread ? ['UNREAD', 'INBOX'] : ['INBOX'];
}

/** The same five messages per user on every run (three unread), as the sandbox's Gmail-shaped demo API has. */
function mailbox(account: string): Mail[] {
  const seed = stableNumber(`gmail:${account}`, 0xffffffff).toString(16).padStart(8, '0');
  const id = (n: number) => `18c${seed}${n.toString(16).padStart(5, '0')}`;
  const day = (d: number, h: number) => new Date(Date.UTC(2025, 0, d, h, 0, 0));
  return [
    { id: id(1), threadId: id(1), unread: true, from: 'Billing <billing@vendor.test>', subject: 'Invoice INV-1042 is due', date: day(6, 9), body: 'Your invoice INV-1042 for 120.00 EUR is due on 2025-01-20.' },
    { id: id(2), threadId: id(1), unread: true, from: 'Billing <billing@vendor.test>', subject: 'Re: Invoice INV-1042 is due', date: day(6, 11), body: 'A reminder: invoice INV-1042 is still open.' },
    { id: id(3), threadId: id(3), unread: true, from: 'Team <team@example.test>', subject: 'Standup notes', date: day(5, 17), body: 'Notes from today: the device flow works.' },
    { id: id(4), threadId: id(4), unread: false, from: 'News <news@example.test>', subject: 'Weekly digest', date: day(4, 8), body: 'This week: three new releases.' },
    { id: id(5), threadId: id(5), unread: false, from: 'Alerts <alerts@example.test>', subject: 'Sign-in from a new device', date: day(3, 7), body: 'A new sign-in to your sandbox account.' },
  ];
}
