import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../access-token-check.js';
import { bearerMatches } from '../admin-api.js';
import { readBody } from '../read-body.js';
import { listEmulators, type Emulators } from './emulators.js';
import type { FailNextOptions } from './fault-injection.js';
import { GithubEmulator } from './github-emulator.js';
import { GoogleEmulator } from './google-emulator.js';
import { MicrosoftEmulator } from './microsoft-emulator.js';
import type { ProviderEmulator } from './provider-emulator.js';

/** Path prefix of the emulators' admin API (admin token as bearer): `<prefix><provider>/<action>`. */
export const EMULATOR_ADMIN_PREFIX = '/sandbox/emulators/';

/** Largest body the emulators' admin API reads. */
const MAX_ADMIN_BODY_BYTES = 4 * 1024;

/**
 * The emulators' admin API, behind the sandbox's admin token
 * (`Authorization: Bearer <adminToken>`), for tests and for a user playing
 * "what the user hits":
 *
 * - `POST /sandbox/emulators/<provider>/revoke-grants` `{account?}` → `{revoked}`
 * - `POST /sandbox/emulators/<provider>/expire-access-tokens` `{account?}` → `{expired}`
 * - `POST /sandbox/emulators/<provider>/fail-next` `{count?, status?, retryAfterSeconds?, endpoint?}` → `{failing}`
 * - `POST /sandbox/emulators/<provider>/reset-requests` → `{}`; `GET /sandbox/emulators/<provider>/requests` → `{requests}`
 * - `POST /sandbox/emulators/microsoft/require-mfa`, `.../require-consent`, `.../expire-refresh-tokens` `{account?}` → `{grants}`
 * - `POST /sandbox/emulators/google/require-mfa` `{account?}` → `{grants}` (Google's reauthentication, `invalid_rapt`)
 * - `POST /sandbox/emulators/github/device-flow` `{clientId, enabled}` → `{}`
 * - `GET /sandbox/emulators` → `{emulators: {<provider>: {<real host>: <emulated base URL>}}}` (what `sandbox status` shows)
 *
 * Returns false for other paths.
 *
 * @example
 * ```ts
 * if (await handleEmulatorAdminApi(req, res, { adminToken, emulators })) return;
 * ```
 */
export async function handleEmulatorAdminApi(req: IncomingMessage, res: ServerResponse, options: { adminToken: string; emulators: Emulators }): Promise<boolean> {
  const { pathname } = new URL(req.url ?? '/', 'http://sandbox');
  const listing = pathname === EMULATOR_ADMIN_PREFIX || pathname === EMULATOR_ADMIN_PREFIX.slice(0, -1);
  if (!listing && !pathname.startsWith(EMULATOR_ADMIN_PREFIX)) return false;
  if (!bearerMatches(req.headers.authorization, options.adminToken)) {
    sendJson(res, 401, { error: 'invalid_token', error_description: 'The sandbox admin token is missing or wrong (see state/sandbox.json).' }, { 'WWW-Authenticate': 'Bearer realm="sandbox-admin"' });
    return true;
  }
  if (listing) {
    if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
    sendJson(res, 200, { emulators: Object.fromEntries(listEmulators(options.emulators).map((e) => [e.provider, e.baseUrls()])) });
    return true;
  }
  const [provider, action, extra] = pathname.slice(EMULATOR_ADMIN_PREFIX.length).split('/');
  const emulator = (options.emulators as Record<string, ProviderEmulator | undefined>)[provider ?? ''];
  if (!emulator || !action || extra !== undefined) {
    sendJson(res, 404, { error: 'not_found', error_description: `Not emulated or no such action. Emulated: ${listEmulators(options.emulators).map((e) => e.provider).join(', ') || 'none'}` });
    return true;
  }
  if (action === 'requests') {
    if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
    sendJson(res, 200, { requests: emulator.requestCounts() });
    return true;
  }
  if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
  let body: Record<string, unknown>;
  try {
    const text = await readBody(req, MAX_ADMIN_BODY_BYTES);
    const parsed: unknown = text.trim() ? JSON.parse(text) : {};
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TypeError('the body must be a JSON object');
    body = parsed as Record<string, unknown>;
  } catch (err) {
    sendJson(res, 400, { error: 'invalid_request', error_description: `The body is not a JSON object: ${err instanceof Error ? err.message : String(err)}` });
    return true;
  }
  const account = body.account;
  if (account !== undefined && (typeof account !== 'string' || !account)) {
    sendJson(res, 400, { error: 'invalid_request', error_description: '"account" must be a non-empty string.' });
    return true;
  }
  const selector = account === undefined ? {} : { account };
  try {
    const answer = runAction(emulator, action, body, selector);
    if (answer === undefined) {
      sendJson(res, 404, { error: 'not_found', error_description: `The ${emulator.provider} emulator has no action ${JSON.stringify(action)}` });
    } else {
      sendJson(res, 200, answer);
    }
  } catch (err) {
    if (!(err instanceof RangeError || err instanceof TypeError)) throw err;
    sendJson(res, 400, { error: 'invalid_request', error_description: err.message });
  }
  return true;
}

function runAction(emulator: ProviderEmulator, action: string, body: Record<string, unknown>, selector: { account?: string }): object | undefined {
  switch (action) {
    case 'revoke-grants':
      return { revoked: emulator.revokeGrants(selector) };
    case 'expire-access-tokens':
      return { expired: emulator.expireAccessTokens(selector) };
    case 'reset-requests':
      emulator.resetRequestCounts();
      return {};
    case 'fail-next': {
      const options: FailNextOptions = {};
      for (const key of ['count', 'status', 'retryAfterSeconds'] as const) {
        const value = body[key];
        if (value === undefined) continue;
        if (typeof value !== 'number') throw new TypeError(`"${key}" must be a number`);
        (options as Record<string, number>)[key] = value;
      }
      if (body.endpoint !== undefined) {
        if (typeof body.endpoint !== 'string') throw new TypeError('"endpoint" must be a string');
        options.endpoint = body.endpoint;
      }
      emulator.failNext(options);
      return { failing: options.count ?? 1 };
    }
  }
  if (emulator instanceof MicrosoftEmulator) {
    if (action === 'require-mfa') return { grants: emulator.requireMfa(selector) };
    if (action === 'require-consent') return { grants: emulator.requireConsent(selector) };
    if (action === 'expire-refresh-tokens') return { grants: emulator.expireRefreshTokens(selector) };
  }
  if (emulator instanceof GoogleEmulator && action === 'require-mfa') return { grants: emulator.requireReauth(selector) };
  if (emulator instanceof GithubEmulator && action === 'device-flow') {
    if (typeof body.clientId !== 'string' || typeof body.enabled !== 'boolean') throw new TypeError('"clientId" (string) and "enabled" (boolean) are required');
    emulator.setDeviceFlowEnabled(body.clientId, body.enabled);
    return {};
  }
  return undefined;
}

function methodNotAllowed(res: ServerResponse, allow: string): true {
  sendJson(res, 405, { error: 'method_not_allowed', error_description: `Use ${allow}.` }, { Allow: allow });
  return true;
}
