import { sendJson } from '../access-token-check.js';
import { readParams } from './emulator-http.js';
import { randomString } from './emulator-ids.js';
import type { EmulatedCall, EmulatorClient, EmulatorContext } from './emulator-types.js';
import type { GoogleOpenId } from './google-openid.js';
import type { Grant } from './grant-book.js';

// Google's tokens: what is issued, refresh, revocation, and the OAuth error shape of its token endpoints.
// Sources, cited next to each behaviour below:
// [web] https://developers.google.com/identity/protocols/oauth2/web-server (access_type, prompt, include_granted_scopes, revoke)
// [native] https://developers.google.com/identity/protocols/oauth2/native-app (OAuth 2.0 for Mobile & Desktop Apps)
// [devices] https://developers.google.com/identity/protocols/oauth2/limited-input-device (TV and Limited-Input Devices)

/** Token responses in [web], [native] and [devices] all show `expires_in: 3599`-style hour-long tokens; the examples use 3920, captures 3599. */
const ACCESS_TOKEN_TTL_S = 3599;

/** Issues Google's tokens, refreshes and revokes them. */
export class GoogleTokens {
  readonly #context: EmulatorContext;
  readonly #openid: GoogleOpenId;

  constructor(context: EmulatorContext, openid: GoogleOpenId) {
    this.#context = context;
    this.#openid = openid;
  }

  /** A `refresh_token` grant: Google's refresh tokens are never rotated. */
  refresh(call: EmulatedCall, params: URLSearchParams, client: EmulatorClient): void {
    const found = this.#context.grants.refreshToken(params.get('refresh_token') ?? '');
    // Captures (AppleIdLoginHelper/LoginHelper#8, mbrother2/backuptogoogle#4): 400 invalid_grant "Token has been expired or
    // revoked." for a revoked grant or an unknown refresh token.
    if (!found || !found.grant || found.grant.dead || found.grant.clientId !== client.clientId) return sendOauthError(call, 400, 'invalid_grant', 'Token has been expired or revoked.');
    if (found.grant.mfaRequired) {
      // Capture (cline/cline#4080): a Workspace reauthentication policy refuses the refresh with this body.
      return sendJson(call.res, 400, { error: 'invalid_grant', error_description: 'reauth related error (invalid_rapt)', error_uri: 'https://support.google.com/a/answer/9368756', error_subtype: 'invalid_rapt' });
    }
    // [web] "Refreshing an access token": the response has no refresh_token; Google's refresh tokens do not rotate.
    this.issue(call, client, found.grant, found.token.scopes, { refreshToken: false, nonce: null });
  }

  /** Issues an access token (a refresh token when asked, an ID token with `openid`) and answers the token request. */
  issue(call: EmulatedCall, client: EmulatorClient, grant: Grant, scopes: string[], options: { refreshToken: boolean; nonce: string | null }): void {
    const now = this.#context.settings.now();
    const ttl = this.#context.settings.accessTokenTtlSeconds ?? ACCESS_TOKEN_TTL_S;
    // Google access tokens are opaque "ya29." strings; refresh tokens start "1//".
    const access = this.#context.grants.addAccess({ token: `ya29.a0${randomString(120)}`, grantId: grant.id, scopes, expiresAt: now + ttl * 1000 });
    const refresh = options.refreshToken ? this.#context.grants.addRefresh({ token: `1//0${randomString(100)}`, grantId: grant.id, scopes }) : undefined;
    // [web] step 5 response, in its order: access_token, expires_in, refresh_token, scope, token_type ("Bearer"), id_token.
    sendJson(call.res, 200, {
      access_token: access.token,
      expires_in: ttl,
      ...(refresh ? { refresh_token: refresh.token } : {}),
      scope: scopes.join(' '),
      token_type: 'Bearer',
      ...(scopes.includes('openid') ? { id_token: this.#openid.idToken(client, grant.account, scopes, access.token, options.nonce) } : {}),
    });
  }

  /** `POST oauth2.googleapis.com/revoke`. */
  async revoke(call: EmulatedCall): Promise<void> {
    // [web] "Revoking a token": POST https://oauth2.googleapis.com/revoke?token={token}, or the token in the form body.
    const params = await readParams(call);
    const token = call.url.searchParams.get('token') ?? params.get('token') ?? '';
    const access = this.#context.grants.usableAccess(token);
    const refresh = this.#context.grants.refreshToken(token);
    const grant = access?.grant ?? (refresh?.grant && !refresh.grant.dead ? refresh.grant : undefined);
    // [web] "For error conditions, an HTTP status code 400 is returned along with an error code."
    if (!grant) return sendOauthError(call, 400, 'invalid_token', 'Token expired or revoked');
    // [web] "If the token is an access token and it has a corresponding refresh token, the refresh token will also be
    // revoked": the whole grant goes.
    this.#context.grants.kill(grant.id, 'revoked');
    // [web] "If the revocation is successfully processed, then the HTTP status code of the response is 200."
    call.res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': '0' });
    call.res.end();
  }
}

/**
 * The OAuth error shape of Google's token endpoints ([web]: {"error": ..., "error_description": ...}).
 *
 * @example
 * ```ts
 * sendOauthError(call, 400, 'invalid_grant', 'Bad Request');
 * ```
 */
export function sendOauthError(call: EmulatedCall, status: number, error: string, description: string): void {
  sendJson(call.res, status, { error, error_description: description });
}
