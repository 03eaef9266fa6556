import type { OAuthProvider } from '../provider.js';

const DOCS = 'https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow';

/** Options of {@link providers.microsoft}. */
export interface MicrosoftProviderOptions {
  /** `common` (default), `organizations`, `consumers`, or a tenant id / domain. */
  tenant?: string;
}

/**
 * Microsoft Entra ID (the Microsoft identity platform, v2.0 endpoints) for
 * one tenant segment. Everything known about Entra's wire behaviour lives here.
 */
export function microsoft(options: MicrosoftProviderOptions = {}): OAuthProvider {
  const tenant = options.tenant ?? 'common';
  if (!/^[A-Za-z0-9.-]+$/.test(tenant)) {
    throw new TypeError(`Microsoft tenant ${JSON.stringify(tenant)} is not a tenant id, domain, "common", "organizations" or "consumers".`);
  }
  // No static metadata: discovery lets openid-client apply its Entra ID
  // multi-tenant issuer handling ("{tenantid}" in the issuer).
  return Object.freeze<OAuthProvider>({
    name: 'microsoft',
    label: 'Microsoft',
    issuer: `https://login.microsoftonline.com/${tenant}/v2.0`,
    defaultScopes: ['openid', 'profile', 'email', 'offline_access'],
    clientSecretMethod: 'client_secret_post',
    // microsoft.com serves the device flow's verification page (/devicelogin).
    hosts: ['login.microsoftonline.com', 'graph.microsoft.com', 'microsoft.com', 'www.microsoft.com'],
    // Graph's /me needs User.Read (learn.microsoft.com/en-us/graph/api/user-get, "Permissions").
    accountApi: { url: 'https://graph.microsoft.com/v1.0/me', scopes: ['User.Read'] },
    registration: {
      redirectUri: 'http://127.0.0.1/callback',
      steps: 'Register an app at https://entra.microsoft.com (App registrations), platform "Mobile and desktop applications", redirect URI http://127.0.0.1/callback; set "Allow public client flows" to Yes for sign-in without a browser',
      docs: DOCS,
    },
    quirks: {
      errorCodes: {
        // DOCS, "Error codes for token endpoint errors": interaction_required
        // ("another authentication step is required", e.g. MFA, AADSTS50076)
        // and consent_required (AADSTS65001) both send the user back to sign in.
        interaction_required: 'invalid_grant',
        consent_required: 'invalid_grant',
        // "OAuth 2.0 device authorization grant" (learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code),
        // expected errors: the user declined, or the device code is unknown.
        authorization_declined: 'access_denied',
        bad_verification_code: 'invalid_grant',
      },
      // "Scopes and permissions" (learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc),
      // offline_access: it is never returned in `scope`, as a capture also shows
      // (learn.microsoft.com/en-us/answers/questions/806413: asked "User.Read offline_access Files.Read.All",
      // got "Files.Read.All openid User.Read profile email").
      unechoedScopes: ['offline_access'],
      // Same page: a scope without a resource is a Microsoft Graph scope, so
      // `User.Read` and `https://graph.microsoft.com/User.Read` are one scope.
      defaultResourcePrefix: 'https://graph.microsoft.com/',
    },
  });
}
