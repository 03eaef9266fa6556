import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Random bytes in a bearer token: 256 bits, as base64url (43 characters). */
export const BEARER_TOKEN_BYTES = 32;

/**
 * A fresh bearer token for one run of `opperator mcp --http`.
 *
 * @example
 * ```ts
 * const token = newBearerToken(); // 'kq3…' (43 base64url characters)
 * ```
 */
export function newBearerToken(): string {
  return randomBytes(BEARER_TOKEN_BYTES).toString('base64url');
}

/**
 * Whether the `Authorization` header carries `Bearer <token>`. Compared in
 * constant time: both sides are hashed first, so neither the token's
 * characters nor its length leak through how long a refusal takes.
 *
 * @example
 * ```ts
 * hasBearerToken(req.headers.authorization, token); // true or false
 * ```
 */
export function hasBearerToken(header: string | undefined, token: string): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  const given = match?.[1] ?? '';
  // Hashed even when absent, so a missing header takes as long as a wrong one.
  const same = timingSafeEqual(sha256(given), sha256(token));
  return same && given.length > 0;
}

/**
 * Why a request's `Host` or `Origin` is refused, or undefined when both are
 * this server's own: against DNS rebinding, a web page whose name was made to
 * resolve to 127.0.0.1 sends its own name as Host and Origin, and is refused
 * before the token is even looked at. Only `127.0.0.1:PORT` and
 * `localhost:PORT` are ours; a request without Origin (any non-browser
 * client) is fine.
 *
 * @example
 * ```ts
 * foreignOrigin({ host: 'evil.example:7420' }, 7420); // 'Host "evil.example:7420" is not this server (127.0.0.1:7420 or localhost:7420).'
 * ```
 */
export function foreignOrigin(headers: IncomingHttpHeaders, port: number): string | undefined {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const host = headers.host?.toLowerCase();
  if (host === undefined || !hosts.includes(host)) return `Host ${JSON.stringify(headers.host ?? '')} is not this server (${hosts.join(' or ')}).`;
  const origin = headers.origin;
  if (origin !== undefined && !hosts.some((allowed) => origin.toLowerCase() === `http://${allowed}`)) return `Origin ${JSON.stringify(origin)} may not use this server.`;
  return undefined;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
