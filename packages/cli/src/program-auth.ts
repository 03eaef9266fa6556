import type { Command } from 'commander';
import { AUTH_EXAMPLES } from './help-text.js';
import { runCommand } from './run-command.js';

type LoginFlags = { device?: boolean; paste?: boolean; scopes?: string; json?: boolean };

/**
 * `opperator auth …`: every agent's sign-ins in one place, in the words of
 * `gh auth` (status, login, logout, refresh --scopes, token).
 */
export function addAuthCommands(program: Command): void {
  const auth = program.command('auth').description("agents' sign-ins: which need attention, sign in or out, add scopes, a token for scripts").addHelpText('after', AUTH_EXAMPLES);
  auth
    .command('status')
    .argument('[agent]', 'only this agent')
    .option('--json', 'machine-readable output (no token values; ISO 8601 times)')
    .description('every sign-in of every agent: provider, account, state, expiry, scopes, warnings, emulated or real (exit 5 when one needs attention)')
    .action((agent: string | undefined, options: { json?: boolean }) => runCommand(async () => (await import('./commands/auth-status.js')).authStatus({ ...options, ...(agent === undefined ? {} : { agent }) }), agent === undefined ? {} : { agentName: agent }));
  const login = (verb: 'authLogin' | 'authRefresh') => (agent: string, name: string | undefined, options: LoginFlags) =>
    runCommand(async () => (await import('./commands/auth.js'))[verb](agent, name, options), { agentName: agent });
  auth
    .command('login')
    .argument('<agent>')
    .argument('[name]', "the sign-in (its useOAuth name); optional when the agent has one")
    .option('--device', 'sign in with a code typed in a browser anywhere (device flow)')
    .option('--paste', 'open the page in a browser anywhere and paste the address it ends on (SSH, headless)')
    .option('--scopes <scopes>', 'scopes to ask for besides the agent\'s own, separated by spaces or commas')
    .option('--json', 'print the result as JSON')
    .description('sign in: runs the agent\'s authorize command (the page opens where you are)')
    .action(login('authLogin'));
  auth
    .command('refresh')
    .argument('<agent>')
    .argument('[name]', 'the sign-in; optional when the agent has one')
    .option('--scopes <scopes>', 'scopes to add, separated by spaces or commas (none granted before is dropped)')
    .option('--device', 'sign in with a code (device flow)')
    .option('--paste', 'paste the address the browser ends on')
    .option('--json', 'print the result as JSON')
    .description('sign in again to add scopes or repair the grant (incremental consent where the provider has it)')
    .action(login('authRefresh'));
  auth
    .command('logout')
    .argument('<agent>')
    .argument('[name]', 'the sign-in; optional when the agent has one')
    .option('--json', 'print the result as JSON')
    .description('revoke the grant at the provider and delete the stored tokens')
    .action((agent: string, name: string | undefined, options: { json?: boolean }) => runCommand(async () => (await import('./commands/auth.js')).authLogout(agent, name, options), { agentName: agent }));
  auth
    .command('token')
    .argument('<agent>')
    .argument('[name]', 'the sign-in; optional when the agent has one')
    .option('--json', 'the token with its type and expiry as JSON')
    .description('print a valid access token (refreshed first when due) for scripts; it is never logged')
    .action((agent: string, name: string | undefined, options: { json?: boolean }) => runCommand(async () => (await import('./commands/auth.js')).authToken(agent, name, options), { agentName: agent }));
}
