import { readTokenRequest } from './emulator-http.js';
import type { EmulatorSettings, EmulatedCall, Route } from './emulator-types.js';
import { GoogleDeviceFlow } from './google-device-flow.js';
import { GmailApi } from './google-gmail-api.js';
import { GoogleOpenId, googleEmail } from './google-openid.js';
import { SCOPE_DESCRIPTIONS } from './google-scopes.js';
import { GoogleTokens, sendOauthError } from './google-tokens.js';
import { GOOGLE_TAG, GoogleWebFlow, type GoogleWebSignIn } from './google-web-flow.js';
import type { AccountSelector } from './grant-book.js';
import { DEVICE_GRANT } from './oauth-rules.js';
import { ProviderEmulator } from './provider-emulator.js';
import { SignInPages } from './sign-in-pages.js';

// Sources, cited next to each behaviour below:
// [native] https://developers.google.com/identity/protocols/oauth2/native-app (OAuth 2.0 for Mobile & Desktop Apps)
// [web] https://developers.google.com/identity/protocols/oauth2/web-server (access_type, prompt, include_granted_scopes, revoke)
// [devices] https://developers.google.com/identity/protocols/oauth2/limited-input-device (TV and Limited-Input Devices)
// The parts cite theirs: google-web-flow.ts, google-tokens.ts, google-device-flow.ts, google-openid.ts, google-gmail-api.ts, google-scopes.ts.

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
  readonly #openid: GoogleOpenId;
  readonly #tokens: GoogleTokens;
  readonly #web: GoogleWebFlow;
  readonly #device: GoogleDeviceFlow;
  readonly #gmail: GmailApi;
  readonly #pages: SignInPages<GoogleWebSignIn>;

  constructor(settings: EmulatorSettings) {
    super(settings);
    this.#openid = new GoogleOpenId(this.context);
    this.#tokens = new GoogleTokens(this.context, this.#openid);
    this.#web = new GoogleWebFlow(this.context, this.#tokens, (res, start) => this.#pages.startWeb(res, start));
    this.#device = new GoogleDeviceFlow(this.context, this.#tokens);
    this.#gmail = new GmailApi(this.context);
    this.#pages = new SignInPages<GoogleWebSignIn>({
      now: settings.now,
      origin: settings.origin,
      tag: GOOGLE_TAG,
      accountHint: 'Any user name works (this is an emulated Google, not accounts.google.com).',
      urls: {
        login: 'https://accounts.google.com/v3/signin/identifier',
        consent: 'https://accounts.google.com/signin/oauth/consent',
        deviceEntry: 'https://www.google.com/device',
        deviceConfirm: 'https://www.google.com/device/confirm',
      },
      devices: this.#device.devices,
      scopeDescriptions: SCOPE_DESCRIPTIONS,
      accountLabel: (account) => `the Google Account ${googleEmail(account)}`,
      clientName: (clientId) => clientId,
      needsConsent: (pending, account) => this.#web.needsConsent(pending, account),
      approveWeb: (pending, account, consentShown) => this.#web.approveWeb(pending, account, consentShown),
      denyWeb: (pending) => this.#web.denyWeb(pending),
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
  requireReauth(selector: AccountSelector = {}): number {
    return this.grants.demand(selector, 'mfaRequired');
  }

  protected routes(): Route[] {
    const accounts = 'accounts.google.com';
    const oauth2 = 'oauth2.googleapis.com';
    const device = 'www.google.com';
    const userinfo = (host: string, path: RegExp, endpoint: string): Route => ({ method: 'GET', host, path, endpoint, handle: (call) => this.#openid.userinfo(call) });
    const gmailRoutes = (host: string): Route[] => [
      { method: 'GET', host, path: /^\/gmail\/v1\/users\/([^/]+)\/profile$/, endpoint: `GET ${host}/gmail/v1/users/{userId}/profile`, handle: (call, m) => this.#gmail.profile(call, decodeURIComponent(m[1] as string)) },
      { method: 'GET', host, path: /^\/gmail\/v1\/users\/([^/]+)\/messages$/, endpoint: `GET ${host}/gmail/v1/users/{userId}/messages`, handle: (call, m) => this.#gmail.list(call, decodeURIComponent(m[1] as string)) },
      { method: 'GET', host, path: /^\/gmail\/v1\/users\/([^/]+)\/messages\/([^/]+)$/, endpoint: `GET ${host}/gmail/v1/users/{userId}/messages/{id}`, handle: (call, m) => this.#gmail.get(call, decodeURIComponent(m[1] as string), decodeURIComponent(m[2] as string)) },
    ];
    return [
      { method: 'GET', host: accounts, path: /^\/\.well-known\/openid-configuration$/, endpoint: 'GET accounts.google.com/.well-known/openid-configuration', handle: (call) => this.#openid.discovery(call) },
      // [native] the authorization endpoint; the older /o/oauth2/auth still answers the same.
      { method: 'GET', host: accounts, path: /^\/o\/oauth2\/(v2\/)?auth$/, endpoint: 'GET accounts.google.com/o/oauth2/v2/auth', handle: (call) => this.#web.authorize(call) },
      { method: 'POST', host: accounts, path: /^\/v3\/signin\/identifier$/, endpoint: 'POST accounts.google.com/v3/signin/identifier', handle: (call) => this.#pages.submitLogin(call) },
      { method: 'POST', host: accounts, path: /^\/signin\/oauth\/consent$/, endpoint: 'POST accounts.google.com/signin/oauth/consent', handle: (call) => this.#pages.submitConsent(call) },
      { method: 'POST', host: oauth2, path: /^\/token$/, endpoint: this.tokenEndpoint, handle: (call) => this.#token(call) },
      { method: 'POST', host: oauth2, path: /^\/revoke$/, endpoint: 'POST oauth2.googleapis.com/revoke', handle: (call) => this.#tokens.revoke(call) },
      { method: 'POST', host: oauth2, path: /^\/device\/code$/, endpoint: 'POST oauth2.googleapis.com/device/code', handle: (call) => this.#device.start(call) },
      { method: 'GET', host: device, path: /^\/device$/, endpoint: 'GET www.google.com/device', handle: (call) => this.#pages.showDeviceEntry(call) },
      { method: 'POST', host: device, path: /^\/device$/, endpoint: 'POST www.google.com/device', handle: (call) => this.#pages.submitDeviceEntry(call) },
      { method: 'POST', host: device, path: /^\/device\/confirm$/, endpoint: 'POST www.google.com/device/confirm', handle: (call) => this.#pages.submitDeviceConfirm(call) },
      userinfo('openidconnect.googleapis.com', /^\/v1\/userinfo$/, 'GET openidconnect.googleapis.com/v1/userinfo'),
      userinfo('www.googleapis.com', /^\/oauth2\/v3\/userinfo$/, 'GET www.googleapis.com/oauth2/v3/userinfo'),
      { method: 'GET', host: 'www.googleapis.com', path: /^\/oauth2\/v3\/certs$/, endpoint: 'GET www.googleapis.com/oauth2/v3/certs', handle: (call) => this.#openid.jwks(call) },
      ...gmailRoutes('gmail.googleapis.com'),
      // The Gmail API also answers on its older host.
      ...gmailRoutes('www.googleapis.com'),
    ];
  }

  protected faultBody(status: 429 | 503): unknown {
    // Injected by a test; the OAuth error shape of the token endpoint ([web]: {"error": ..., "error_description": ...}).
    return status === 429 ? { error: 'rate_limit_exceeded', error_description: 'Rate Limit Exceeded' } : { error: 'temporarily_unavailable', error_description: 'Service Unavailable' };
  }

  /** The token endpoint: the client authenticates, then the grant type picks the flow. */
  async #token(call: EmulatedCall): Promise<void> {
    const { params, clientId, secret } = await readTokenRequest(call);
    const client = this.client(clientId);
    if (!client) return sendOauthError(call, 401, 'invalid_client', 'The OAuth client was not found.');
    // Capture (the common answer when a confidential client omits its secret): 400 invalid_request "client_secret is missing.".
    if (client.clientSecret !== undefined && secret === null) return sendOauthError(call, 400, 'invalid_request', 'client_secret is missing.');
    // Capture (hybridauth/hybridauth#973): a wrong secret gets 401 invalid_client "Unauthorized".
    if (client.clientSecret !== undefined && secret !== client.clientSecret) return sendOauthError(call, 401, 'invalid_client', 'Unauthorized');
    const grantType = params.get('grant_type');
    if (grantType === 'authorization_code') return this.#web.exchangeCode(call, params, client);
    if (grantType === 'refresh_token') return this.#tokens.refresh(call, params, client);
    if (grantType === DEVICE_GRANT) return this.#device.poll(call, params, client);
    // [devices] "unsupported_grant_type: The token endpoint returns this error with a 400 status."
    sendOauthError(call, 400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
  }
}
