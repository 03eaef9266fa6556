import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { sendJson } from './access-token-check.js';
import type { JsonFileStore } from './json-file-adapter.js';
import { readBody } from './read-body.js';

/** `POST` here (admin token as bearer) revokes grants, like a provider's "connected apps" page. */
export const REVOKE_GRANTS_PATH = '/sandbox/revoke-grants';

/** Largest request body read by the admin API. */
const MAX_BODY_BYTES = 4 * 1024;

/** Options of {@link revokeGrants}. */
export interface RevokeGrantsOptions {
  /** Only this account's grants (the login name, `<login>@sandbox.test`); default every account's. */
  account?: string;
}

/**
 * Destroys grants and every token issued under them (access and refresh
 * tokens, pending codes), as a user removing an app from a provider's
 * "connected apps" page does: the app's refresh token answers
 * `invalid_grant` from then on and its access tokens are refused by the demo
 * APIs. Browser sessions stay signed in; the next sign-in asks for consent
 * again. Returns how many grants went.
 *
 * @example
 * ```ts
 * const revoked = await revokeGrants(provider, store, { account: 'alice' });
 * ```
 */
export async function revokeGrants(provider: Provider, store: JsonFileStore, options: RevokeGrantsOptions = {}): Promise<number> {
  const grantIds = store
    .list('Grant')
    .filter(([, grant]) => options.account === undefined || grant.accountId === options.account)
    .map(([id]) => id);
  for (const grantId of grantIds) {
    // The same models oidc-provider's own revocation walks (helpers/revoke.js), each by its adapter's revokeByGrantId.
    await Promise.all([
      provider.AccessToken.revokeByGrantId(grantId),
      provider.RefreshToken.revokeByGrantId(grantId),
      provider.AuthorizationCode.revokeByGrantId(grantId),
      provider.DeviceCode.revokeByGrantId(grantId),
      provider.BackchannelAuthenticationRequest.revokeByGrantId(grantId),
    ]);
    await provider.Grant.adapter.destroy(grantId);
  }
  return grantIds.length;
}

/**
 * Serves `POST /sandbox/revoke-grants` (optional JSON body `{ "account": "..." }`,
 * `Authorization: Bearer <adminToken>`), answering `{ "revoked": <n> }`;
 * returns false for other paths. A wrong or missing admin token gets 401.
 *
 * @example
 * ```ts
 * if (await handleAdminApi(req, res, { adminToken, revoke: (o) => revokeGrants(provider, store, o) })) return;
 * ```
 */
export async function handleAdminApi(req: IncomingMessage, res: ServerResponse, options: { adminToken: string; revoke: (options: RevokeGrantsOptions) => Promise<number> }): Promise<boolean> {
  const { pathname } = new URL(req.url ?? '/', 'http://sandbox');
  if (pathname !== REVOKE_GRANTS_PATH) return false;
  if (req.method !== 'POST') {
    sendJson(res, 405, { error: 'method_not_allowed', error_description: 'Use POST.' }, { Allow: 'POST' });
    return true;
  }
  if (!bearerMatches(req.headers.authorization, options.adminToken)) {
    sendJson(res, 401, { error: 'invalid_token', error_description: 'The sandbox admin token is missing or wrong (see state/sandbox.json).' }, { 'WWW-Authenticate': 'Bearer realm="sandbox-admin"' });
    return true;
  }
  let body: unknown;
  try {
    const text = await readBody(req, MAX_BODY_BYTES);
    body = text.trim() ? JSON.parse(text) : {};
  } catch (err) {
    sendJson(res, 400, { error: 'invalid_request', error_description: `The body is not JSON: ${err instanceof Error ? err.message : String(err)}` });
    return true;
  }
  const account = body && typeof body === 'object' ? (body as { account?: unknown }).account : undefined;
  if (account !== undefined && (typeof account !== 'string' || !account)) {
    sendJson(res, 400, { error: 'invalid_request', error_description: '"account" must be a non-empty string.' });
    return true;
  }
  const revoked = await options.revoke(account === undefined ? {} : { account });
  sendJson(res, 200, { revoked });
  return true;
}

/**
 * Constant-time comparison of the bearer token with the admin token (hashed first, so lengths do not leak).
 *
 * @example
 * ```ts
 * if (!bearerMatches(req.headers.authorization, adminToken)) return refuse();
 * ```
 */
export function bearerMatches(header: string | undefined, adminToken: string): boolean {
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  if (!presented) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(adminToken));
}
