/**
 * `@opperator/oauth`: a standalone OAuth 2.0 client toolkit for Node programs
 * and Opperator agents. Protocol mechanics come from openid-client; this
 * package adds the loopback receiver, token stores and provider presets.
 *
 * @packageDocumentation
 */
export { OAuthClient, ACCESS_TOKEN_EXPIRY_MARGIN_MS, type OAuthClientOptions, type AuthorizeOptions } from './oauth-client.js';
export { DEFAULT_AUTHORIZE_TIMEOUT_MS, type AuthorizeProgressEvent } from './loopback-flow.js';
export { LOOPBACK_HOST, type PortOption, type PortRange, type RejectedCallbackReason } from './loopback-receiver.js';
export { createBrowserOpener, defaultOpenBrowser, BROWSER_OPENER_GRACE_MS, type OpenBrowser, type BrowserOpenerOptions } from './browser-opener.js';
export { providers, isLoopbackUrl, DEFAULT_CALLBACK_PATH, type OAuthProvider, type AuthorizationServerMetadata, type ClientSecretMethod, type MicrosoftProviderOptions } from './provider.js';
export { discoverProvider, DISCOVERY_TIMEOUT_MS, type DiscoverProviderOptions } from './discover-provider.js';
export { TokenSet, redactTokens, type StoredTokens } from './token-set.js';
export { MemoryTokenStore, type TokenStore } from './token-store.js';
export { FileTokenStore, TOKEN_FILE_VERSION, readPermissionBits } from './file-token-store.js';
export { OAuthError, isOAuthError, type OAuthErrorCode, type OAuthErrorOptions } from './errors.js';
