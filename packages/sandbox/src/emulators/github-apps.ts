import { randomBytes } from 'node:crypto';
import type { EmulatorClient } from './emulator-types.js';
import { isLoopbackHost } from './oauth-rules.js';

// What GitHub knows of a registered app: its kind (by client id), its callback URLs, the scopes it may ask for.
// Sources, cited next to each behaviour below:
// [oauth-apps] https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
// [app-tokens] https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app
// [scopes] https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps
// [oauth-rest] https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-authorization

/** [scopes] Normalized scopes: a scope that includes others makes them redundant ("requesting user,gist,user:email will result in a token with user and gist scopes only"). */
const SCOPE_PARENTS: Record<string, string> = {
  'repo:status': 'repo',
  repo_deployment: 'repo',
  public_repo: 'repo',
  'repo:invite': 'repo',
  security_events: 'repo',
  'write:repo_hook': 'admin:repo_hook',
  'read:repo_hook': 'admin:repo_hook',
  'write:org': 'admin:org',
  'read:org': 'admin:org',
  'write:public_key': 'admin:public_key',
  'read:public_key': 'admin:public_key',
  'read:user': 'user',
  'user:email': 'user',
  'user:follow': 'user',
  'read:project': 'project',
  'write:gpg_key': 'admin:gpg_key',
  'read:gpg_key': 'admin:gpg_key',
};

/** [scopes] What the consent page says each scope allows. */
export const SCOPE_DESCRIPTIONS: Record<string, string> = {
  '': 'Read-only access to public information',
  repo: 'Full access to public and private repositories',
  public_repo: 'Access to public repositories',
  notifications: 'Read your notifications, mark threads read, watch repositories',
  user: 'Read and write your profile, email addresses and follows',
  'read:user': 'Read your profile data',
  'user:email': 'Read your email addresses',
  gist: 'Write gists',
  'read:org': 'Read organization membership and teams',
  workflow: 'Update GitHub Actions workflow files',
};

/**
 * Whether a client id is a GitHub App's: their client ids start with `Iv` (`Iv1.8a61f9b3a7aba766` in [oauth-rest]'s example,
 * `Iv23li…` for newer apps); others are OAuth Apps.
 *
 * @example
 * ```ts
 * isGithubAppClientId('Iv1.8a61f9b3a7aba766'); // true
 * ```
 */
export function isGithubAppClientId(clientId: string): boolean {
  return clientId.startsWith('Iv');
}

/**
 * A GitHub App client for the emulator when none is registered: the
 * `Iv1.` + 16 hex id shape of [oauth-rest]'s example, with a 40-hex secret.
 *
 * @example
 * ```ts
 * const app = newGithubAppClient(); // { clientId: 'Iv1.3f…', clientSecret: '…', redirectUris: ['http://127.0.0.1/callback'] }
 * ```
 */
export function newGithubAppClient(): EmulatorClient {
  return { clientId: `Iv1.${randomBytes(8).toString('hex')}`, clientSecret: randomBytes(20).toString('hex'), redirectUris: ['http://127.0.0.1/callback'] };
}

/**
 * [scopes] Splits a scope parameter (spaces, or commas as GitHub also accepts), drops duplicates and scopes implied by another.
 *
 * @example
 * ```ts
 * normalizeScopes('user,gist,user:email'); // ['user', 'gist'], as [scopes] "Normalized scopes" says
 * ```
 */
export function normalizeScopes(value: string): string[] {
  const asked = [...new Set(value.split(/[\s,]+/).filter(Boolean))];
  return asked.filter((scope) => {
    const parent = SCOPE_PARENTS[scope];
    return !(parent && asked.includes(parent));
  });
}

/**
 * [oauth-apps] Redirect URLs: "the redirect URL's host (excluding sub-domains) and port must exactly match the callback URL.
 * The redirect URL's path must reference a subdirectory of the callback URL." Loopback: "The redirect_uri does not need to
 * match the port specified in the callback URL for the app." [app-tokens] for GitHub Apps: "This must be an exact match to
 * one of the URLs you provided as a Callback URL" (the loopback port rule is applied to them too: their docs are silent).
 *
 * @example
 * ```ts
 * githubRedirectAllowed({ clientId: 'opperator-demo', redirectUris: ['http://127.0.0.1/callback'] }, 'http://127.0.0.1:5000/callback/deeper'); // true
 * ```
 */
export function githubRedirectAllowed(client: EmulatorClient, requested: string): boolean {
  let asked: URL;
  try {
    asked = new URL(requested);
  } catch {
    return false;
  }
  return client.redirectUris.some((registeredText) => {
    const registered = new URL(registeredText);
    if (asked.protocol !== registered.protocol) return false;
    const loopback = isLoopbackHost(registered.hostname) && asked.hostname === registered.hostname;
    if (!loopback && asked.port !== registered.port) return false;
    if (isGithubAppClientId(client.clientId)) {
      return asked.hostname === registered.hostname && asked.pathname === registered.pathname && asked.search === registered.search;
    }
    const hostOk = loopback || asked.hostname === registered.hostname || asked.hostname.endsWith(`.${registered.hostname}`);
    const base = registered.pathname.replace(/\/+$/, '');
    const pathOk = asked.pathname === registered.pathname || asked.pathname === base || asked.pathname.startsWith(`${base}/`);
    return hostOk && pathOk;
  });
}
