import type * as oidc from 'openid-client';
import { parseScopes, type StoredTokens } from './token-set.js';

/** A token endpoint response as openid-client returns it (with the `claims()` helper). */
export type TokenResponse = oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;

/** What a token response is merged with. */
export interface TokenResponseContext {
  issuer: string;
  clientId: string;
  /** Scopes asked for; stand in for an absent `scope` (RFC 6749 §5.1). */
  requestedScopes: readonly string[];
  now: number;
  /** The tokens being refreshed, whose refresh token, scopes and account carry over. */
  previous?: StoredTokens;
}

/**
 * Turns a token endpoint response (sign-in or refresh) into the record a
 * store keeps. On refresh, a response without a refresh token keeps the old
 * one, and a missing `scope` keeps the old grant.
 */
export function storedTokensFromResponse(response: TokenResponse, context: TokenResponseContext): StoredTokens {
  const { now, previous } = context;
  const granted = parseScopes(response.scope);
  const claims = response.claims();
  const account = claims ? firstString(claims.email, claims.preferred_username, claims.sub) : previous?.account;
  const rotated = response.refresh_token !== undefined && response.refresh_token !== previous?.refreshToken;
  const refreshToken = response.refresh_token ?? previous?.refreshToken;
  const refreshExpiresIn = (response as { refresh_token_expires_in?: unknown }).refresh_token_expires_in;
  const refreshTokenExpiresAt = typeof refreshExpiresIn === 'number' ? now + refreshExpiresIn * 1000 : rotated ? undefined : previous?.refreshTokenExpiresAt;
  const refreshTokenIssuedAt = rotated ? now : previous?.refreshTokenIssuedAt;
  const idToken = response.id_token ?? previous?.idToken;
  // A sign-in has no previous record; a refresh keeps the time of the sign-in that made the grant.
  const signedInAt = previous ? previous.signedInAt : now;
  return {
    issuer: context.issuer,
    clientId: context.clientId,
    tokenType: response.token_type,
    accessToken: response.access_token,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    ...(idToken === undefined ? {} : { idToken }),
    scopes: granted.length > 0 ? granted : previous ? [...previous.scopes] : [...context.requestedScopes],
    obtainedAt: now,
    ...(signedInAt === undefined ? {} : { signedInAt }),
    ...(typeof response.expires_in === 'number' ? { expiresAt: now + response.expires_in * 1000 } : {}),
    ...(refreshTokenExpiresAt === undefined ? {} : { refreshTokenExpiresAt }),
    ...(refreshTokenIssuedAt === undefined || refreshToken === undefined ? {} : { refreshTokenIssuedAt }),
    ...(account === undefined ? {} : { account }),
  };
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((v): v is string => typeof v === 'string' && v.length > 0);
}
