import { accessTokenResultSchema, signInCommandNames } from '@opperator/protocol';
import { CliError } from '../cli-error.js';
import { agentInvoke } from './agent-invoke.js';
import { querySignIn, resolveSignIn } from './auth-targets.js';
import { connectDaemon, withDaemon } from './with-daemon.js';

/** Options of `auth login` and `auth refresh`: the sign-in path and added scopes. */
export interface AuthLoginOptions {
  device?: boolean;
  paste?: boolean;
  scopes?: string;
  json?: boolean;
}

/**
 * `opperator auth login AGENT [NAME] [--device|--paste]`: runs the sign-in's
 * `authorize_<name>` command as `agent invoke` does (progress on stderr, the
 * page opened where this command runs, paste-back on a terminal, Ctrl-C
 * cancels).
 */
export async function authLogin(agent: string, name: string | undefined, options: AuthLoginOptions): Promise<void> {
  const signIn = await withDaemon((daemon) => resolveSignIn(daemon, agent, name));
  if (options.device && options.paste) throw new CliError('usage', 'Choose one of --device and --paste, not both.');
  if (options.scopes !== undefined && options.scopes.split(/[\s,]+/).filter(Boolean).length === 0) throw new CliError('usage', '--scopes names no scope; e.g. --scopes "repo read:org".');
  const args = { ...(options.device ? { device: true } : {}), ...(options.paste ? { paste: true } : {}), ...(options.scopes === undefined ? {} : { scopes: options.scopes }) };
  await agentInvoke(agent, signInCommandNames(signIn).authorize, { args: JSON.stringify(args), ...(options.json ? { json: true } : {}) });
}

/**
 * `opperator auth refresh AGENT [NAME] [--scopes S]`: signs in again, adding
 * `--scopes` to the grant (incremental consent where the provider has it;
 * nothing granted before is dropped), like `gh auth refresh --scopes`.
 */
export async function authRefresh(agent: string, name: string | undefined, options: AuthLoginOptions): Promise<void> {
  await authLogin(agent, name, options);
}

/** `opperator auth logout AGENT [NAME]`: revokes the grant at the provider and deletes the tokens (`sign_out_<name>`). */
export async function authLogout(agent: string, name: string | undefined, options: { json?: boolean }): Promise<void> {
  const signIn = await withDaemon((daemon) => resolveSignIn(daemon, agent, name));
  await agentInvoke(agent, signInCommandNames(signIn).signOut, options.json ? { json: true } : {});
}

/**
 * `opperator auth token AGENT [NAME]`: prints a valid access token (refreshed
 * first when due) and nothing else on stdout, for scripts:
 * `curl -H "Authorization: Bearer $(opperator auth token mail)" …`. The token
 * passes from the agent through the daemon's answer to this process only: the
 * command behind it is not a task, so no record, log or section holds it.
 */
export async function authToken(agent: string, name: string | undefined, options: { json?: boolean }): Promise<void> {
  const daemon = await connectDaemon();
  try {
    const signIn = await resolveSignIn(daemon, agent, name);
    const token = await querySignIn(daemon, agent, signInCommandNames(signIn).token, accessTokenResultSchema).catch((err: unknown) => {
      // Not signed in, or the grant is dead: the fix is a sign-in, unless the agent already named another (a secret to set).
      if (err instanceof CliError && err.kind === 'commandFailed' && !err.message.includes('opperator ')) throw new CliError('commandFailed', `${err.message} Sign in: opperator auth login ${agent} ${signIn}`, { cause: err });
      throw err;
    });
    process.stdout.write(
      options.json
        ? `${JSON.stringify({ accessToken: token.accessToken, ...(token.tokenType ? { tokenType: token.tokenType } : {}), ...(token.expiresAt === undefined ? {} : { expiresAt: new Date(token.expiresAt).toISOString() }) })}\n`
        : `${token.accessToken}\n`,
    );
  } finally {
    daemon.close();
  }
}
