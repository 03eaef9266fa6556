import type { ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';

/** Why a request's bearer token was refused, in RFC 6750 §3.1 terms. */
export type AccessTokenRefusal = { error: 'invalid_token' | 'insufficient_scope'; description: string };

/** The outcome of {@link checkAccessToken}: the account the token speaks for, or why it was refused. */
export type AccessTokenCheck = { accountId: string; scopes: string[] } | AccessTokenRefusal;

/**
 * Checks an `Authorization: Bearer` header the way a resource server would,
 * asking oidc-provider itself: the token must be an access token this server
 * issued, unexpired (`find` refuses expired ones), whose grant still exists
 * (so revoking a grant takes effect at once) and whose scope includes
 * `requiredScope` (when one is given). Every demo API of the sandbox goes through here.
 *
 * @example
 * ```ts
 * const check = await checkAccessToken(provider, req.headers.authorization, 'email');
 * if ('error' in check) return refuse(check);
 * ```
 */
export async function checkAccessToken(provider: Provider, header: string | undefined, requiredScope: string | undefined): Promise<AccessTokenCheck> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return { error: 'invalid_token', description: 'Missing bearer token' };
  const token = await provider.AccessToken.find(match[1] as string);
  if (!token || token.isExpired) return { error: 'invalid_token', description: 'The access token is invalid or expired' };
  if (token.grantId && !(await provider.Grant.find(token.grantId))) return { error: 'invalid_token', description: 'The grant was revoked' };
  const scopes = (token.scope ?? '').split(' ').filter(Boolean);
  if (requiredScope !== undefined && !scopes.includes(requiredScope)) return { error: 'insufficient_scope', description: `The access token lacks the "${requiredScope}" scope` };
  return { accountId: token.accountId, scopes };
}

/**
 * The RFC 6750 `WWW-Authenticate` value for a refusal; `scope` names what
 * was missing when the token lacked it.
 *
 * @example
 * ```ts
 * res.setHeader('WWW-Authenticate', bearerChallenge(refusal, 'email'));
 * ```
 */
export function bearerChallenge(refusal: AccessTokenRefusal, scope: string): string {
  const scopeParam = refusal.error === 'insufficient_scope' ? `, scope="${scope}"` : '';
  return `Bearer realm="sandbox", error="${refusal.error}", error_description="${refusal.description}"${scopeParam}`;
}

/**
 * Sends `body` as an uncached JSON response.
 *
 * @example
 * ```ts
 * sendJson(res, 404, { message: 'Not Found' });
 * ```
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}
