import { sendJson } from '../access-token-check.js';
import { randomString } from './emulator-ids.js';
import type { EmulatedCall, EmulatorClient, EmulatorContext } from './emulator-types.js';
import type { Grant } from './grant-book.js';
import type { SigningKey } from './jwt-signing.js';
import { CONSUMER_TENANT_ID, GRAPH_APP_ID, SANDBOX_ENTRA_TENANT_ID, entraObjectId, userPrincipalName, type Tenant } from './microsoft-directory.js';
import { invalidScope, type EntraErrors } from './microsoft-errors.js';
import { parseScopes, parseStored, type ParsedScopes } from './microsoft-scopes.js';

// Entra's tokens: what is issued (JWT access tokens for Graph, rotated refresh tokens, ID tokens) and refresh.
// Sources, cited next to each behaviour below (under https://learn.microsoft.com/en-us/entra/identity-platform/):
// [code-flow] v2-oauth2-auth-code-flow   [device] v2-oauth2-device-code   [errors] reference-error-codes   [refresh] refresh-tokens   [id-token] id-token-claims-reference

/** [code-flow] / [device] token responses: `"expires_in": 3599`. */
const ACCESS_TOKEN_TTL_S = 3599;
/** [refresh] "The default lifetime for the refresh tokens is 24 hours for single page apps and 90 days for all other scenarios." */
const REFRESH_TOKEN_TTL_S = 90 * 24 * 3600;
const ID_TOKEN_TTL_S = 3600;

/** Issues Entra's tokens and answers refresh requests. */
export class EntraTokens {
  readonly #context: EmulatorContext;
  readonly #errors: EntraErrors;
  readonly #key: SigningKey;

  constructor(context: EmulatorContext, errors: EntraErrors, key: SigningKey) {
    this.#context = context;
    this.#errors = errors;
    this.#key = key;
  }

  /** A `refresh_token` grant: Entra's answers to dead grants and to MFA and consent demands, or new tokens (rotated). */
  refresh(call: EmulatedCall, params: URLSearchParams, client: EmulatorClient, tenant: Tenant): void {
    const found = this.#context.grants.refreshToken(params.get('refresh_token') ?? '');
    if (!found || !found.grant || found.grant.clientId !== client.clientId) return this.#errors.send(call, 400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
    const grant = found.grant;
    if (grant.dead === 'inactive' || (found.token.expiresAt ?? Infinity) <= this.#context.settings.now()) {
      // [errors] AADSTS700082 ExpiredOrRevokedGrantInactiveToken: "The refresh token has expired due to inactivity. The token
      // was issued on {issueDate} and was inactive for {time}."
      return this.#errors.send(call, 400, 'invalid_grant', 700082, 'The refresh token has expired due to inactivity. The token was issued on 2025-01-06T09:15:00.0000000Z and was inactive for 90.00:00:00.');
    }
    if (grant.dead === 'revoked') {
      // [errors] AADSTS50173 (FreshTokenNeeded, MicrosoftDocs/azure-docs#70777); wording from the capture quoted in
      // abraunegg/onedrive's docs: "The provided grant has expired due to it being revoked, a fresh auth token is needed."
      return this.#errors.send(call, 400, 'invalid_grant', 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '2025-01-06T09:15:00.0000000Z' and the TokensValidFrom date (before which tokens are not valid) for this user is '2025-01-07T10:00:00.0000000Z'.");
    }
    if (grant.mfaRequired) {
      // [code-flow]'s table lists interaction_required for "another authentication step is required", but captures of a
      // refresh under a new MFA policy (microsoftgraph/microsoft-graph-docs#6311, RogerSelwyn/O365-HomeAssistant#113) show
      // error invalid_grant with suberror basic_action. Follows the captures.
      return this.#errors.send(call, 400, 'invalid_grant', 50076, `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${GRAPH_APP_ID}'.`, { suberror: 'basic_action' });
    }
    if (grant.consentRequired) {
      // [code-flow]'s table lists consent_required; the capture (MicrosoftDocs/azure-docs#39189) shows error invalid_grant
      // with suberror consent_required and AADSTS65001. Follows the capture.
      return this.#errors.send(call, 400, 'invalid_grant', 65001, `The user or administrator has not consented to use the application with ID '${client.clientId}' named '${client.clientId}'. Send an interactive authorization request for this user and resource.`, { suberror: 'consent_required' });
    }
    // [code-flow] refresh: "The scopes requested in this leg must be equivalent to or a subset of the scopes requested in the
    // original authorization_code request leg"; without a scope parameter the original ones.
    const asked = params.get('scope');
    let scopes = found.token.scopes.length ? parseStored(found.token.scopes) : { graph: [], oidc: [] };
    if (asked?.trim()) {
      const parsed = parseScopes(asked);
      if ('invalid' in parsed) return this.#errors.send(call, 400, 'invalid_scope', 70011, invalidScope(parsed.invalid));
      const granted = new Set(found.token.scopes);
      const beyond = parsed.graph.find((s) => !granted.has(s));
      // [code-flow]'s consent_required: "Returned when a scope parameter was used on the code redemption flow that the client
      // app doesn't have permission to request" (same capture shape as above).
      if (beyond) return this.#errors.send(call, 400, 'invalid_grant', 65001, `The user or administrator has not consented to use the application with ID '${client.clientId}' named '${client.clientId}'. Send an interactive authorization request for this user and resource.`, { suberror: 'consent_required' });
      scopes = { graph: parsed.graph, oidc: [...new Set([...parsed.oidc, ...(scopes.oidc.includes('offline_access') ? ['offline_access'] : [])])] };
    }
    this.issue(call, client, grant, tenant.kind === 'consumers' ? CONSUMER_TENANT_ID : SANDBOX_ENTRA_TENANT_ID, scopes, null);
  }

  /** Issues a Graph access token (a JWT), a refresh token with `offline_access`, an ID token with `openid`. */
  issue(call: EmulatedCall, client: EmulatorClient, grant: Grant, tid: string, scopes: ParsedScopes, nonce: string | null): void {
    const now = this.#context.settings.now();
    const ttl = this.#context.settings.accessTokenTtlSeconds ?? ACCESS_TOKEN_TTL_S;
    // [device] example response: "scope": "User.Read profile openid email" for a request of user.read openid profile; the
    // capture at learn.microsoft.com/en-us/answers/questions/806413 shows the same echo for "User.Read offline_access":
    // Graph permissions in Graph's spelling, then "profile openid email", and never offline_access.
    const echoed = [...scopes.graph, 'profile', 'openid', 'email'].join(' ');
    const account = grant.account;
    const iat = Math.floor(now / 1000);
    // Access tokens for Graph are JWTs (v1.0 Graph tokens); clients must not read them ([code-flow] note on access tokens).
    const accessToken = this.#key.sign({
      aud: GRAPH_APP_ID,
      iss: `https://sts.windows.net/${tid}/`,
      iat,
      nbf: iat,
      exp: iat + ttl,
      appid: client.clientId,
      name: account,
      oid: entraObjectId(account),
      scp: echoed,
      tid,
      upn: userPrincipalName(account),
      uti: randomString(22),
      ver: '1.0',
    });
    // Entra's access tokens are self-contained: a revoked grant does not stop them before they expire ([refresh] "Token revocation").
    this.#context.grants.addAccess({ token: accessToken, grantId: grant.id, scopes: [...scopes.graph, ...scopes.oidc], expiresAt: now + ttl * 1000 });
    // [code-flow] refresh_token: "Only provided if offline_access scope was requested."; [refresh] 90 days; a new one on each
    // refresh ("Refresh tokens aren't revoked when used to acquire new access tokens. You're expected to discard the old
    // refresh token.") while the old stays valid.
    const refresh = scopes.oidc.includes('offline_access')
      ? this.#context.grants.addRefresh({ token: `${tid === CONSUMER_TENANT_ID ? 'M.C5' : '0.A'}${randomString(200)}`, grantId: grant.id, scopes: [...scopes.graph, ...scopes.oidc], expiresAt: now + REFRESH_TOKEN_TTL_S * 1000 })
      : undefined;
    // [device] "Successful authentication response" (token_type, scope, expires_in, access_token, refresh_token, id_token);
    // id_token "Issued if the original scope parameter included the openid scope".
    sendJson(call.res, 200, {
      token_type: 'Bearer',
      scope: echoed,
      expires_in: ttl,
      access_token: accessToken,
      ...(refresh ? { refresh_token: refresh.token } : {}),
      ...(scopes.oidc.includes('openid') ? { id_token: this.#idToken(client, account, tid, scopes, nonce) } : {}),
    });
  }

  #idToken(client: EmulatorClient, account: string, tid: string, scopes: ParsedScopes, nonce: string | null): string {
    const iat = Math.floor(this.#context.settings.now() / 1000);
    // [id-token] v2.0 claims: aud, iss (https://login.microsoftonline.com/{tid}/v2.0), iat, nbf, exp, name, oid,
    // preferred_username, sub, tid, ver "2.0", nonce; email with the email scope.
    return this.#key.sign({
      aud: client.clientId,
      iss: `https://login.microsoftonline.com/${tid}/v2.0`,
      iat,
      nbf: iat,
      exp: iat + ID_TOKEN_TTL_S,
      ...(scopes.oidc.includes('profile') ? { name: account } : {}),
      ...(nonce ? { nonce } : {}),
      oid: entraObjectId(account),
      preferred_username: userPrincipalName(account),
      ...(scopes.oidc.includes('email') ? { email: userPrincipalName(account) } : {}),
      sub: entraObjectId(`${client.clientId}:${account}`).replace(/-/g, '').slice(0, 43),
      tid,
      uti: randomString(22),
      ver: '2.0',
    });
  }
}
