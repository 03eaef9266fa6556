import type { OAuthProvider } from '../provider.js';

const DOCS = 'https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps';

/**
 * GitHub, for OAuth Apps (tokens that do not expire) and GitHub Apps (user
 * tokens that expire after 8 hours, with single-use refresh tokens).
 * Everything known about GitHub's wire behaviour lives here.
 */
export const github: OAuthProvider = Object.freeze<OAuthProvider>({
  name: 'github',
  label: 'GitHub',
  issuer: 'https://github.com',
  metadata: {
    issuer: 'https://github.com',
    authorization_endpoint: 'https://github.com/login/oauth/authorize',
    token_endpoint: 'https://github.com/login/oauth/access_token',
    device_authorization_endpoint: 'https://github.com/login/device/code',
    code_challenge_methods_supported: ['S256'],
  },
  defaultScopes: ['read:user'],
  clientSecretMethod: 'client_secret_post',
  hosts: ['github.com', 'api.github.com'],
  // No ID token: the account is `login` of GET /user (docs.github.com/en/rest/users/users#get-the-authenticated-user).
  accountApi: { url: 'https://api.github.com/user', headers: { accept: 'application/vnd.github+json' }, accountFields: ['login'] },
  registration: {
    // A loopback callback URL matches any port (DOCS, "Loopback redirect urls").
    redirectUri: 'http://127.0.0.1/callback',
    steps: 'Register an OAuth App (or a GitHub App) at https://github.com/settings/developers with the callback URL http://127.0.0.1/callback; tick "Enable Device Flow" for sign-in without a browser',
    docs: DOCS,
  },
  quirks: {
    // "Troubleshooting OAuth app access token request errors" and the device
    // flow's error table: the token endpoint answers every error with HTTP 200
    // and an `error` body (docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors).
    errorsWithHttp200: true,
    errorCodes: {
      // Troubleshooting page: "Bad verification code": the code is wrong or expired.
      bad_verification_code: 'invalid_grant',
      // Troubleshooting page: "Incorrect client credentials".
      incorrect_client_credentials: 'invalid_client',
      // Troubleshooting page: "Redirect URI mismatch" (RFC 6749 §5.2 calls it invalid_grant).
      redirect_uri_mismatch: 'invalid_grant',
      // "Refreshing user access tokens" (docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens):
      // an expired, revoked or already used refresh token.
      bad_refresh_token: 'invalid_grant',
      // DOCS, device flow error codes: the device_code is not valid.
      incorrect_device_code: 'invalid_grant',
      // DOCS, device flow error codes: the app has not enabled the device flow.
      device_flow_disabled: 'unauthorized_client',
    },
    errorHints: {
      redirect_uri_mismatch: 'Register http://127.0.0.1/callback as the app\'s callback URL at https://github.com/settings/developers (GitHub accepts any port for a loopback callback URL).',
      device_flow_disabled: 'Tick "Enable Device Flow" in the app\'s settings at https://github.com/settings/developers.',
    },
    // DOCS, "Response" of the token request: `scope=repo%2Cgist`, comma-separated.
    scopeSeparator: ',',
    // No RFC 7009 endpoint; "Delete an app authorization" revokes the grant and every token of it, with
    // Basic auth client_id:client_secret (docs.github.com/en/rest/apps/oauth-applications#delete-an-app-authorization).
    grantRevocation: {
      method: 'DELETE',
      url: 'https://api.github.com/applications/{client_id}/grant',
      tokenField: 'access_token',
      headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
    },
  },
});
