import { Argument, Command } from 'commander';
import { AGENT_LIST_EXAMPLES, DAEMON_RESTART_EXAMPLES, ENVIRONMENT, EXIT_CODE_TEXT, INVOKE_EXAMPLES, LIFECYCLE_DESCRIPTIONS, lifecycleExamples, LOGS_EXAMPLES, ROOT_EXAMPLES } from './help-text.js';
import { addAuthCommands } from './program-auth.js';
import { addMcpCommand } from './program-mcp.js';
import { runCommand } from './run-command.js';
import { COMPLETION_HELP } from './help-text.js';
import { applyHomeOption } from './home-option.js';
// The subpath, not the package: the CLI's start must not load every schema of the protocol.
import { suggestName } from '@opperator/protocol/suggest-name';

/**
 * The `opperator` command tree. Every action loads its module only when it
 * runs, so `opperator secret list` does not load the keyring, the OAuth
 * toolkit or anything else it does not use.
 */
export function buildProgram(version: string): Command {
  const program = new Command('opperator')
    .description('Run OAuth-ready TypeScript agents in the background, with secrets in the OS keyring.')
    .version(version, '-v, --version', 'print the version')
    .option('--home <dir>', 'everything in this folder, as OPPERATOR_HOME=DIR does')
    .showHelpAfterError()
    .showSuggestionAfterError()
    .configureOutput({ outputError: (text, write) => write(`opperator: ${text.replace(/^error: /, '')}`) })
    .exitOverride((err) => {
      // Commander's own usage errors (unknown command, missing argument) exit 2, like ours.
      process.exit(err.exitCode === 0 ? 0 : 2);
    });

  // First of the hooks, before anything reads the configuration: `--home DIR` is
  // OPPERATOR_HOME=DIR for this command and every process it starts.
  program.hook('preAction', (root) => {
    const { home } = root.opts<{ home?: string }>();
    if (home === undefined) return;
    if (!home.trim()) return root.error('--home needs a folder, e.g. --home ~/opperator-test', { code: 'commander.invalidArgument', exitCode: 2 });
    applyHomeOption(home);
  });

  // No command: the TUI on a terminal, the help elsewhere (a pipe, a script).
  // Any other word is a command that does not exist (the root takes no arguments).
  program.action((_options: unknown, command: Command) => {
    const [typed] = command.args;
    if (typed !== undefined) {
      // Visible commands only: the hidden `complete` (for the completion scripts) is no one's typo.
      const suggestion = suggestName(typed, program.createHelp().visibleCommands(program).flatMap((sub) => [sub.name(), ...sub.aliases()]));
      return program.error(`unknown command '${typed}'${suggestion ? `. Did you mean '${suggestion}'?` : ''}`, { code: 'commander.unknownCommand', exitCode: 2 });
    }
    return runCommand(async () => {
      if (!process.stdout.isTTY || !process.stdin.isTTY) return void program.outputHelp();
      await (await import('./commands/tui.js')).openTui();
    });
  });

  const secret = program.command('secret').description('store OAuth client credentials and other secrets in the OS keyring');
  const write = (mode: 'upsert' | 'create' | 'update') => (name: string, value: string | undefined) =>
    runCommand(async () => (await import('./commands/secret-write.js')).secretWrite(mode, name, value));
  secret
    .command('set')
    .argument('<name>')
    .argument('[value]', 'the value; else read from stdin when piped, else asked for without echo')
    .description('create or replace a secret')
    .action(write('upsert'));
  secret.command('create').argument('<name>').argument('[value]').description('create a secret; fails if it exists').action(write('create'));
  secret.command('update').argument('<name>').argument('[value]').description('replace a secret; fails if it does not exist').action(write('update'));
  secret
    .command('get')
    .alias('read')
    .argument('<name>')
    .description('print a secret value')
    .action((name: string) => runCommand(async () => (await import('./commands/secret-get.js')).secretGet(name)));
  secret
    .command('list')
    .option('--json', 'machine-readable output')
    .description('list secret names, where they are stored and when they changed (never values)')
    .action((options: { json?: boolean }) => runCommand(async () => (await import('./commands/secret-list.js')).secretList(options)));
  secret
    .command('delete')
    .argument('<name>')
    .description('delete a secret')
    .action((name: string) => runCommand(async () => (await import('./commands/secret-delete.js')).secretDelete(name)));

  const daemon = program.command('daemon').description('the background process that runs agents');
  daemon
    .command('start')
    .option('--foreground', 'run in this terminal instead of the background')
    .description('start the daemon (and the agents marked start_with_daemon or left running)')
    .action((options: { foreground?: boolean }) => runCommand(async () => (await import('./commands/daemon.js')).daemonStart(options)));
  daemon.command('stop').description('stop every agent and the daemon').action(() => runCommand(async () => (await import('./commands/daemon.js')).daemonStop()));
  daemon
    .command('restart')
    .description('stop the daemon (its agents first), start it again, and wait for the agents that were running to run again')
    .addHelpText('after', DAEMON_RESTART_EXAMPLES)
    .action(() => runCommand(async () => (await import('./commands/daemon-restart.js')).daemonRestart()));
  daemon
    .command('status')
    .option('--json', 'machine-readable output')
    .description('is the daemon running?')
    .action((options: { json?: boolean }) => runCommand(async () => (await import('./commands/daemon.js')).daemonStatus(options)));
  daemon
    .command('install')
    .option('--print', 'print the unit (the launchd plist on macOS) and change nothing')
    .option('--dry-run', 'the same as --print')
    .description('run the daemon at login: a systemd user unit (Linux) or a launchd agent (macOS), enabled now')
    .action((options: { print?: boolean; dryRun?: boolean }) => runCommand(async () => (await import('./commands/daemon-install.js')).daemonInstall(options)));
  daemon
    .command('uninstall')
    .description('disable and remove what `daemon install` wrote (stops the daemon it ran)')
    .action(() => runCommand(async () => (await import('./commands/daemon-install.js')).daemonUninstall()));

  const agent = program.command('agent').description('run, watch and talk to agents');
  agent
    .command('list')
    .option('--json', 'machine-readable output')
    .description('agents with their state, pid, CPU, memory, uptime and restart count')
    .addHelpText('after', AGENT_LIST_EXAMPLES)
    .action((options: { json?: boolean }) => runCommand(async () => (await import('./commands/agent-control.js')).agentList(options)));
  agent
    .command('bootstrap')
    .argument('<name>')
    .option('--template <template>', 'minimal (the default), or oauth: an agent that signs in with this.useOAuth()')
    .option('--provider <provider>', 'for --template oauth: google, github, microsoft, sandbox, or an issuer URL')
    .description('create a runnable TypeScript agent and register it in agents.yaml')
    .action((name: string, options: { template?: string; provider?: string }) => runCommand(async () => (await import('./commands/agent-bootstrap.js')).agentBootstrap(name, options)));
  agent
    .command('add')
    .argument('<folder>', 'an agent folder: agent.ts, and optionally package.json with its dependencies and an "opperator" field')
    .option('--name <name>', 'add it under this name (default: its package.json name, else the folder name)')
    .option('--env <KEY=VALUE>', "set a variable in the agent's env (repeatable)", (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--force', 'replace an agent of that name (its sign-ins are kept)')
    .option('--no-install', 'do not run npm install now (later: opperator agent install NAME)')
    .option('--json', 'machine-readable output')
    .description('copy an agent folder (an example, your own) into the home, install its dependencies, register it in agents.yaml')
    .action((folder: string, options: { name?: string; env: string[]; force?: boolean; install: boolean; json?: boolean }) => runCommand(async () => (await import('./commands/agent-add.js')).agentAdd(folder, options)));
  agent
    .command('install')
    .argument('<name>')
    .description("install the agent's own dependencies (npm) into its folder")
    .action((name: string) => runCommand(async () => (await import('./commands/agent-files.js')).agentInstall(name), { agentName: name }));
  agent
    .command('delete')
    .argument('<name>')
    .description('stop an agent, remove it from agents.yaml, and move its folder aside')
    .action((name: string) => runCommand(async () => (await import('./commands/agent-files.js')).agentDelete(name), { agentName: name }));
  for (const action of ['start', 'stop', 'restart'] as const) {
    // `all` is a reserved agent name (RESERVED_AGENT_NAMES): it always means every agent.
    agent
      .command(action)
      .argument('<name>', 'an agent, or all')
      .description(LIFECYCLE_DESCRIPTIONS[action])
      .addHelpText('after', lifecycleExamples(action))
      .action((name: string) =>
        name === 'all'
          ? runCommand(async () => (await import('./commands/agent-all.js')).agentLifecycleAll(action))
          : runCommand(async () => (await import('./commands/agent-control.js')).agentLifecycle(action, name), { agentName: name }),
      );
  }
  agent
    .command('commands')
    .argument('<name>')
    .option('--json', 'machine-readable output')
    .description("an agent's commands and their arguments")
    .action((name: string, options: { json?: boolean }) => runCommand(async () => (await import('./commands/agent-control.js')).agentCommands(name, options), { agentName: name }));
  agent
    .command('sections')
    .argument('<name>')
    .option('--json', 'machine-readable output')
    .description("an agent's sidebar sections")
    .action((name: string, options: { json?: boolean }) => runCommand(async () => (await import('./commands/agent-control.js')).agentSections(name, options), { agentName: name }));
  agent
    .command('invoke')
    .argument('<name>')
    .argument('<command>')
    .option('--args <json>', 'arguments as a JSON object')
    .option('--json', 'print the result as JSON')
    .option('--detach', 'return the task id at once instead of waiting')
    .description('run a command; progress streams to stderr until the result')
    .addHelpText('after', INVOKE_EXAMPLES)
    .action((name: string, command: string, options: { args?: string; json?: boolean; detach?: boolean }) =>
      runCommand(async () => (await import('./commands/agent-invoke.js')).agentInvoke(name, command, options), { agentName: name }),
    );
  agent
    .command('logs')
    .argument('<name>')
    .option('-f, --follow', 'keep printing new lines')
    .option('-n, --lines <count>', 'how many past lines (default 100; with --since, all since then)')
    .option('--since <when>', 'only lines from then on: a duration back from now (30s, 10m, 2h, 1d) or an ISO date/time')
    .option('--json', 'one JSON object per line')
    .description("an agent's log")
    .addHelpText('after', LOGS_EXAMPLES)
    .action((name: string, options: { follow?: boolean; lines?: string; since?: string; json?: boolean }) => runCommand(async () => (await import('./commands/agent-logs.js')).agentLogs(name, options), { agentName: name }));

  addAuthCommands(program);
  addMcpCommand(program, version);

  const task = program.command('task').description('async commands and their progress');
  task
    .command('list')
    .option('--agent <name>', 'only this agent')
    .option('--json', 'machine-readable output')
    .description('tasks with their agent, command and state')
    .action((options: { agent?: string; json?: boolean }) => runCommand(async () => (await import('./commands/task.js')).taskList(options)));
  task
    .command('get')
    .argument('<id>')
    .option('--json', 'machine-readable output')
    .description("one task: its state, progress and result or error")
    .action((id: string, options: { json?: boolean }) => runCommand(async () => (await import('./commands/task.js')).taskGet(id, options)));
  task
    .command('cancel')
    .argument('<id>')
    .description('cancel a running task')
    .action((id: string) => runCommand(async () => (await import('./commands/task.js')).taskCancel(id)));

  const sandbox = program.command('sandbox').description('the local OAuth authorization server + demo API, for trying flows with no account anywhere');
  sandbox
    .command('start')
    .option('--port <port>', 'port on 127.0.0.1', '9440')
    .option('--access-token-ttl <duration>', 'access token lifetime: seconds, or 30s, 5m, 1h (default 1h)')
    .option('--emulate <providers>', 'also emulate real providers at <issuer>/emulate/<host>/: comma-separated github, google, microsoft')
    .description('start the sandbox in the background and print its issuer and client credentials')
    .action((options: { port?: string; accessTokenTtl?: string; emulate?: string }) => runCommand(async () => (await import('./commands/sandbox.js')).sandboxStart(options)));
  sandbox.command('stop').description('stop the sandbox').action(() => runCommand(async () => (await import('./commands/sandbox.js')).sandboxStop()));
  sandbox
    .command('status')
    .option('--json', 'machine-readable output')
    .option('--show-secrets', 'include the client secrets')
    .description('is the sandbox running? (exit 5 when not)')
    .action((options: { json?: boolean; showSecrets?: boolean }) => runCommand(async () => (await import('./commands/sandbox.js')).sandboxStatus(options)));
  sandbox
    .command('revoke')
    .option('--account <name>', "only this user's grants (the name used to sign in)")
    .option('--json', 'machine-readable output')
    .description('revoke grants at the sandbox, like removing an app on a "connected apps" page: agents must sign in again')
    .action((options: { account?: string; json?: boolean }) => runCommand(async () => (await import('./commands/sandbox-revoke.js')).sandboxRevoke(options)));

  program
    .command('doctor')
    .description('check the keyring and the browser opener, and say how to fix problems')
    .action(() => runCommand(async () => (await import('./commands/doctor.js')).doctor()));
  program
    .command('completion')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish'] as const))
    .description('print a shell completion script: commands, options and agent names complete on TAB')
    .addHelpText('after', COMPLETION_HELP)
    .action((shell: 'bash' | 'zsh' | 'fish') => runCommand(async () => (await import('./commands/completion.js')).completionScript(shell)));
  // What the completion scripts run at each TAB (`complete -- WORDS`, the protocol of @bomb.sh/tab); not for people.
  program
    .command('complete', { hidden: true })
    .argument('[words...]')
    .description('print the completions of the last of WORDS (called by the completion scripts)')
    .action((words: string[]) => runCommand(async () => (await import('./commands/completion.js')).completeWords(program, words)));

  program.addHelpText('after', `${ROOT_EXAMPLES}\n${ENVIRONMENT}\n${EXIT_CODE_TEXT}`);
  // Set last, so subcommands do not inherit them: \`help [command]\` at the root
  // (which commander leaves out when the root has an action), and extra words
  // reach the root action, which names them as unknown commands.
  program.helpCommand(true);
  program.allowExcessArguments(true);
  // Registered last, so hooks that set up the home (a global option) run first: before any command
  // touches the home, an old single-folder home moves to the XDG places once (home-move.ts).
  program.hook('preAction', (_root, action) => homeStep(action, 'moveOldHome'));
  program.hook('postAction', (_root, action) => homeStep(action, 'moveOldHomeAfter'));
  return program;
}

/** Runs one step of home-move.ts for `action`; a refusal is reported as any command's error, and a refused command does not run. */
async function homeStep(action: Command, step: 'moveOldHome' | 'moveOldHomeAfter'): Promise<void> {
  const words: string[] = [];
  for (let command: Command | null = action; command?.parent; command = command.parent) words.unshift(command.name());
  // Words at the root are a command that does not exist: its did-you-mean comes first, and nothing moves on a typo.
  if (words.length === 0 && action.args.length > 0) return;
  await runCommand(async () => (await import('./home-move.js'))[step](words.join(' ')));
  // Before the action, a refusal must keep the command from running (nothing is printed yet, so exiting loses nothing).
  if (step === 'moveOldHome' && process.exitCode) process.exit(process.exitCode);
}
