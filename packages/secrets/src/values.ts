import { SecretStoreError } from './errors.js';

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What a secret value may be, said where it is refused: UTF-8 text, not
 * empty. Binary data goes in encoded (base64 for instance).
 */
export const SECRET_VALUE_RULE = 'A secret value must be UTF-8 text without NUL characters; store binary data encoded, e.g. `base64 -w0 FILE | opperator secret set NAME`';

/**
 * Throws `SECRET_EMPTY_VALUE` for an empty value and `SECRET_INVALID_VALUE`
 * for one that is not UTF-8 text: a NUL character (C APIs such as the
 * Secret Service's would cut it there), an unpaired surrogate (it has no
 * UTF-8 form), or U+FFFD, which is what bytes that were not UTF-8 become
 * when read as text (Node does this to command-line arguments and terminal
 * input before opperator sees them), so storing it would silently store
 * something else than what was given. Everything else is kept exactly,
 * line breaks and surrounding white space included. Messages name the
 * secret, never the value.
 *
 * @example
 * ```ts
 * assertSecretValue('api_key', 'abc\u0000'); // throws SecretStoreError SECRET_INVALID_VALUE
 * assertSecretValue('api_key', '-----BEGIN KEY-----\n…'); // fine
 * ```
 */
export function assertSecretValue(name: string, value: string): void {
  if (value.length === 0) throw new SecretStoreError('SECRET_EMPTY_VALUE', `The value for ${name} is empty; give a non-empty value.`);
  if (value.includes('\u0000')) throw new SecretStoreError('SECRET_INVALID_VALUE', `The value for ${name} contains a NUL character, so it was not stored. ${SECRET_VALUE_RULE}.`);
  if (value.includes('\uFFFD') || UNPAIRED_SURROGATE.test(value)) {
    throw new SecretStoreError('SECRET_INVALID_VALUE', `The value for ${name} is not UTF-8 text (it held bytes that are not UTF-8, shown as U+FFFD), so it was not stored. ${SECRET_VALUE_RULE}.`);
  }
}
