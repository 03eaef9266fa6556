import { randomBytes } from 'node:crypto';
import { DeviceBook, type DeviceAuthorization } from './device-book.js';
import { readParams } from './emulator-http.js';
import { randomString } from './emulator-ids.js';
import type { EmulatedCall, EmulatorContext } from './emulator-types.js';
import { isGithubAppClientId, normalizeScopes } from './github-apps.js';
import { DEVICE_ERRORS_DOC, TOKEN_ERRORS_DOC, answerGithub, type GithubTokens } from './github-tokens.js';

// GitHub's device flow: device codes, polling, the per-app switch.
// Sources, cited next to each behaviour below:
// [oauth-apps] https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
// [app-tokens] https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app

/** [oauth-apps] device flow: "The default is 900 seconds or 15 minutes." */
const DEVICE_CODE_TTL_S = 900;
/** [oauth-apps] device flow: `interval` 5 in the example and "The default is 5 seconds" ([app-tokens]). */
const DEVICE_INTERVAL_S = 5;

/** GitHub's device flow (RFC 8628 as GitHub documents it), on for every app until {@link GithubDeviceFlow.setEnabled} turns it off. */
export class GithubDeviceFlow {
  /** The device authorizations under way (the verification pages look codes up here). */
  readonly devices = new DeviceBook();
  readonly #context: EmulatorContext;
  readonly #tokens: GithubTokens;
  readonly #disabled = new Set<string>();

  constructor(context: EmulatorContext, tokens: GithubTokens) {
    this.#context = context;
    this.#tokens = tokens;
  }

  /** Turns the device flow off (or on again) for one app (its "Enable Device Flow" setting). */
  setEnabled(clientId: string, enabled: boolean): void {
    if (enabled) this.#disabled.delete(clientId);
    else this.#disabled.add(clientId);
  }

  /** Whether a device sign-in needs the consent page: not when the user already authorized these scopes. */
  needsConsent(device: DeviceAuthorization, account: string): boolean {
    return !this.#context.grants.covers(account, device.clientId, device.scopes);
  }

  /** `POST /login/device/code`: a device code and user code. */
  async start(call: EmulatedCall): Promise<void> {
    const params = await readParams(call, { withQuery: true });
    const client = this.#context.client(params.get('client_id'));
    if (!client) {
      // Not documented for this endpoint: the error name of the device-flow table, with the 400 status GitHub used for
      // device_flow_disabled here (capture below).
      return answerGithub(call, 400, { error: 'incorrect_client_credentials', error_description: 'The client_id and/or client_secret passed are incorrect.', error_uri: `${TOKEN_ERRORS_DOC}#incorrect-client-credentials` });
    }
    if (this.#disabled.has(client.clientId)) {
      // [oauth-apps] lists device_flow_disabled among the polling errors; captures (octokit/create-octokit-project.js#208,
      // jupyterhub/gh-scoped-creds#9) show it from POST /login/device/code, with HTTP 400 and this body. Follows the captures.
      return answerGithub(call, 400, { error: 'device_flow_disabled', error_description: 'Device Flow must be explicitly enabled for this App', error_uri: 'https://docs.github.com' });
    }
    const scopes = isGithubAppClientId(client.clientId) ? [] : normalizeScopes(params.get('scope') ?? '');
    const interval = this.#context.settings.devicePollIntervalSeconds ?? DEVICE_INTERVAL_S;
    const device = this.devices.add({
      // [oauth-apps] "The device verification code is 40 characters".
      deviceCode: randomBytes(20).toString('hex'),
      // [oauth-apps] "8 characters with a hyphen in the middle"; captured codes are upper-case hex (BCE3-88D0 in
      // panva/openid-client#575, 5F41-76A4 in hickford/git-credential-oauth#114).
      userCode: `${randomString(4, '0123456789ABCDEF')}-${randomString(4, '0123456789ABCDEF')}`,
      clientId: client.clientId,
      scopes,
      expiresAt: this.#context.settings.now() + DEVICE_CODE_TTL_S * 1000,
      intervalSeconds: interval,
      status: 'pending',
    });
    // [oauth-apps] the response fields, in the documented order.
    answerGithub(call, 200, {
      device_code: device.deviceCode,
      user_code: device.userCode,
      verification_uri: 'https://github.com/login/device',
      expires_in: DEVICE_CODE_TTL_S,
      interval,
    });
  }

  /** A device poll at the token endpoint. */
  poll(call: EmulatedCall, params: URLSearchParams, clientId: string | null): void {
    // [oauth-apps] "incorrect_client_credentials: For the device flow, you must pass your app's client ID ... The client_secret
    // is not needed for the device flow."
    if (!this.#context.client(clientId)) return this.#tokens.incorrectClientCredentials(call);
    const device = this.devices.byDeviceCode(params.get('device_code'));
    // [oauth-apps] "incorrect_device_code: The device_code provided is not valid."
    if (!device || device.clientId !== clientId) return this.#tokens.error(call, 'incorrect_device_code', 'The device_code provided is not valid.', DEVICE_ERRORS_DOC);
    switch (this.devices.poll(device, this.#context.settings.now())) {
      case 'expired':
        // [oauth-apps] "expired_token: If the device code expired, then you will see the token_expired error." The table's
        // error code (expired_token) is what is sent; the prose's "token_expired" is not.
        return this.#tokens.error(call, 'expired_token', 'The device_code has expired.', DEVICE_ERRORS_DOC);
      case 'slow_down':
        // [oauth-apps] "5 extra seconds are added to the minimum interval ... The error response includes the new interval".
        return this.#tokens.error(call, 'slow_down', 'Too many requests have been made in the same timeframe.', DEVICE_ERRORS_DOC, { interval: device.intervalSeconds });
      case 'pending':
        // Capture (ramosbugs/oauth2-rs#218): this description and error_uri, HTTP 200.
        return this.#tokens.error(call, 'authorization_pending', 'The authorization request is still pending.', DEVICE_ERRORS_DOC);
      case 'denied':
        // [oauth-apps] "When a user clicks cancel during the authorization process, you'll receive a access_denied error".
        return this.#tokens.error(call, 'access_denied', 'The authorization request was denied.', DEVICE_ERRORS_DOC);
      case 'redeemed':
        // Not documented: a device code is single-use; a replay is answered as an invalid device code.
        return this.#tokens.error(call, 'incorrect_device_code', 'The device_code provided is not valid.', DEVICE_ERRORS_DOC);
      case 'approved': {
        device.status = 'redeemed';
        const grant = this.#context.grants.consent(device.account as string, device.clientId, device.scopes);
        return this.#tokens.issue(call, device.clientId, grant.id, device.scopes, true);
      }
    }
  }
}
