import { createHash, randomBytes } from 'node:crypto';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A random string of `length` characters from `alphabet` (default base62).
 *
 * @example
 * ```ts
 * `gho_${randomString(36)}`;
 * ```
 */
export function randomString(length: number, alphabet: string = BASE62): string {
  // Rejection sampling keeps the characters uniform.
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < limit) out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/**
 * A stable number in `[0, modulo)` from a string, for ids derived from a
 * login name (so a user keeps their id across sign-ins and restarts).
 *
 * @example
 * ```ts
 * stableNumber('github:alice', 100_000_000);
 * ```
 */
export function stableNumber(value: string, modulo: number): number {
  return createHash('sha256').update(value).digest().readUInt32BE(0) % modulo;
}

/**
 * A stable UUID-shaped id from a string (Entra object ids).
 *
 * @example
 * ```ts
 * stableGuid('entra:alice'); // the same GUID on every run
 * ```
 */
export function stableGuid(value: string): string {
  const hex = createHash('sha256').update(value).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}