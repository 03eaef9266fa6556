import { sendJson } from '../access-token-check.js';
import { DeviceBook } from './device-book.js';
import { readParams } from './emulator-http.js';
import { randomString } from './emulator-ids.js';
import type { EmulatedCall, EmulatorClient, EmulatorContext } from './emulator-types.js';
import { DEVICE_ALLOWED_SCOPES, expandScopes } from './google-scopes.js';
import { sendOauthError, type GoogleTokens } from './google-tokens.js';

// Google's device flow (TV and limited-input devices).
// Sources, cited next to each behaviour below:
// [devices] https://developers.google.com/identity/protocols/oauth2/limited-input-device (TV and Limited-Input Devices)

/** [devices] the device code response example: `"expires_in": 1800, "interval": 5`. */
const DEVICE_CODE_TTL_S = 1800;
const DEVICE_INTERVAL_S = 5;

/** Google's device flow: `verification_url`, HTTP 428 while pending, an allow-list of scopes. */
export class GoogleDeviceFlow {
  /** The device authorizations under way (the verification pages look codes up here). */
  readonly devices = new DeviceBook();
  readonly #context: EmulatorContext;
  readonly #tokens: GoogleTokens;

  constructor(context: EmulatorContext, tokens: GoogleTokens) {
    this.#context = context;
    this.#tokens = tokens;
  }

  /** `POST oauth2.googleapis.com/device/code`: a device code and user code. */
  async start(call: EmulatedCall): Promise<void> {
    const params = await readParams(call);
    const client = this.#context.client(params.get('client_id'));
    // [devices] step 2 errors: "invalid_client: The OAuth client was not found" (401).
    if (!client) return sendOauthError(call, 401, 'invalid_client', 'The OAuth client was not found.');
    const scopes = expandScopes(params.get('scope') ?? '');
    if (!scopes.length) return sendOauthError(call, 400, 'invalid_request', 'Missing required parameter: scope');
    const refused = scopes.find((s) => !DEVICE_ALLOWED_SCOPES.has(s));
    // Captures: 400 {"error":"invalid_scope","error_description":"Invalid device flow scope: <scope>"}
    // (hickford/git-credential-oauth#38, brockamer/findajob#115).
    if (refused) return sendOauthError(call, 400, 'invalid_scope', `Invalid device flow scope: ${refused}`);
    const interval = this.#context.settings.devicePollIntervalSeconds ?? DEVICE_INTERVAL_S;
    const letters = 'BCDFGHJKLMNPQRSTVWXZ';
    const device = this.devices.add({
      deviceCode: `AH-1Ng${randomString(60)}`,
      // [devices] the example user code "GQVQ-JKEC".
      userCode: `${randomString(4, letters)}-${randomString(4, letters)}`,
      clientId: client.clientId,
      scopes,
      expiresAt: this.#context.settings.now() + DEVICE_CODE_TTL_S * 1000,
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

  /** A device poll at the token endpoint. */
  poll(call: EmulatedCall, params: URLSearchParams, client: EmulatorClient): void {
    const device = this.devices.byDeviceCode(params.get('device_code'));
    // [devices] "invalid_grant: The code parameter value is invalid, was already claimed, or cannot be parsed." (400)
    if (!device || device.clientId !== client.clientId) return sendOauthError(call, 400, 'invalid_grant', 'Bad Request');
    switch (this.devices.poll(device, this.#context.settings.now())) {
      case 'expired':
        // RFC 8628 §3.5 expired_token; [devices] does not list it with a status, so RFC 6749's 400 is used.
        return sendOauthError(call, 400, 'expired_token', 'Bad Request');
      case 'slow_down':
        // [devices] "Polling too frequently": HTTP 403, {"error": "slow_down", "error_description": "Forbidden"}.
        return sendOauthError(call, 403, 'slow_down', 'Forbidden');
      case 'pending':
        // [devices] "Authorization pending": HTTP 428 (Precondition Required), {"error": "authorization_pending", ...}.
        return sendOauthError(call, 428, 'authorization_pending', 'Precondition Required');
      case 'denied':
        // [devices] "Access denied": HTTP 403, {"error": "access_denied", "error_description": "Forbidden"}.
        return sendOauthError(call, 403, 'access_denied', 'Forbidden');
      case 'redeemed':
        // [devices] invalid_grant: "was already claimed".
        return sendOauthError(call, 400, 'invalid_grant', 'Bad Request');
      case 'approved': {
        device.status = 'redeemed';
        const grant = this.#context.grants.consent(device.account as string, client.clientId, device.scopes);
        // [devices] step 6 "Access granted": the response includes a refresh_token.
        return this.#tokens.issue(call, client, grant, device.scopes, { refreshToken: true, nonce: null });
      }
    }
  }
}
