import type { OAuthProvider } from '../provider.js';

const DOCS = 'https://developers.google.com/identity/protocols/oauth2/native-app';

/**
 * Google (accounts.google.com). Everything known about Google's wire
 * behaviour lives here.
 */
export const google: OAuthProvider = Object.freeze<OAuthProvider>({
  name: 'google',
  label: 'Google',
  issuer: 'https://accounts.google.com',
  metadata: {
    issuer: 'https://accounts.google.com',
    authorization_endpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
    token_endpoint: 'https://oauth2.googleapis.com/token',
    revocation_endpoint: 'https://oauth2.googleapis.com/revoke',
    device_authorization_endpoint: 'https://oauth2.googleapis.com/device/code',
    userinfo_endpoint: 'https://openidconnect.googleapis.com/v1/userinfo',
    jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
    code_challenge_methods_supported: ['S256'],
  },
  defaultScopes: ['openid', 'email'],
  // Google issues a refresh token only for offline access, and only again on
  // a fresh consent: without both, a second sign-in returns no refresh token.
  authorizationParams: { access_type: 'offline', prompt: 'consent' },
  clientSecretMethod: 'client_secret_post',
  incrementalAuthorizationParams: { include_granted_scopes: 'true' },
  refreshTokenLifetimeHint: {
    maxAgeMs: 7 * 24 * 3_600_000,
    note: 'Google apps whose OAuth consent screen is in "Testing" status get refresh tokens that expire after 7 days; publish the app to avoid this',
  },
  // www.google.com serves the device flow's verification page (/device).
  hosts: ['accounts.google.com', 'oauth2.googleapis.com', 'openidconnect.googleapis.com', 'www.googleapis.com', 'gmail.googleapis.com', 'www.google.com'],
  accountApi: { url: 'https://openidconnect.googleapis.com/v1/userinfo', scopes: ['profile'] },
  registration: {
    // Desktop app clients accept any loopback port and path (DOCS, "Loopback IP address").
    redirectUri: 'http://127.0.0.1/callback',
    steps: 'Create an OAuth client of type "Desktop app" at https://console.cloud.google.com/apis/credentials (no redirect URI to enter); the device flow needs a client of type "TVs and Limited Input devices" and allows only a few scopes (not Gmail)',
    docs: DOCS,
  },
  quirks: {
    // "OAuth 2.0 for TV and Limited-Input Device Applications", step 2: the
    // response names the page `verification_url`, not RFC 8628's `verification_uri`
    // (developers.google.com/identity/protocols/oauth2/limited-input-device).
    deviceResponseFields: { verification_url: 'verification_uri' },
    // Same page, "Allowed scopes": the device flow is supported only for these;
    // any other is refused with 400 invalid_scope "Invalid device flow scope: …"
    // (captures: brockamer/findajob#115 for Gmail, hickford/git-credential-oauth#38).
    deviceFlowScopes: [
      'openid',
      'email',
      'profile',
      'https://www.googleapis.com/auth/userinfo.email',
      'https://www.googleapis.com/auth/userinfo.profile',
      'https://www.googleapis.com/auth/drive.appdata',
      'https://www.googleapis.com/auth/drive.file',
      'https://www.googleapis.com/auth/youtube',
      'https://www.googleapis.com/auth/youtube.readonly',
    ],
    // "OAuth 2.0 Scopes for Google APIs" (developers.google.com/identity/protocols/oauth2/scopes):
    // `email` and `profile` are the short names of the userinfo scopes, and
    // the token response's `scope` names them in full.
    scopeAliases: {
      email: ['https://www.googleapis.com/auth/userinfo.email'],
      profile: ['https://www.googleapis.com/auth/userinfo.profile'],
    },
  },
});
