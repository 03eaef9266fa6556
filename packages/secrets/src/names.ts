import { SecretStoreError } from './errors.js';

/** Longest allowed secret name. */
export const SECRET_NAME_MAX_LENGTH = 128;

const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

/** What a secret name may contain, for messages. */
export const SECRET_NAME_RULE = `letters, digits, "_", "." and "-", at most ${SECRET_NAME_MAX_LENGTH} characters`;

/**
 * Throws `SECRET_INVALID_NAME` unless `name` is 1-128 characters of letters,
 * digits, `_`, `.` and `-`.
 *
 * @example
 * ```ts
 * assertSecretName('gmail_client_id'); // ok
 * assertSecretName('my secret');       // throws
 * ```
 */
export function assertSecretName(name: string): void {
  if (name.length === 0 || name.length > SECRET_NAME_MAX_LENGTH || !NAME_PATTERN.test(name)) {
    const shown = name.length > 40 ? `${JSON.stringify(name.slice(0, 40))}...` : JSON.stringify(name);
    throw new SecretStoreError('SECRET_INVALID_NAME', `${shown} is not a valid secret name: use ${SECRET_NAME_RULE}.`);
  }
}
