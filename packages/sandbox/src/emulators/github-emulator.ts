import { readTokenRequest } from './emulator-http.js';
import type { EmulatorSettings, EmulatedCall, Route } from './emulator-types.js';
import { SCOPE_DESCRIPTIONS } from './github-apps.js';
import { GithubDeviceFlow } from './github-device-flow.js';
import { GithubRestApi } from './github-rest-api.js';
import { DEVICE_ERRORS_DOC, GithubTokens } from './github-tokens.js';
import { GITHUB_TAG, GithubWebFlow, type GithubWebSignIn } from './github-web-flow.js';
import { DEVICE_GRANT } from './oauth-rules.js';
import { ProviderEmulator } from './provider-emulator.js';
import { SignInPages } from './sign-in-pages.js';

// Sources, cited next to each behaviour below:
// [oauth-apps] https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
// [app-tokens] https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app
// [refreshing] https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
// The parts cite theirs: github-web-flow.ts, github-tokens.ts, github-device-flow.ts, github-rest-api.ts, github-apps.ts.

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
  readonly #tokens: GithubTokens;
  readonly #web: GithubWebFlow;
  readonly #device: GithubDeviceFlow;
  readonly #api: GithubRestApi;
  readonly #pages: SignInPages<GithubWebSignIn>;

  constructor(settings: EmulatorSettings) {
    super(settings);
    this.#tokens = new GithubTokens(this.context);
    this.#web = new GithubWebFlow(this.context, this.#tokens, (res, start) => this.#pages.startWeb(res, start));
    this.#device = new GithubDeviceFlow(this.context, this.#tokens);
    this.#api = new GithubRestApi(this.context);
    this.#pages = new SignInPages<GithubWebSignIn>({
      now: settings.now,
      origin: settings.origin,
      tag: GITHUB_TAG,
      accountHint: 'Any user name works (this is an emulated GitHub, not github.com).',
      urls: {
        // GitHub's own sign-in form posts to /session; its authorize button posts back to /login/oauth/authorize.
        login: 'https://github.com/session',
        consent: 'https://github.com/login/oauth/authorize',
        deviceEntry: 'https://github.com/login/device',
        deviceConfirm: 'https://github.com/login/device/confirm',
      },
      devices: this.#device.devices,
      scopeDescriptions: SCOPE_DESCRIPTIONS,
      accountLabel: (account) => `the GitHub account ${account}`,
      clientName: (clientId) => clientId,
      needsConsent: (pending, account) => this.#web.needsConsent(pending, account),
      approveWeb: (pending, account) => this.#web.approveWeb(pending, account),
      denyWeb: (pending) => this.#web.denyWeb(pending),
      deviceNeedsConsent: (device, account) => this.#device.needsConsent(device, account),
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
    this.#device.setEnabled(clientId, enabled);
  }

  protected routes(): Route[] {
    const web = 'github.com';
    const api = 'api.github.com';
    return [
      { method: 'GET', host: web, path: /^\/login\/oauth\/authorize$/, endpoint: 'GET github.com/login/oauth/authorize', handle: (call) => this.#web.authorize(call) },
      { method: 'POST', host: web, path: /^\/session$/, endpoint: 'POST github.com/session', handle: (call) => this.#pages.submitLogin(call) },
      { method: 'POST', host: web, path: /^\/login\/oauth\/authorize$/, endpoint: 'POST github.com/login/oauth/authorize', handle: (call) => this.#pages.submitConsent(call) },
      { method: 'POST', host: web, path: /^\/login\/oauth\/access_token$/, endpoint: this.tokenEndpoint, handle: (call) => this.#token(call) },
      { method: 'POST', host: web, path: /^\/login\/device\/code$/, endpoint: 'POST github.com/login/device/code', handle: (call) => this.#device.start(call) },
      { method: 'GET', host: web, path: /^\/login\/device$/, endpoint: 'GET github.com/login/device', handle: (call) => this.#pages.showDeviceEntry(call) },
      { method: 'POST', host: web, path: /^\/login\/device$/, endpoint: 'POST github.com/login/device', handle: (call) => this.#pages.submitDeviceEntry(call) },
      { method: 'POST', host: web, path: /^\/login\/device\/confirm$/, endpoint: 'POST github.com/login/device/confirm', handle: (call) => this.#pages.submitDeviceConfirm(call) },
      { method: 'GET', host: api, path: /^\/user$/, endpoint: 'GET api.github.com/user', handle: (call) => this.#api.user(call) },
      { method: 'GET', host: api, path: /^\/notifications$/, endpoint: 'GET api.github.com/notifications', handle: (call) => this.#api.notifications(call) },
      {
        method: 'DELETE',
        host: api,
        path: /^\/applications\/([^/]+)\/(grant|token)$/,
        endpoint: 'DELETE api.github.com/applications/{client_id}/grant',
        handle: (call, match) => this.#api.deleteAuthorization(call, decodeURIComponent(match[1] as string), match[2] as 'grant' | 'token'),
      },
    ];
  }

  protected faultBody(status: 429 | 503): unknown {
    // Injected by a test; GitHub's REST error shape ({ message, documentation_url, status }), as GithubRestApi refuses.
    return { message: status === 429 ? 'API rate limit exceeded' : 'Service Unavailable', documentation_url: 'https://docs.github.com/rest', status: String(status) };
  }

  /** The token endpoint: the grant type picks the flow. */
  async #token(call: EmulatedCall): Promise<void> {
    // [app-tokens] / [refreshing] send the parameters as "query parameters"; clients also send them as a form: both are read.
    const { params, clientId, secret } = await readTokenRequest(call, { withQuery: true });
    // [oauth-apps] the code exchange has no grant_type parameter; a missing one is the code exchange.
    const grantType = params.get('grant_type') ?? 'authorization_code';
    if (grantType === 'authorization_code') return this.#web.exchangeCode(call, params, clientId, secret);
    if (grantType === 'refresh_token') return this.#tokens.refresh(call, params, clientId, secret);
    if (grantType === DEVICE_GRANT) return this.#device.poll(call, params, clientId);
    // [oauth-apps] device flow errors: "unsupported_grant_type: The grant type must be urn:ietf:params:oauth:grant-type:device_code".
    this.#tokens.error(call, 'unsupported_grant_type', 'The grant type must be urn:ietf:params:oauth:grant-type:device_code.', DEVICE_ERRORS_DOC);
  }
}
