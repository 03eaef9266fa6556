import { randomUUID } from 'node:crypto';
import { sendJson } from '../access-token-check.js';
import { bearerToken } from './emulator-http.js';
import type { EmulatedCall, EmulatorContext } from './emulator-types.js';
import type { Grant } from './grant-book.js';
import { GRAPH_APP_ID, entraObjectId, userPrincipalName } from './microsoft-directory.js';
import { ME_SCOPES } from './microsoft-scopes.js';

// Microsoft Graph as agents use it (/v1.0/me, /oidc/userinfo), with Graph's error shape.
// Sources, cited next to each behaviour below (under https://learn.microsoft.com/en-us/entra/identity-platform/):
// [userinfo] userinfo
// [graph-me] https://learn.microsoft.com/en-us/graph/api/user-get
// [graph-errors] https://learn.microsoft.com/en-us/graph/errors

/** Microsoft Graph's `/v1.0/me` and `/oidc/userinfo`, taking Entra's self-contained access tokens. */
export class GraphApi {
  readonly #context: EmulatorContext;

  constructor(context: EmulatorContext) {
    this.#context = context;
  }

  /** `GET /v1.0/me`. */
  me(call: EmulatedCall): void {
    const auth = this.#graphAuth(call);
    if (!auth) return;
    // [graph-me] Permissions: User.Read (least privileged) and up; [graph-errors] 403 Authorization_RequestDenied.
    if (!auth.scopes.some((s) => ME_SCOPES.includes(s))) return this.#graphError(call, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    const account = auth.grant.account;
    // [graph-me] "Response" example for GET /me (v1.0 default properties).
    sendJson(call.res, 200, {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity',
      businessPhones: [],
      displayName: account,
      givenName: account,
      jobTitle: null,
      mail: userPrincipalName(account),
      mobilePhone: null,
      officeLocation: null,
      preferredLanguage: null,
      surname: 'Sandbox',
      userPrincipalName: userPrincipalName(account),
      id: entraObjectId(account),
    });
  }

  /** `GET /oidc/userinfo`. */
  userinfo(call: EmulatedCall): void {
    const auth = this.#graphAuth(call);
    if (!auth) return;
    const account = auth.grant.account;
    // [userinfo] "Sample response": sub, name, family_name, given_name, picture, email (email with the email scope).
    sendJson(call.res, 200, {
      sub: entraObjectId(`userinfo:${account}`).replace(/-/g, ''),
      name: account,
      family_name: 'Sandbox',
      given_name: account,
      picture: 'https://graph.microsoft.com/v1.0/me/photo/$value',
      ...(auth.scopes.includes('email') ? { email: userPrincipalName(account) } : {}),
    });
  }

  /** [graph-errors] The Graph error shape with its innerError (date, request-id, client-request-id), as captured below. */
  #graphError(call: EmulatedCall, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
    const requestId = randomUUID();
    const date = new Date(this.#context.settings.now()).toISOString().replace(/\.\d+Z$/, '');
    sendJson(call.res, status, { error: { code, message, innerError: { date, 'request-id': requestId, 'client-request-id': requestId } } }, { 'request-id': requestId, 'client-request-id': requestId, ...headers });
  }

  #graphAuth(call: EmulatedCall): { grant: Grant; scopes: string[] } | undefined {
    // Capture (microsofthackathons/tdi#24): Graph's 401 carries this WWW-Authenticate header (the real authorization_uri).
    const challenge = { 'WWW-Authenticate': `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"` };
    const presented = bearerToken(call.req);
    if (!presented) {
      this.#graphError(call, 401, 'InvalidAuthenticationToken', 'Access token is empty.', challenge);
      return undefined;
    }
    if (presented.split('.').length !== 3) {
      // Graph's message for a bearer token that is not a JWT (IDX14100).
      this.#graphError(call, 401, 'InvalidAuthenticationToken', "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'.", challenge);
      return undefined;
    }
    const found = this.#context.grants.usableAccess(presented, { survivesRevocation: true });
    if (!found) {
      // Captures (besscroft/diyfile#1, microsofthackathons/tdi#24): 401 InvalidAuthenticationToken "Access token has expired or
      // is not yet valid." with innerError {date, request-id, client-request-id}.
      this.#graphError(call, 401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.', challenge);
      return undefined;
    }
    return { grant: found.grant, scopes: found.token.scopes };
  }
}
