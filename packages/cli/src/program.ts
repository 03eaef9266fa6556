import { Command } from 'commander';
import { runCommand } from './run-command.js';

/**
 * The `opperator` command tree. Every action loads its module only when it
 * runs, so `opperator secret list` does not load the keyring, the OAuth
 * toolkit or anything else it does not use.
 */
export function buildProgram(version: string): Command {
  const program = new Command('opperator')
    .description('Run OAuth-ready TypeScript agents in the background, with secrets in the OS keyring.')
    .version(version)
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(`opperator: ${text.replace(/^error: /, '')}`) })
    .exitOverride((err) => {
      // Commander's own usage errors (unknown command, missing argument) exit 2, like ours.
      process.exit(err.exitCode === 0 ? 0 : 2);
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

  program
    .command('doctor')
    .description('check the keyring and the browser opener, and say how to fix problems')
    .action(() => runCommand(async () => (await import('./commands/doctor.js')).doctor()));

  return program;
}
