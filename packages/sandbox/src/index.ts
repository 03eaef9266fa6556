/**
 * `@opperator/sandbox`: a local OAuth 2.0 / OpenID authorization server on
 * 127.0.0.1, so every flow can be tried with no account anywhere.
 *
 * @packageDocumentation
 */
export {
  startAuthorizationServer,
  defaultSandboxClients,
  SANDBOX_HOST,
  SANDBOX_DEFAULT_PORT,
  SANDBOX_REDIRECT_URI,
  SANDBOX_SCOPES,
  type AuthorizationServerOptions,
  type RunningAuthorizationServer,
  type SandboxClient,
} from './authorization-server.js';
export { DEMO_API_PREFIX, DEMO_API_SCOPE } from './demo-api.js';
export { GITHUB_API_PREFIX, GITHUB_NOTIFICATIONS_SCOPE } from './github-api.js';
export { REVOKE_GRANTS_PATH, type RevokeGrantsOptions } from './admin-api.js';
export { JsonFileStore, STORE_WRITE_DELAY_MS, type JsonFileStoreOptions } from './json-file-adapter.js';
export { emulatedUrl, realUrl, EMULATE_PATH_PREFIX } from './emulators/emulated-url.js';
export { EMULATED_PROVIDERS, type EmulatedProvider } from './emulators/emulator-types.js';
export { ProviderEmulator } from './emulators/provider-emulator.js';
export type { FailNextOptions } from './emulators/fault-injection.js';
export type { AccountSelector } from './emulators/grant-book.js';
export { parseEmulatedProviders, UnknownEmulatorError, type Emulators } from './emulators/emulators.js';
export { EMULATOR_ADMIN_PREFIX } from './emulators/emulator-admin-api.js';
export { GithubEmulator } from './emulators/github-emulator.js';
export { isGithubAppClientId } from './emulators/github-apps.js';
export { GoogleEmulator } from './emulators/google-emulator.js';
export { MicrosoftEmulator } from './emulators/microsoft-emulator.js';
export { SANDBOX_ENTRA_TENANT_ID, SANDBOX_ENTRA_TENANT_DOMAIN } from './emulators/microsoft-directory.js';
