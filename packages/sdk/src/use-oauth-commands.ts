import type { OAuthClient, RevocationResult } from '@opperator/oauth';
import { SdkError } from './errors.js';
import type { SignInPath } from './sign-in-path.js';
import { signInCommandNames, type AccessTokenResult, type CommandArgument, type SignInStatus } from '@opperator/protocol';
import type { CommandHandler, ProgressUpdate } from './types.js';
import type { UseOAuthAuthorizeOptions, UseOAuthAuthorizeResult } from './use-oauth-options.js';
import type { UseOAuthStatus } from './use-oauth-section.js';

/** What the sign-in commands need from `setUpOAuth`. */
export interface SignInCommandHost {
  registerCommand(name: string, handler: CommandHandler, options?: { description?: string; async?: boolean; progressLabel?: string; arguments?: CommandArgument[]; hidden?: boolean }): void;
}

/** The parts of one `useOAuth` sign-in its commands call. */
export interface SignInCommandTargets {
  /** The `useOAuth` name. */
  name: string;
  /** The provider's display name (Google, an issuer's host). */
  providerLabel: string;
  /** The progress label of the authorize task. */
  progressLabel: string;
  authorize(options: UseOAuthAuthorizeOptions): Promise<UseOAuthAuthorizeResult>;
  signOut(): Promise<RevocationResult>;
  status(): Promise<UseOAuthStatus>;
  /** The OAuth client, or a typed error naming what is missing (credentials, sign-in). */
  requireClient(): Promise<OAuthClient>;
}

/**
 * Registers the commands of one sign-in under the names `@opperator/protocol`
 * gives (`signInCommandNames`): `authorize_<name>` and `sign_out_<name>` for
 * people, and the hidden `oauth_status_<name>` and `oauth_token_<name>` that
 * `opperator auth` (and any client) uses to list sign-ins and hand a valid
 * access token to scripts. Neither hidden command is async, so no task
 * record ever holds what they answer.
 */
export function registerSignInCommands(host: SignInCommandHost, targets: SignInCommandTargets): void {
  const names = signInCommandNames(targets.name);
  const provider = targets.providerLabel;
  host.registerCommand(
    names.authorize,
    async (args, ctx) =>
      targets.authorize({
        path: requestedPath(args),
        signal: ctx.signal,
        onProgress: (update: ProgressUpdate) => ctx.reportProgress(update),
        client: ctx.client,
        ...(typeof args.scopes === 'string' ? { scopes: scopesOf(args.scopes) } : {}),
      }),
    {
      description: `Sign in to ${provider}: in the browser where you are, else with a code or by pasting the address the browser ends on ({ "device": true } or { "paste": true } to choose)`,
      async: true,
      progressLabel: targets.progressLabel,
      arguments: [
        { name: 'device', type: 'boolean', description: 'Sign in with a code typed in a browser anywhere (device flow)' },
        { name: 'paste', type: 'boolean', description: 'Open the sign-in page in a browser anywhere and paste the address it ends on (for SSH and headless machines)' },
        { name: 'scopes', type: 'string', description: 'More scopes to add to the grant, separated by spaces or commas (incremental consent; none granted before is dropped)' },
      ],
    },
  );
  host.registerCommand(names.signOut, async () => targets.signOut(), { description: `Sign out of ${provider}: revoke the grant and delete the token file` });
  host.registerCommand(names.status, async () => signInStatus(targets.name, provider, await targets.status()), {
    description: `Where the ${provider} sign-in stands (no token values), for opperator auth status`,
    hidden: true,
  });
  host.registerCommand(
    names.token,
    async (): Promise<AccessTokenResult> => {
      const client = await targets.requireClient();
      const accessToken = await client.getAccessToken();
      // The expiry of the token handed out, unless a refresh replaced it meanwhile.
      const stored = await client.getTokens();
      const same = stored?.accessToken === accessToken;
      return { accessToken, ...(same ? { tokenType: stored.tokenType } : {}), ...(same && stored.expiresAt !== undefined ? { expiresAt: stored.expiresAt } : {}) };
    },
    { description: `A valid ${provider} access token, refreshed first when due, for opperator auth token`, hidden: true },
  );
}

/** The wire form of a sign-in's status (see `signInStatusSchema`): flat, names and times only. */
export function signInStatus(name: string, provider: string, status: UseOAuthStatus): SignInStatus {
  const oauth = status.oauth;
  return {
    name,
    provider,
    ...(oauth?.emulator === undefined ? {} : { emulator: oauth.emulator }),
    authenticated: status.authenticated,
    state: status.state,
    ...(status.account === undefined ? {} : { account: status.account }),
    credentials: status.credentials,
    missingSecrets: status.missingSecrets,
    store: status.tokenPath,
    scopes: oauth?.scopes ?? [],
    missingScopes: oauth?.missingScopes ?? [],
    ...(oauth?.expiresAt === undefined ? {} : { expiresAt: oauth.expiresAt }),
    ...(oauth?.refreshDueAt === undefined ? {} : { refreshDueAt: oauth.refreshDueAt }),
    hasRefreshToken: oauth?.hasRefreshToken ?? false,
    ...(oauth?.refreshTokenExpiresAt === undefined ? {} : { refreshTokenExpiresAt: oauth.refreshTokenExpiresAt }),
    ...(status.reauthorizationReason === undefined ? {} : { reauthorizationReason: status.reauthorizationReason }),
    ...(status.problem === undefined ? {} : { problem: status.problem }),
    warnings: status.warnings,
    ...(status.signIn ? { signingIn: status.signIn } : {}),
  };
}

/** `"a b,c"` → `['a', 'b', 'c']`; scopes are space-separated in OAuth (RFC 6749 §3.3), commas are a shell-friendly extra. */
function scopesOf(text: string): string[] {
  const scopes = text.split(/[\s,]+/).filter(Boolean);
  if (scopes.length === 0) throw new SdkError('SDK_INVALID_ARGUMENT', 'argument "scopes" names no scope; give them separated by spaces or commas, e.g. "repo read:org".');
  return scopes;
}

/** The sign-in path a command's arguments ask for; both at once is a usage error. */
function requestedPath(args: Record<string, unknown>): SignInPath | undefined {
  if (args.device === true && args.paste === true) throw new SdkError('SDK_INVALID_ARGUMENT', 'Choose one of "device" and "paste", not both.');
  return args.device === true ? 'device' : args.paste === true ? 'paste' : undefined;
}
