import type { OAuthProvider } from '../provider.js';

/**
 * The local sandbox of `opperator sandbox start` on its default port
 * (SANDBOX_DEFAULT_PORT of @opperator/sandbox; repeated here so this package
 * does not depend on the server). No static metadata: its endpoints are
 * discovered on first use, over loopback http. It follows the RFCs: no quirks.
 */
export const sandbox: OAuthProvider = Object.freeze<OAuthProvider>({
  name: 'sandbox',
  label: 'the sandbox',
  issuer: 'http://127.0.0.1:9440',
  defaultScopes: ['openid', 'email', 'offline_access'],
  // oidc-provider issues a refresh token for offline_access only with a fresh consent.
  authorizationParams: { prompt: 'consent' },
  accountApi: { url: 'http://127.0.0.1:9440/gmail/v1/users/me/profile' },
});
