import { createHash } from 'node:crypto';

// The OAuth rules the three providers share: PKCE (RFC 7636), loopback redirect hosts (RFC 8252), the device grant (RFC 8628).

/** The grant type of the device flow (RFC 8628 §3.4). */
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * Whether `verifier` answers the PKCE `challenge` (RFC 7636 §4.6) with `method`.
 *
 * @example
 * ```ts
 * if (!pkceMatches(code.challenge, code.method, params.get('code_verifier'))) return badCode();
 * ```
 */
export function pkceMatches(challenge: string, method: 'S256' | 'plain', verifier: string | null): boolean {
  if (!verifier) return false;
  const computed = method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return computed === challenge;
}

/**
 * Loopback hosts of RFC 8252 §7.3 (and `localhost`, which the providers also accept).
 *
 * @example
 * ```ts
 * isLoopbackHost(new URL('http://[::1]:5000/cb').hostname); // true
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === '[::1]' || hostname === 'localhost';
}