/** Stable codes of {@link SecretStoreError}. */
export type SecretErrorCode =
  /** The name has characters or a length that are not allowed. */
  | 'SECRET_INVALID_NAME'
  /** An empty value was given. */
  | 'SECRET_EMPTY_VALUE'
  /** The value is not UTF-8 text: a NUL character, an unpaired surrogate, or U+FFFD standing for bytes that were not UTF-8. */
  | 'SECRET_INVALID_VALUE'
  /** No secret of that name is known. */
  | 'SECRET_NOT_FOUND'
  /** The secret is registered but its value is gone (deleted outside opperator). */
  | 'SECRET_VALUE_MISSING'
  /** `create` of a name that exists. */
  | 'SECRET_EXISTS'
  /** The keyring was required (OPPERATOR_SECRET_STORE=keyring) but cannot be used. */
  | 'SECRET_KEYRING_UNAVAILABLE'
  /** The keyring answered with an error. */
  | 'SECRET_KEYRING_FAILED'
  /** The secrets directory or file could not be read or written. */
  | 'SECRET_STORE_IO';

/**
 * The error of `@opperator/secrets`. Messages name the secret and the command
 * that fixes the problem; they never contain a secret value.
 *
 * @example
 * ```ts
 * try { await store.get('gmail_client_id'); }
 * catch (err) { if (err instanceof SecretStoreError && err.code === 'SECRET_NOT_FOUND') console.error(err.message); }
 * ```
 */
export class SecretStoreError extends Error {
  readonly code: SecretErrorCode;

  constructor(code: SecretErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretStoreError';
    this.code = code;
  }
}
