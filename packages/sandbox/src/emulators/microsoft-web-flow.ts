import { redirect, sendErrorPage, withQuery } from './emulator-http.js';
import { randomString } from './emulator-ids.js';
import type { EmulatedCall, EmulatorClient, EmulatorContext } from './emulator-types.js';
import type { Grant } from './grant-book.js';
import type { Tenant } from './microsoft-directory.js';
import { ENTRA_TAG, appNotFound, invalidScope, type EntraErrors } from './microsoft-errors.js';
import { parseScopes, type ParsedScopes } from './microsoft-scopes.js';
import type { EntraTokens } from './microsoft-tokens.js';
import { isLoopbackHost, pkceMatches } from './oauth-rules.js';
import type { PendingSignIn, StartSignIn } from './sign-in-pages.js';

// Entra's authorization code flow: the authorization request, the user's answer, the code exchange.
// Sources, cited next to each behaviour below (under https://learn.microsoft.com/en-us/entra/identity-platform/):
// [code-flow] v2-oauth2-auth-code-flow   [errors] reference-error-codes   [reply-url] reply-url

/** [code-flow] "Authorization codes are short lived. Typically, they expire after about 10 minutes." */
const CODE_TTL_S = 600;

/** What a web sign-in carries until the user comes back with a code. */
export interface EntraWebSignIn {
  tenant: Tenant;
  redirectUri: string;
  state: string | null;
  scopes: ParsedScopes;
  forceConsent: boolean;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain';
  nonce: string | null;
}

interface EntraCode {
  clientId: string;
  grantId: string;
  tid: string;
  scopes: ParsedScopes;
  redirectUri: string;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain';
  nonce: string | null;
  expiresAt: number;
  used: boolean;
}

/** Entra's authorization code flow (v2.0 endpoints, any tenant segment). */
export class EntraWebFlow {
  readonly #context: EmulatorContext;
  readonly #errors: EntraErrors;
  readonly #tokens: EntraTokens;
  readonly #startSignIn: StartSignIn<EntraWebSignIn>;
  readonly #codes = new Map<string, EntraCode>();

  constructor(context: EmulatorContext, errors: EntraErrors, tokens: EntraTokens, startSignIn: StartSignIn<EntraWebSignIn>) {
    this.#context = context;
    this.#errors = errors;
    this.#tokens = tokens;
    this.#startSignIn = startSignIn;
  }

  /** `GET /{tenant}/oauth2/v2.0/authorize`: the sign-in page, Entra's error page, or an error redirect. */
  authorize(call: EmulatedCall, tenant: Tenant): void {
    const q = call.url.searchParams;
    const page = (code: number, message: string) => sendErrorPage(call.res, 400, 'Sign in', [['message', `AADSTS${code}: ${message}`]], ENTRA_TAG, 'Sorry, but we\u2019re having trouble signing you in.');
    const clientId = q.get('client_id') ?? '';
    const client = this.#context.client(clientId);
    // [errors] AADSTS700016 UnauthorizedClient_DoesNotMatchRequest: "Application with identifier '{appIdentifier}' was not
    // found in the directory". Shown on Microsoft's page, not redirected.
    if (!client) return page(700016, appNotFound(clientId, tenant));
    const redirectUri = q.get('redirect_uri');
    if (!redirectUri) return page(900144, "The request body must contain the following parameter: 'redirect_uri'.");
    // [errors] AADSTS50011 InvalidReplyTo; [reply-url] the matching rules (below).
    if (!entraRedirectAllowed(client, redirectUri)) {
      return page(50011, `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${client.clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`);
    }
    const state = q.get('state');
    const fail = (error: string, code: number, message: string) => redirect(call.res, withQuery(redirectUri, { error, error_description: `AADSTS${code}: ${message}`, state: state ?? undefined }));
    // [code-flow] response_type "Must include code for the authorization code flow."
    if (!(q.get('response_type') ?? '').split(' ').includes('code')) return fail('unsupported_response_type', 700054, "response_type 'id_token' is not enabled for the application.");
    const scopeParam = q.get('scope');
    // [code-flow] scope is required; [errors] AADSTS900144 names the missing parameter.
    if (!scopeParam?.trim()) return fail('invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
    const scopes = parseScopes(scopeParam);
    // [code-flow] "Error response" example: invalid_scope with AADSTS70011.
    if ('invalid' in scopes) return fail('invalid_scope', 70011, invalidScope(scopes.invalid));
    const method = q.get('code_challenge_method') ?? 'plain';
    // [code-flow] code_challenge_method: "The Microsoft identity platform supports both plain and S256."
    if (method !== 'plain' && method !== 'S256') return fail('invalid_request', 50000, 'Invalid code_challenge_method.');
    const prompt = q.get('prompt');
    // [code-flow] prompt=none: "If the request can't be completed silently by using single-sign on": no session is kept here,
    // so login_required ("Too many or no users found"; [errors] AADSTS50058).
    if (prompt === 'none') return fail('login_required', 50058, 'A silent sign-in request was sent but no user is signed in.');
    const loginHint = q.get('login_hint');
    this.#startSignIn(call.res, {
      clientId: client.clientId,
      scopes: [...scopes.graph, ...scopes.oidc],
      ...(loginHint ? { loginHint } : {}),
      web: {
        tenant,
        redirectUri,
        state,
        scopes,
        // [code-flow] "prompt=consent triggers the OAuth consent dialog after the user signs in".
        forceConsent: prompt === 'consent',
        codeChallenge: q.get('code_challenge'),
        codeChallengeMethod: method,
        nonce: q.get('nonce'),
      },
    });
  }

  /** Whether the user must see the consent page. */
  needsConsent(pending: PendingSignIn<EntraWebSignIn>, account: string): boolean {
    const web = pending.web as EntraWebSignIn;
    if (web.forceConsent) return true;
    // [code-flow] "If the user hasn't consented to any of those permissions, it asks the user to consent".
    return !this.#context.grants.covers(account, pending.clientId, pending.scopes);
  }

  /** The user signed in (and consented when asked): the redirect back to the app with a code. */
  approveWeb(pending: PendingSignIn<EntraWebSignIn>, account: string): string {
    const web = pending.web as EntraWebSignIn;
    const grant = this.#context.grants.consent(account, pending.clientId, pending.scopes);
    const code = `1.A${randomString(180)}`;
    this.#codes.set(code, {
      clientId: pending.clientId,
      grantId: grant.id,
      tid: web.tenant.tid,
      scopes: web.scopes,
      redirectUri: web.redirectUri,
      codeChallenge: web.codeChallenge,
      codeChallengeMethod: web.codeChallengeMethod,
      nonce: web.nonce,
      expiresAt: this.#context.settings.now() + CODE_TTL_S * 1000,
      used: false,
    });
    // [code-flow] "Successful response" with response_mode=query: code and state.
    return withQuery(web.redirectUri, { code, state: web.state ?? undefined });
  }

  /** The user cancelled (`login`) or declined consent: the redirect back to the app. */
  denyWeb(pending: PendingSignIn<EntraWebSignIn>, stage: 'login' | 'consent'): string {
    const web = pending.web as EntraWebSignIn;
    // [code-flow] "Error response": error=access_denied ("Resource owner denied consent"); the description carries the
    // AADSTS code of [errors] (AADSTS65004 UserDeclinedConsent).
    return withQuery(web.redirectUri, {
      error: 'access_denied',
      ...(stage === 'login' ? { error_subcode: 'cancel' } : {}),
      error_description: 'AADSTS65004: User declined to consent to access the app.',
      state: web.state ?? undefined,
    });
  }

  /** An `authorization_code` grant at the token endpoint. */
  exchangeCode(call: EmulatedCall, params: URLSearchParams, client: EmulatorClient): void {
    const code = this.#codes.get(params.get('code') ?? '');
    // [errors] AADSTS9002313 "Invalid request. Request is malformed or invalid." for a code that is not one.
    if (!code || code.clientId !== client.clientId) return this.#errors.send(call, 400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
    // [errors] AADSTS54005 "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."
    if (code.used) return this.#errors.send(call, 400, 'invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.');
    // [errors] AADSTS70008 ExpiredOrRevokedGrant.
    if (code.expiresAt <= this.#context.settings.now()) return this.#errors.send(call, 400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.');
    // [code-flow] redirect_uri: "The same redirect_uri value that was used to acquire the authorization_code." Which AADSTS
    // code a different one gets is not documented; [errors] AADSTS70000 InvalidGrant is used.
    if (params.get('redirect_uri') !== code.redirectUri) return this.#errors.send(call, 400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.');
    // [code-flow] invalid_grant: "The authorization code or PKCE code verifier is invalid or has expired."; AADSTS501481 is the
    // code-verifier mismatch.
    if (code.codeChallenge !== null && !pkceMatches(code.codeChallenge, code.codeChallengeMethod, params.get('code_verifier'))) {
      return this.#errors.send(call, 400, 'invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
    }
    code.used = true;
    const grant = this.#context.grants.grant(code.grantId) as Grant;
    this.#tokens.issue(call, client, grant, code.tid, code.scopes, code.nonce);
  }
}

/**
 * [reply-url] redirect URIs match exactly, except "loopback" or "localhost" ones: "the port component ... is ignored for the
 * purposes of matching a redirect URI" (http allowed). Host and path still match.
 */
function entraRedirectAllowed(client: EmulatorClient, requested: string): boolean {
  if (client.redirectUris.includes(requested)) return true;
  let asked: URL;
  try {
    asked = new URL(requested);
  } catch {
    return false;
  }
  if (!isLoopbackHost(asked.hostname)) return false;
  return client.redirectUris.some((text) => {
    const registered = new URL(text);
    return registered.hostname === asked.hostname && registered.protocol === asked.protocol && registered.pathname === asked.pathname && registered.search === asked.search;
  });
}
