import { sendJson } from '../access-token-check.js';
import { randomString } from './emulator-ids.js';
import type { EmulatedCall, EmulatorContext } from './emulator-types.js';
import { isGithubAppClientId } from './github-apps.js';

// GitHub's token answers: what each kind of app is issued, refresh, the token endpoint's errors and response formats.
// Sources, cited next to each behaviour below:
// [oauth-apps] https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
// [token-errors] https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
// [app-tokens] https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app
// [refreshing] https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens

/** [app-tokens] "`expires_in` ... The value will always be 28800 (8 hours)." */
const APP_TOKEN_TTL_S = 28800;
/**
 * [app-tokens] "`refresh_token_expires_in` ... The value will always be 15811200 (6 months)." Captures in
 * omniauth/omniauth-github#99 show the same number; 15897600 is widespread in mocks but in no capture we found.
 */
const REFRESH_TOKEN_TTL_S = 15811200;
/** Captures give absolute `error_uri`s (interlink-hq/interLink#262, PyGithub/PyGithub#1718) where [token-errors] shows paths. */
export const TOKEN_ERRORS_DOC = 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/';
/** Capture in ramosbugs/oauth2-rs#218: the device flow's `error_uri`. */
export const DEVICE_ERRORS_DOC = 'https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow';

/** Issues GitHub's tokens and answers the token endpoint's errors (HTTP 200, as GitHub does). */
export class GithubTokens {
  readonly #context: EmulatorContext;

  constructor(context: EmulatorContext) {
    this.#context = context;
  }

  /** A `refresh_token` grant at the token endpoint (GitHub Apps' single-use `ghr_` tokens). */
  refresh(call: EmulatedCall, params: URLSearchParams, clientId: string | null, secret: string | null): void {
    const client = this.#context.client(clientId);
    if (!client) return this.incorrectClientCredentials(call);
    const found = this.#context.grants.refreshToken(params.get('refresh_token') ?? '');
    // [refreshing] client_secret is "Required unless the user access token was generated using the device flow".
    const secretNeeded = !found?.token.fromDeviceFlow;
    if (secretNeeded && (client.clientSecret === undefined || client.clientSecret !== secret)) return this.incorrectClientCredentials(call);
    const now = this.#context.settings.now();
    // [refreshing] "Once you use a refresh token, that refresh token and the old user access token will no longer work."
    // Capture (interlink-hq/interLink#262): a dead refresh token gets HTTP 200 with bad_refresh_token and this description.
    if (!found || !found.grant || found.grant.dead || found.token.used || (found.token.expiresAt ?? Infinity) <= now || found.grant.clientId !== client.clientId) {
      return this.error(call, 'bad_refresh_token', 'The refresh token passed is incorrect or expired.', `${TOKEN_ERRORS_DOC}#bad-verification-code`);
    }
    found.token.used = true;
    if (found.token.pairedAccess) this.#context.grants.killAccess(found.token.pairedAccess);
    this.issue(call, client.clientId, found.grant.id, found.token.scopes, found.token.fromDeviceFlow === true);
  }

  /** Issues the tokens of a code exchange, a refresh or a device poll, by the kind of app. */
  issue(call: EmulatedCall, clientId: string, grantId: string, scopes: string[], fromDeviceFlow: boolean): void {
    const now = this.#context.settings.now();
    if (!isGithubAppClientId(clientId)) {
      // [oauth-apps] OAuth app tokens start with gho_ (40 characters in the example), never expire and come without a
      // refresh token; `scope` is comma-separated ("repo,gist") and token_type is "bearer".
      const token = this.#context.grants.addAccess({ token: `gho_${randomString(36)}`, grantId, scopes, kind: 'oauth-app' });
      return answerGithub(call, 200, { access_token: token.token, scope: scopes.join(','), token_type: 'bearer' });
    }
    // [app-tokens] user access tokens start with ghu_, expire (28800 s), and come with a ghr_ refresh token; `scope` is
    // "always an empty string".
    const ttl = this.#context.settings.accessTokenTtlSeconds ?? APP_TOKEN_TTL_S;
    const access = this.#context.grants.addAccess({ token: `ghu_${randomString(36)}`, grantId, scopes: [], expiresAt: now + ttl * 1000, kind: 'github-app' });
    // The ghr_ example in [refreshing] has 76 characters after the prefix.
    const refresh = this.#context.grants.addRefresh({ token: `ghr_${randomString(76)}`, grantId, scopes: [], expiresAt: now + REFRESH_TOKEN_TTL_S * 1000, fromDeviceFlow, pairedAccess: access.token });
    answerGithub(call, 200, {
      access_token: access.token,
      expires_in: ttl,
      refresh_token: refresh.token,
      refresh_token_expires_in: REFRESH_TOKEN_TTL_S,
      scope: '',
      token_type: 'bearer',
    });
  }

  incorrectClientCredentials(call: EmulatedCall): void {
    // [token-errors] with the absolute error_uri of the captures (rwth-acis/VIAProMa#186, PyGithub/PyGithub#1718).
    this.error(call, 'incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.', `${TOKEN_ERRORS_DOC}#incorrect-client-credentials`);
  }

  badVerificationCode(call: EmulatedCall): void {
    // [token-errors]; capture (reactivemanifesto/website-manifesto#91) for the absolute error_uri.
    this.error(call, 'bad_verification_code', 'The code passed is incorrect or expired.', `${TOKEN_ERRORS_DOC}#bad-verification-code`);
  }

  /** A token endpoint error, with its documentation URL and `extra` fields. */
  error(call: EmulatedCall, error: string, description: string, uri: string, extra: Record<string, string | number> = {}): void {
    // [app-tokens] "GitHub will respond with a 200 status and an error"; the captures above show HTTP 200 for every token error.
    answerGithub(call, 200, { error, error_description: description, error_uri: uri, ...extra });
  }
}

/**
 * [oauth-apps] "By default, the response takes the following form" (form-encoded); with `Accept: application/json` JSON,
 * with `Accept: application/xml` XML.
 *
 * @example
 * ```ts
 * answerGithub(call, 200, { access_token: token, scope: 'repo', token_type: 'bearer' });
 * ```
 */
export function answerGithub(call: EmulatedCall, status: number, body: Record<string, string | number>): void {
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

function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
