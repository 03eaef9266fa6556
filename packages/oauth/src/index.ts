/**
 * `@opperator/oauth`: a standalone OAuth 2.0 client toolkit for Node programs
 * and Opperator agents. Protocol mechanics come from openid-client; this
 * package adds the loopback receiver, token stores and provider presets.
 *
 * @packageDocumentation
 */
export { OAuthClient, type OAuthClientOptions, type AuthorizeOptions } from './oauth-client.js';
export type { OAuthClientEventMap, OAuthClientEventName, TokenSource } from './client-events.js';
export { describeStatus, REFRESH_TOKEN_WARNING_MS, type OAuthStatus } from './client-status.js';
export { DEFAULT_REFRESH_SKEW_MS, SHORT_LIVED_REFRESH_FRACTION, refreshDueAt, tokenState, type TokenState } from './token-timing.js';
export { DEFAULT_REFRESH_RETRY, MAX_RETRY_AFTER_WAIT_MS, backoffMs, type RefreshRetryPolicy } from './refresh-coordinator.js';
export { KEEP_FRESH_IDLE_MS, KEEP_FRESH_RETRY_MS, KEEP_FRESH_MAX_JITTER_MS, KEEP_FRESH_MAX_RETRY_AFTER_MS } from './keep-fresh.js';
export type { RevocationResult } from './revocation.js';
export { DEFAULT_AUTHORIZE_TIMEOUT_MS, type AuthorizeProgressEvent } from './loopback-flow.js';
export { runDeviceFlow, type DeviceUserCode, type DeviceFlowSettings } from './device-flow.js';
export { LOOPBACK_HOST, type PortOption, type PortRange, type RejectedCallbackReason } from './loopback-receiver.js';
export { deliverPastedAddress, pastedCallbackUrl, MAX_PASTED_ADDRESS_LENGTH, PASTE_DELIVERY_TIMEOUT_MS, type PasteOutcome } from './paste-back.js';
export { createBrowserOpener, defaultOpenBrowser, canOpenBrowser, BROWSER_OPENER_GRACE_MS, type OpenBrowser, type BrowserOpenerOptions } from './browser-opener.js';
export { isLoopbackUrl, DEFAULT_CALLBACK_PATH, type OAuthProvider, type AuthorizationServerMetadata, type ClientSecretMethod, type RefreshTokenLifetimeHint, type AccountApi, type ProviderRegistration } from './provider.js';
export { providers, presetProvider, PRESET_PROVIDER_NAMES, type PresetProviderName, type MicrosoftProviderOptions } from './providers/index.js';
export type { ProviderQuirks, StandardErrorCode } from './provider-quirks.js';
export { adaptProviderFetch, PROVIDER_ERROR_FIELD } from './provider-fetch.js';
export { isScopeGranted, missingScopes, scopesRefusedByDeviceFlow } from './scope-match.js';
export { retryAfterMs } from './retry-after.js';
export { emulateProvider, emulatedUrl, EMULATOR_PATH_PREFIX } from './emulation.js';
export { discoverProvider, DISCOVERY_TIMEOUT_MS, type DiscoverProviderOptions } from './discover-provider.js';
export { TokenSet, redactTokens, type StoredTokens } from './token-set.js';
export { MemoryTokenStore, type TokenStore, type StoreLockOptions } from './token-store.js';
export { openTokenStore, redactStoreLocation, registerTokenStorePackage, TOKEN_STORE_PACKAGES, type OpenTokenStoreOptions, type TokenStorePackage } from './open-token-store.js';
export { TOKEN_RECORD_VERSION, decodeTokenRecord, encodeTokenRecord, type DecodedTokenRecord } from './token-record.js';
export { FileTokenStore, TOKEN_FILE_VERSION, STALE_TEMP_FILE_MS, readPermissionBits, type FileTokenStoreOptions } from './file-token-store.js';
export { DEFAULT_LOCK_STALE_MS, LOCK_WAIT_TIMEOUT_MS } from './file-lock.js';
export { OAuthError, ReauthorizationRequiredError, isOAuthError, type OAuthErrorCode, type OAuthErrorOptions } from './errors.js';
