// The scopes Entra knows here: OpenID scopes and Microsoft Graph permissions, and their consent wording.
// Sources, cited next to each behaviour below (under https://learn.microsoft.com/en-us/entra/identity-platform/):
// [code-flow] v2-oauth2-auth-code-flow
// [graph-me] https://learn.microsoft.com/en-us/graph/api/user-get

/** The OpenID scopes; [code-flow]: "The scopes must all be from a single resource, along with OIDC scopes (profile, openid, email)". */
export const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/** Microsoft Graph delegated permissions the emulator knows, in Graph's spelling (a token echoes this spelling whatever the case asked). */
const GRAPH_SCOPES = ['User.Read', 'User.ReadWrite', 'User.ReadBasic.All', 'Mail.Read', 'Mail.ReadWrite', 'Mail.Send', 'Calendars.Read', 'Calendars.ReadWrite', 'Files.Read', 'Files.ReadWrite', 'Contacts.Read', 'Tasks.ReadWrite'];
const GRAPH_BY_LOWER = new Map(GRAPH_SCOPES.map((s) => [s.toLowerCase(), s]));
/** Permissions that let GET /me read the signed-in user ([graph-me] "Permissions"). */
export const ME_SCOPES = ['User.Read', 'User.ReadWrite', 'User.ReadBasic.All'];

/** What the consent page says each scope allows. */
export const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'Sign you in',
  profile: 'View your basic profile',
  email: 'View your email address',
  offline_access: 'Maintain access to data you have given it access to',
  'User.Read': 'Sign you in and read your profile',
  'Mail.Read': 'Read your mail',
  'Mail.Send': 'Send mail as you',
  'Calendars.Read': 'Read your calendars',
  'Files.Read': 'Read your files',
};

/** A scope parameter split into Graph permissions and OpenID scopes. */
export interface ParsedScopes {
  graph: string[];
  oidc: string[];
}

/**
 * Splits a scope parameter: Graph permissions (short `User.Read` or full `https://graph.microsoft.com/User.Read`, any case)
 * to Graph's spelling, OpenID scopes apart; `.default` stands for User.Read here. An unknown scope is returned as invalid.
 *
 * @example
 * ```ts
 * parseScopes('user.read offline_access openid'); // { graph: ['User.Read'], oidc: ['offline_access', 'openid'] }
 * ```
 */
export function parseScopes(value: string): ParsedScopes | { invalid: string } {
  const graph: string[] = [];
  const oidc: string[] = [];
  for (const scope of value.split(/\s+/).filter(Boolean)) {
    if (OIDC_SCOPES.has(scope.toLowerCase())) {
      if (!oidc.includes(scope.toLowerCase())) oidc.push(scope.toLowerCase());
      continue;
    }
    const short = scope.replace(/^https:\/\/graph\.microsoft\.com\//i, '');
    const known = short === '.default' ? 'User.Read' : GRAPH_BY_LOWER.get(short.toLowerCase());
    if (!known) return { invalid: scope };
    if (!graph.includes(known)) graph.push(known);
  }
  return { graph, oidc };
}

/**
 * Scopes as stored on a grant or token, split again.
 *
 * @example
 * ```ts
 * parseStored(['User.Read', 'openid']); // { graph: ['User.Read'], oidc: ['openid'] }
 * ```
 */
export function parseStored(scopes: string[]): ParsedScopes {
  return { graph: scopes.filter((s) => !OIDC_SCOPES.has(s)), oidc: scopes.filter((s) => OIDC_SCOPES.has(s)) };
}
