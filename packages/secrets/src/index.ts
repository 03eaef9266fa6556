/**
 * `@opperator/secrets`: named secrets in the OS keyring, with an honest file
 * fallback and a registry of names. Used by the CLI now and by the daemon to
 * serve agents. Reads no environment: callers pass what they read.
 *
 * @packageDocumentation
 */
export { SecretStore, type SecretStoreOptions, type SecretStoreMode, type SetMode, type FileFallbackNotice, type SecretBackendStatus } from './secret-store.js';
export { SecretStoreError, type SecretErrorCode } from './errors.js';
export { assertSecretName, SECRET_NAME_MAX_LENGTH, SECRET_NAME_RULE } from './names.js';
export { assertSecretValue, SECRET_VALUE_RULE } from './values.js';
export { KEYRING_SERVICE, KEYRING_PROBE_TIMEOUT_MS, KEYRING_OPERATION_TIMEOUT_MS, keyringFix, classifyKeyringError, type KeyringAvailability, type KeyringUnavailableReason } from './keyring-backend.js';
export type { SecretRecord, SecretBackendKind } from './registry.js';
