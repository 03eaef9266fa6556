import { sendJson } from '../access-token-check.js';
import { DeviceBook, type DeviceAuthorization } from './device-book.js';
import { readParams } from './emulator-http.js';
import { randomString } from './emulator-ids.js';
import type { EmulatedCall, EmulatorClient, EmulatorContext } from './emulator-types.js';
import type { Tenant } from './microsoft-directory.js';
import { appNotFound, invalidScope, type EntraErrors } from './microsoft-errors.js';
import { parseScopes, parseStored } from './microsoft-scopes.js';
import type { EntraTokens } from './microsoft-tokens.js';

// Entra's device code flow (microsoft.com/devicelogin).
// Sources, cited next to each behaviour below (under https://learn.microsoft.com/en-us/entra/identity-platform/):
// [device] v2-oauth2-device-code   [errors] reference-error-codes

/** [device] "From the moment the request is sent, the user has 15 minutes to sign in. This is the default value for expires_in." */
const DEVICE_CODE_TTL_S = 900;
/** Interval 5 s: the `interval` seen in captures (e.g. toblum/ESPTeamsPresence#49 polls every ~6 s). */
const DEVICE_INTERVAL_S = 5;

/** Entra's device code flow: a `message` for the user, no `verification_uri_complete`, no `slow_down`. */
export class EntraDeviceFlow {
  /** The device authorizations under way (the verification pages look codes up here). */
  readonly devices = new DeviceBook();
  readonly #context: EmulatorContext;
  readonly #errors: EntraErrors;
  readonly #tokens: EntraTokens;
  /** Device code → the tenant it was asked at (tokens name that tenant). */
  readonly #deviceTenants = new Map<string, Tenant>();

  constructor(context: EmulatorContext, errors: EntraErrors, tokens: EntraTokens) {
    this.#context = context;
    this.#errors = errors;
    this.#tokens = tokens;
  }

  /** Whether a device sign-in needs the consent page: when the user's grant lacks one of the scopes. */
  needsConsent(device: DeviceAuthorization, account: string): boolean {
    return !this.#context.grants.covers(account, device.clientId, device.scopes);
  }

  /** `POST /{tenant}/oauth2/v2.0/devicecode`: a device code, user code and instructions. */
  async start(call: EmulatedCall, tenant: Tenant): Promise<void> {
    const params = await readParams(call);
    const clientId = params.get('client_id') ?? '';
    const client = this.#context.client(clientId);
    if (!client) return this.#errors.send(call, 400, 'unauthorized_client', 700016, appNotFound(clientId, tenant));
    const scopeParam = params.get('scope');
    // [device] scope is Required.
    if (!scopeParam?.trim()) return this.#errors.send(call, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
    const scopes = parseScopes(scopeParam);
    if ('invalid' in scopes) return this.#errors.send(call, 400, 'invalid_scope', 70011, invalidScope(scopes.invalid));
    const interval = this.#context.settings.devicePollIntervalSeconds ?? DEVICE_INTERVAL_S;
    const device = this.devices.add({
      deviceCode: `DAQABIQEAAAD${randomString(160)}`,
      // Captured user codes are nine upper-case letters and digits ("BPPVYQZMA", Azure/azure-sdk-for-python#32375).
      userCode: randomString(9, 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'),
      clientId: client.clientId,
      scopes: [...scopes.graph, ...scopes.oidc],
      expiresAt: this.#context.settings.now() + DEVICE_CODE_TTL_S * 1000,
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

  /** A device poll at the token endpoint. */
  poll(call: EmulatedCall, params: URLSearchParams, client: EmulatorClient): void {
    const device = this.devices.byDeviceCode(params.get('device_code'));
    // [device] "Expected errors": bad_verification_code "The device_code sent to the /token endpoint wasn't recognized." The
    // AADSTS number is not documented for it; AADSTS70000 InvalidGrant of [errors] is used.
    const badCode = () => this.#errors.send(call, 400, 'bad_verification_code', 70000, 'The provided value for the input parameter \'device_code\' is not valid.');
    if (!device || device.clientId !== client.clientId) return badCode();
    // [device] lists no slow_down: polling too soon is answered like any other pending poll.
    switch (this.devices.poll(device, this.#context.settings.now(), { slowDown: false })) {
      case 'expired':
        // [device] expired_token; captures (MicrosoftDocs/azure-docs#92366, Azure/azure-sdk-for-python#32375) give AADSTS70020
        // and this wording.
        return this.#errors.send(call, 400, 'expired_token', 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.");
      case 'slow_down':
      case 'pending':
        // Capture (secureworks/squarephish#3): HTTP 400 authorization_pending, AADSTS70016 with this wording.
        return this.#errors.send(call, 400, 'authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
      case 'denied':
        // [device] authorization_declined "The end user denied the authorization request."; AADSTS65004 UserDeclinedConsent.
        return this.#errors.send(call, 400, 'authorization_declined', 65004, 'User declined to consent to access the app.');
      case 'redeemed':
        return badCode();
      case 'approved': {
        device.status = 'redeemed';
        const tenant = this.#deviceTenants.get(device.deviceCode) as Tenant;
        const grant = this.#context.grants.consent(device.account as string, client.clientId, device.scopes);
        return this.#tokens.issue(call, client, grant, tenant.tid, parseStored(device.scopes), null);
      }
    }
  }
}
