import { createHash } from 'node:crypto';
import { sendJson } from '../access-token-check.js';
import { bearerToken } from './emulator-http.js';
import type { EmulatedCall, EmulatorClient, EmulatorContext } from './emulator-types.js';
import { SHORTHANDS } from './google-scopes.js';
import { SigningKey, atHash } from './jwt-signing.js';
import { DEVICE_GRANT } from './oauth-rules.js';

// Google's OpenID Connect side: discovery, signing keys, ID tokens, userinfo, and who a user is (sub, email).
// Sources, cited next to each behaviour below:
// [oidc] https://developers.google.com/identity/openid-connect/openid-connect (discovery, ID token, userinfo)

/** ID tokens last an hour ([oidc] "exp"). */
const ID_TOKEN_TTL_S = 3600;

/** Google's OpenID Connect endpoints and ID tokens, signed with one key per run. */
export class GoogleOpenId {
  readonly #context: EmulatorContext;
  readonly #key = SigningKey.generate();

  constructor(context: EmulatorContext) {
    this.#context = context;
  }

  /** `GET www.googleapis.com/oauth2/v3/certs`: the signing key. */
  jwks(call: EmulatedCall): void {
    sendJson(call.res, 200, { keys: [this.#key.jwk()] });
  }

  /** `GET accounts.google.com/.well-known/openid-configuration`. */
  discovery(call: EmulatedCall): void {
    // [oidc] "Discovery document" (https://accounts.google.com/.well-known/openid-configuration): its fields and the
    // provider's own URLs (a client routes them here). No authorization_response_iss_parameter_supported: Google sends no `iss` with the code.
    sendJson(call.res, 200, {
      issuer: 'https://accounts.google.com',
      authorization_endpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
      device_authorization_endpoint: 'https://oauth2.googleapis.com/device/code',
      token_endpoint: 'https://oauth2.googleapis.com/token',
      userinfo_endpoint: 'https://openidconnect.googleapis.com/v1/userinfo',
      revocation_endpoint: 'https://oauth2.googleapis.com/revoke',
      jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
      response_types_supported: ['code', 'token', 'id_token', 'code token', 'code id_token', 'token id_token', 'code token id_token', 'none'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'email', 'profile'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      claims_supported: ['aud', 'email', 'email_verified', 'exp', 'family_name', 'given_name', 'iat', 'iss', 'name', 'picture', 'sub'],
      code_challenge_methods_supported: ['plain', 'S256'],
      grant_types_supported: ['authorization_code', 'refresh_token', DEVICE_GRANT, 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
    });
  }

  /** A signed ID token. */
  idToken(client: EmulatorClient, account: string, scopes: string[], accessToken: string, nonce: string | null): string {
    const now = Math.floor(this.#context.settings.now() / 1000);
    // [oidc] "An ID token's payload": iss, azp, aud, sub, email/email_verified (email scope), at_hash, name/picture/given_name/
    // family_name (profile scope), nonce, iat, exp. iss is https://accounts.google.com, as from Google.
    return this.#key.sign({
      iss: 'https://accounts.google.com',
      azp: client.clientId,
      aud: client.clientId,
      sub: googleSub(account),
      ...(scopes.includes(SHORTHANDS.email as string) ? { email: googleEmail(account), email_verified: true } : {}),
      at_hash: atHash(accessToken),
      ...(nonce ? { nonce } : {}),
      ...(scopes.includes(SHORTHANDS.profile as string) ? profileClaims(account) : {}),
      iat: now,
      exp: now + ID_TOKEN_TTL_S,
    });
  }

  /** The userinfo endpoints (openidconnect.googleapis.com/v1/userinfo, www.googleapis.com/oauth2/v3/userinfo). */
  userinfo(call: EmulatedCall): void {
    const presented = bearerToken(call.req);
    const found = presented ? this.#context.grants.usableAccess(presented) : undefined;
    if (!found) {
      // Capture (coderello/laravel-passport-social-grant#22): 401 {"error": "invalid_request", "error_description":
      // "Invalid Credentials"} from the userinfo endpoint, in the OAuth shape (not the API one).
      return sendJson(call.res, 401, { error: 'invalid_request', error_description: 'Invalid Credentials' }, { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' });
    }
    const { account } = found.grant;
    const scopes = found.token.scopes;
    // [oidc] "Obtaining user profile information": the claims of the ID token, by scope.
    sendJson(call.res, 200, {
      sub: googleSub(account),
      ...(scopes.includes(SHORTHANDS.profile as string) ? profileClaims(account) : {}),
      ...(scopes.includes(SHORTHANDS.email as string) ? { email: googleEmail(account), email_verified: true } : {}),
    });
  }
}

/** Google's `sub` is a 21-digit number, stable per account. */
function googleSub(account: string): string {
  const hash = createHash('sha256').update(`google:${account}`).digest();
  return `1${[...hash.subarray(0, 20)].map((b) => String(b % 10)).join('')}`;
}

/**
 * The address of a user of the emulated Google: the account name when it is one, else `<name>@sandbox.test`.
 *
 * @example
 * ```ts
 * googleEmail('alice'); // 'alice@sandbox.test'
 * ```
 */
export function googleEmail(account: string): string {
  return account.includes('@') ? account : `${account}@sandbox.test`;
}

function profileClaims(account: string): Record<string, string> {
  const name = account.split('@')[0] as string;
  return { name, picture: `https://lh3.googleusercontent.com/a/${googleSub(account)}=s96-c`, given_name: name, family_name: 'Sandbox' };
}
