import { randomBytes } from 'node:crypto';
import { redirect, sendErrorPage, withQuery } from './emulator-http.js';
import type { EmulatedCall, EmulatorClient, EmulatorContext } from './emulator-types.js';
import { githubRedirectAllowed, isGithubAppClientId, normalizeScopes } from './github-apps.js';
import type { GithubTokens } from './github-tokens.js';
import { pkceMatches } from './oauth-rules.js';
import type { PendingSignIn, StartSignIn } from './sign-in-pages.js';

// GitHub's web application flow: the authorization request, the user's answer, the code exchange.
// Sources, cited next to each behaviour below:
// [oauth-apps] https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
// [token-errors] https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
// [authz-errors] https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-authorization-request-errors
// [scopes] https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps
// [pkce] https://github.blog/changelog/2025-07-14-pkce-support-for-oauth-and-github-app-authentication

/** The line under the heading of the GitHub emulator's pages. */
export const GITHUB_TAG = 'Opperator sandbox: emulated GitHub, no real account';
/** [oauth-apps] "The temporary code will expire after 10 minutes." */
const CODE_TTL_S = 600;

/** What a web sign-in carries until the user comes back with a code. */
export interface GithubWebSignIn {
  /** Where the code goes: the redirect_uri given, or the registered callback. */
  redirectUri: string;
  /** The redirect_uri parameter as given (null when omitted), checked again at the token endpoint. */
  redirectUriParam: string | null;
  state: string | null;
  /** Normalized scopes asked for; null when the request had no scope parameter. */
  scopes: string[] | null;
  codeChallenge: string | null;
}

interface GithubCode {
  code: string;
  clientId: string;
  grantId: string;
  scopes: string[];
  redirectUriParam: string | null;
  redirectUri: string;
  codeChallenge: string | null;
  expiresAt: number;
  used: boolean;
}

/** GitHub's web application flow, for OAuth Apps and GitHub Apps. */
export class GithubWebFlow {
  readonly #context: EmulatorContext;
  readonly #tokens: GithubTokens;
  readonly #startSignIn: StartSignIn<GithubWebSignIn>;
  readonly #codes = new Map<string, GithubCode>();

  constructor(context: EmulatorContext, tokens: GithubTokens, startSignIn: StartSignIn<GithubWebSignIn>) {
    this.#context = context;
    this.#tokens = tokens;
    this.#startSignIn = startSignIn;
  }

  /** `GET /login/oauth/authorize`: the login page, or GitHub's answer to a bad request. */
  authorize(call: EmulatedCall): void {
    const query = call.url.searchParams;
    const client = this.#context.client(query.get('client_id'));
    if (!client) {
      // Not in the docs: github.com shows a "404" page for an unknown client_id, and never redirects.
      sendErrorPage(call.res, 404, 'Not Found', [['error', 'unknown client_id'], ['client_id', query.get('client_id') ?? '']], GITHUB_TAG);
      return;
    }
    const registered = client.redirectUris[0] as string;
    const requested = query.get('redirect_uri');
    const state = query.get('state');
    // [oauth-apps] "If left out, GitHub will redirect users to the callback URL configured in the OAuth app settings."
    if (requested !== null && !githubRedirectAllowed(client, requested)) {
      // [authz-errors] "GitHub will redirect to the registered callback URL with the following parameters summarizing the error".
      redirect(
        call.res,
        withQuery(registered, {
          error: 'redirect_uri_mismatch',
          error_description: 'The redirect_uri MUST match the registered callback URL for this application.',
          error_uri: '/apps/building-integrations/setting-up-and-registering-oauth-apps/troubleshooting-authorization-request-errors/#redirect-uri-mismatch',
          state: state ?? undefined,
        }),
      );
      return;
    }
    const redirectUri = requested ?? registered;
    const challenge = query.get('code_challenge');
    // [pkce] "Only the S256 code challenge method is accepted." The error for another method is not documented; the emulator
    // answers invalid_request like an RFC 6749 §4.1.2.1 server would.
    if (challenge !== null && query.get('code_challenge_method') !== 'S256') {
      redirect(call.res, withQuery(redirectUri, { error: 'invalid_request', error_description: 'code_challenge_method must be S256', state: state ?? undefined }));
      return;
    }
    const scopeParam = query.get('scope');
    // [scopes] GitHub Apps use permissions, not scopes: "you don't need to provide scopes in your authorization request".
    const scopes = isGithubAppClientId(client.clientId) || scopeParam === null ? null : normalizeScopes(scopeParam);
    const login = query.get('login');
    this.#startSignIn(call.res, {
      clientId: client.clientId,
      scopes: scopes ?? [],
      ...(login ? { loginHint: login } : {}),
      web: { redirectUri, redirectUriParam: requested, state, scopes, codeChallenge: challenge },
    });
  }

  /** Whether the user must see the consent page. */
  needsConsent(pending: PendingSignIn<GithubWebSignIn>, account: string): boolean {
    // [oauth-apps] "For users who have authorized scopes for the application, the user won't be shown the OAuth authorization
    // page with the list of scopes. Instead, this step of the flow will automatically complete".
    return !this.#context.grants.covers(account, pending.clientId, pending.web?.scopes ?? []);
  }

  /** The user signed in (and consented): the redirect back to the app with a code. */
  approveWeb(pending: PendingSignIn<GithubWebSignIn>, account: string): string {
    const web = pending.web as GithubWebSignIn;
    const grant = this.#context.grants.consent(account, pending.clientId, web.scopes ?? []);
    // [oauth-apps] "a third web flow that does not provide a scope will receive a token with user and repo scope": without a
    // scope parameter the token carries every scope the user authorized.
    const scopes = web.scopes ?? [...grant.scopes];
    // GitHub's codes are 20 hex characters (e.g. the captures in omniauth/omniauth-github#33).
    const code = randomBytes(10).toString('hex');
    this.#codes.set(code, {
      code,
      clientId: pending.clientId,
      grantId: grant.id,
      scopes,
      redirectUri: web.redirectUri,
      redirectUriParam: web.redirectUriParam,
      codeChallenge: web.codeChallenge,
      expiresAt: this.#context.settings.now() + CODE_TTL_S * 1000,
      used: false,
    });
    // [oauth-apps] "GitHub redirects back to your site with a temporary code in a code parameter as well as the state".
    return withQuery(web.redirectUri, { code, state: web.state ?? undefined });
  }

  /** The user denied (or cancelled): the redirect back to the app. */
  denyWeb(pending: PendingSignIn<GithubWebSignIn>): string {
    const web = pending.web as GithubWebSignIn;
    // [authz-errors] "If the user rejects access to your application, GitHub will redirect to the registered callback URL" with these parameters.
    return withQuery(web.redirectUri, {
      error: 'access_denied',
      error_description: 'The user has denied your application access.',
      error_uri: '/apps/building-integrations/setting-up-and-registering-oauth-apps/troubleshooting-authorization-request-errors/#access-denied',
      state: web.state ?? undefined,
    });
  }

  /** The code exchange at the token endpoint (no `grant_type`, or `authorization_code`). */
  exchangeCode(call: EmulatedCall, params: URLSearchParams, clientId: string | null, secret: string | null): void {
    if (!this.#clientOk(clientId, secret)) return this.#tokens.incorrectClientCredentials(call);
    const code = this.#codes.get(params.get('code') ?? '');
    const now = this.#context.settings.now();
    // [token-errors] "If the verification code you pass is incorrect, expired, or doesn't match what you received in the first
    // request for authorization you will receive this error."
    if (!code || code.used || code.expiresAt <= now || code.clientId !== clientId) return this.#tokens.badVerificationCode(call);
    const redirectUri = params.get('redirect_uri');
    // [token-errors] "If you provide a redirect_uri that doesn't match what you've registered with your OAuth app".
    if (redirectUri !== null && redirectUri !== code.redirectUri) {
      return this.#tokens.error(call, 'redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.', '/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#redirect-uri-mismatch2');
    }
    // [pkce] "It must then include the corresponding code_verifier parameter when exchanging the authorization code". Which error
    // a wrong verifier gets is not documented: the emulator treats it as a code that "doesn't match" (bad_verification_code).
    if (code.codeChallenge !== null && !pkceMatches(code.codeChallenge, 'S256', params.get('code_verifier'))) return this.#tokens.badVerificationCode(call);
    code.used = true;
    this.#tokens.issue(call, code.clientId, code.grantId, code.scopes, false);
  }

  #clientOk(clientId: string | null, secret: string | null): EmulatorClient | undefined {
    const client = this.#context.client(clientId);
    // [oauth-apps] client_secret is "Required" for the code exchange; captured in wham/kaja#613: "GitHub refuses a code
    // exchange that carries no client_secret, PKCE or not". A client registered without a secret cannot pass.
    return client && client.clientSecret !== undefined && client.clientSecret === secret ? client : undefined;
  }
}
