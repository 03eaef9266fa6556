import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendHtml } from '../interactions.js';
import { renderErrorPage } from '../pages.js';
import { readBody } from '../read-body.js';
import type { EmulatedCall } from './emulator-types.js';

/** Largest request body an emulator reads (token and form posts are small). */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * An error page of an emulator (unknown client, redirect URI not
 * registered: the cases where providers show the user a page instead of
 * redirecting back).
 *
 * @example
 * ```ts
 * sendErrorPage(res, 400, 'Error 400: redirect_uri_mismatch', [['error', 'redirect_uri_mismatch']], 'Emulated Google');
 * ```
 */
export function sendErrorPage(res: ServerResponse, status: number, title: string, details: Array<[string, string]>, tag: string, hint?: string): void {
  sendHtml(res, status, renderErrorPage(title, details, hint, { tag }));
}

/**
 * A 302 to `location`.
 *
 * @example
 * ```ts
 * redirect(call.res, withQuery(redirectUri, { code, state }));
 * ```
 */
export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { Location: location, 'Cache-Control': 'no-store', 'Content-Length': '0' });
  res.end();
}

/**
 * `base` with `params` appended to its query (keeping what it already has),
 * written as text so the app's redirect URI is kept character for character.
 *
 * @example
 * ```ts
 * withQuery('http://127.0.0.1:5999/callback', { code: 'c', state: 's' }); // 'http://127.0.0.1:5999/callback?code=c&state=s'
 * ```
 */
export function withQuery(base: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString();
  if (!query) return base;
  const hash = base.indexOf('#');
  const head = hash === -1 ? base : base.slice(0, hash);
  return `${head}${head.includes('?') ? '&' : '?'}${query}`;
}

/**
 * The parameters of a token-style request: the form (or JSON) body, after
 * the query string when `withQuery` (GitHub reads both).
 *
 * @example
 * ```ts
 * const params = await readParams(call, { withQuery: true });
 * ```
 */
export async function readParams(call: EmulatedCall, options: { withQuery?: boolean } = {}): Promise<URLSearchParams> {
  const params = new URLSearchParams(options.withQuery ? call.url.search : '');
  const text = await readBody(call.req, MAX_BODY_BYTES);
  if (!text.trim()) return params;
  const type = call.req.headers['content-type'] ?? '';
  if (/application\/json/i.test(type)) {
    try {
      const body = JSON.parse(text) as unknown;
      if (body && typeof body === 'object') {
        for (const [key, value] of Object.entries(body)) if (typeof value === 'string' || typeof value === 'number') params.set(key, String(value));
      }
    } catch (err) {
      // A body that is not JSON carries no parameters; the provider answers the missing ones.
      void err;
    }
    return params;
  }
  for (const [key, value] of new URLSearchParams(text)) params.set(key, value);
  return params;
}

/**
 * Client credentials from HTTP Basic (RFC 6749 §2.3.1: form-encoded id and secret).
 *
 * @example
 * ```ts
 * const clientId = params.get('client_id') ?? basicCredentials(call.req)?.clientId;
 * ```
 */
export function basicCredentials(req: IncomingMessage): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const unescape = (value: string) => {
    try {
      return decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      return value; // not form-encoded: taken as typed
    }
  };
  return { clientId: unescape(decoded.slice(0, colon)), clientSecret: unescape(decoded.slice(colon + 1)) };
}

/**
 * The bearer token of a request (`Bearer x`, or GitHub's `token x` with `schemes`).
 *
 * @example
 * ```ts
 * const presented = bearerToken(call.req, /^(Bearer|token)$/i);
 * ```
 */
export function bearerToken(req: IncomingMessage, schemes: RegExp = /^Bearer$/i): string | undefined {
  const match = /^(\S+)\s+(\S+)\s*$/.exec(req.headers.authorization ?? '');
  return match && schemes.test(match[1] as string) ? (match[2] as string) : undefined;
}

/**
 * A token request's parameters (see {@link readParams}) and the client's
 * credentials: from the parameters, else from HTTP Basic.
 *
 * @example
 * ```ts
 * const { params, clientId, secret } = await readTokenRequest(call);
 * ```
 */
export async function readTokenRequest(call: EmulatedCall, options: { withQuery?: boolean } = {}): Promise<{ params: URLSearchParams; clientId: string | null; secret: string | null }> {
  const params = await readParams(call, options);
  const basic = basicCredentials(call.req);
  return { params, clientId: params.get('client_id') ?? basic?.clientId ?? null, secret: params.get('client_secret') ?? basic?.clientSecret ?? null };
}
