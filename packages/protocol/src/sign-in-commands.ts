import { z } from 'zod';
import type { CommandDescriptor } from './agent-messages.js';

/**
 * How an agent's `useOAuth` sign-ins show up among its commands, so that any
 * client (`opperator auth`, the MCP server) finds them without knowing the
 * agent: `authorize_<name>` and `sign_out_<name>` are the visible commands;
 * `oauth_status_<name>` and `oauth_token_<name>` are hidden ones for clients.
 * The SDK registers them under these names, and clients look them up here.
 */
export const SIGN_IN_COMMAND_PREFIXES = Object.freeze({
  authorize: 'authorize_',
  signOut: 'sign_out_',
  status: 'oauth_status_',
  token: 'oauth_token_',
});

/** The id prefix of a sign-in's auth-status section (`oauth_<name>`), which names the sign-in while its agent is stopped. */
export const SIGN_IN_SECTION_PREFIX = 'oauth_';

/**
 * The commands of the sign-in `name`.
 *
 * @example
 * ```ts
 * signInCommandNames('gmail').token; // 'oauth_token_gmail'
 * ```
 */
export function signInCommandNames(name: string): { authorize: string; signOut: string; status: string; token: string } {
  const p = SIGN_IN_COMMAND_PREFIXES;
  return { authorize: `${p.authorize}${name}`, signOut: `${p.signOut}${name}`, status: `${p.status}${name}`, token: `${p.token}${name}` };
}

/**
 * The sign-ins an agent has, from its command registry: a name counts when
 * both its authorize command and its hidden status command are registered,
 * so a command an author happened to call `authorize_x` is not taken for one.
 */
export function signInNames(commands: readonly Pick<CommandDescriptor, 'name'>[]): string[] {
  const names = new Set(commands.map((command) => command.name));
  return [...names]
    .filter((command) => command.startsWith(SIGN_IN_COMMAND_PREFIXES.status))
    .map((command) => command.slice(SIGN_IN_COMMAND_PREFIXES.status.length))
    .filter((name) => name.length > 0 && names.has(signInCommandNames(name).authorize))
    .sort();
}

/** Token states, as `@opperator/oauth` names them (`tokenState`). */
export const SIGN_IN_TOKEN_STATES = ['not-authorized', 'valid', 'expiring', 'refreshable', 'reauthorization-required'] as const;

/**
 * What `oauth_status_<name>` answers: where one sign-in stands. It carries no
 * token or secret values, only names, states, scopes and times (epoch ms on
 * the wire). A client validates it like any other input from an agent.
 */
export const signInStatusSchema = z.object({
  name: z.string().max(200),
  /** The provider's display name (Google, GitHub, an issuer URL). */
  provider: z.string().max(2_000),
  /** Where the provider's requests go when it is emulated (`sandbox start --emulate`). */
  emulator: z.string().max(2_000).optional(),
  authenticated: z.boolean(),
  state: z.enum(SIGN_IN_TOKEN_STATES),
  account: z.string().max(2_000).optional(),
  credentials: z.enum(['configured', 'missing']),
  missingSecrets: z.array(z.object({ name: z.string().max(200), reason: z.enum(['not-set', 'denied', 'unavailable']) })).max(10),
  /** Where the tokens are kept (a file path), never the tokens. */
  store: z.string().max(4_096),
  scopes: z.array(z.string().max(2_000)).max(500),
  missingScopes: z.array(z.string().max(2_000)).max(500),
  expiresAt: z.number().optional(),
  refreshDueAt: z.number().optional(),
  hasRefreshToken: z.boolean(),
  refreshTokenExpiresAt: z.number().optional(),
  reauthorizationReason: z.string().max(4_000).optional(),
  problem: z.string().max(4_000).optional(),
  warnings: z.array(z.string().max(4_000)).max(50),
  /** A sign-in waiting for the user: where to finish it. */
  signingIn: z.object({ path: z.enum(['browser', 'paste', 'device']), url: z.string().max(8_000), userCode: z.string().max(200).optional(), expiresAt: z.number().optional() }).optional(),
});

/** See {@link signInStatusSchema}. */
export type SignInStatus = z.infer<typeof signInStatusSchema>;

/** What `oauth_token_<name>` answers: a valid access token (refreshed first when due) for scripts. */
export const accessTokenResultSchema = z.object({
  // RFC 6750 §2.1 tokens are printable ASCII; anything else (a control sequence) is refused before a terminal sees it.
  accessToken: z.string().min(1).max(64_000).regex(/^[\x21-\x7E]+$/, 'must be printable ASCII'),
  tokenType: z.string().max(100).optional(),
  expiresAt: z.number().optional(),
});

/** See {@link accessTokenResultSchema}. */
export type AccessTokenResult = z.infer<typeof accessTokenResultSchema>;
