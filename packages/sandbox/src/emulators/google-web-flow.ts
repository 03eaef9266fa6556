import { redirect, sendErrorPage, withQuery } from './emulator-http.js';
import { randomString } from './emulator-ids.js';
import type { EmulatedCall, EmulatorClient, EmulatorContext } from './emulator-types.js';
import { KNOWN_SCOPES, expandScopes } from './google-scopes.js';
import { sendOauthError, type GoogleTokens } from './google-tokens.js';
import type { Grant } from './grant-book.js';
import { isLoopbackHost, pkceMatches } from './oauth-rules.js';
import type { PendingSignIn, StartSignIn } from './sign-in-pages.js';

// Google's authorization code flow: the authorization request, the user's answer, the code exchange.
// Sources, cited next to each behaviour below:
// [native] https://developers.google.com/identity/protocols/oauth2/native-app (OAuth 2.0 for Mobile & Desktop Apps)
// [web] https://developers.google.com/identity/protocols/oauth2/web-server (access_type, prompt, include_granted_scopes, revoke)
// [oidc] https://developers.google.com/identity/openid-connect/openid-connect (discovery, ID token, userinfo)

/** The line under the heading of the Google emulator's pages. */
export const GOOGLE_TAG = 'Opperator sandbox: emulated Google, no real account';
/** Not documented; ten minutes as for the other providers. */
const CODE_TTL_S = 600;

/** What a web sign-in carries until the user comes back with a code. */
export interface GoogleWebSignIn {
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

/** Google's authorization code flow (web server and installed apps). */
export class GoogleWebFlow {
  readonly #context: EmulatorContext;
  readonly #tokens: GoogleTokens;
  readonly #startSignIn: StartSignIn<GoogleWebSignIn>;
  readonly #codes = new Map<string, GoogleCode>();

  constructor(context: EmulatorContext, tokens: GoogleTokens, startSignIn: StartSignIn<GoogleWebSignIn>) {
    this.#context = context;
    this.#tokens = tokens;
    this.#startSignIn = startSignIn;
  }

  /** `GET accounts.google.com/o/oauth2/v2/auth`: the sign-in page, or Google's error page for a bad request. */
  authorize(call: EmulatedCall): void {
    const q = call.url.searchParams;
    const pageError = (status: number, error: string, description: string) =>
      // [web] "Error handling": Google shows these to the user on an error page, it does not redirect (the app's redirect
      // cannot be trusted yet).
      sendErrorPage(call.res, status, `Error ${status}: ${error}`, [['error', error], ['error_description', description]], GOOGLE_TAG, 'Request details are shown to help the app developer.');
    const client = this.#context.client(q.get('client_id'));
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
    this.#startSignIn(call.res, {
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

  /** Whether the user must see the consent page. */
  needsConsent(pending: PendingSignIn<GoogleWebSignIn>, account: string): boolean {
    const web = pending.web as GoogleWebSignIn;
    if (web.forceConsent) return true;
    // [web] an app the user already authorized for these scopes is not asked again unless prompt=consent.
    return !this.#context.grants.covers(account, pending.clientId, web.scopes);
  }

  /** The user signed in (and consented when asked): the redirect back to the app with a code. */
  approveWeb(pending: PendingSignIn<GoogleWebSignIn>, account: string, consentShown: boolean): string {
    const web = pending.web as GoogleWebSignIn;
    const grant = this.#context.grants.consent(account, pending.clientId, web.scopes);
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
      expiresAt: this.#context.settings.now() + CODE_TTL_S * 1000,
      used: false,
    });
    // [web] step 5 "Handle the OAuth 2.0 server response": the code (and the state) in the redirect's query.
    return withQuery(web.redirectUri, { state: web.state ?? undefined, code });
  }

  /** The user denied (or cancelled): the redirect back to the app. */
  denyWeb(pending: PendingSignIn<GoogleWebSignIn>): string {
    const web = pending.web as GoogleWebSignIn;
    // [web] "If the user does not approve the request, the response contains an error message": error=access_denied.
    return withQuery(web.redirectUri, { error: 'access_denied', state: web.state ?? undefined });
  }

  /** An `authorization_code` grant at the token endpoint. */
  exchangeCode(call: EmulatedCall, params: URLSearchParams, client: EmulatorClient): void {
    const codeText = params.get('code') ?? '';
    const code = this.#codes.get(codeText);
    // Captures: an unknown, expired or used code is refused with 400 invalid_grant ("Bad Request"); a code that does not
    // parse says "Malformed auth code.".
    if (!code) return sendOauthError(call, 400, 'invalid_grant', codeText.startsWith('4/') ? 'Bad Request' : 'Malformed auth code.');
    if (code.used || code.expiresAt <= this.#context.settings.now() || code.clientId !== client.clientId) return sendOauthError(call, 400, 'invalid_grant', 'Bad Request');
    // [native] step 5 (exchange): redirect_uri must be the one of the authorization request.
    if (params.get('redirect_uri') !== code.redirectUri) return sendOauthError(call, 400, 'redirect_uri_mismatch', 'Bad Request');
    if (code.codeChallenge !== null) {
      const verifier = params.get('code_verifier');
      // [native] code_verifier is checked against the code_challenge of step 1.
      if (!verifier) return sendOauthError(call, 400, 'invalid_grant', 'Missing code verifier.');
      if (!pkceMatches(code.codeChallenge, code.codeChallengeMethod, verifier)) return sendOauthError(call, 400, 'invalid_grant', 'Invalid code verifier.');
    }
    code.used = true;
    const grant = this.#context.grants.grant(code.grantId) as Grant;
    this.#tokens.issue(call, client, grant, code.scopes, { refreshToken: code.withRefreshToken, nonce: code.nonce });
  }
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
