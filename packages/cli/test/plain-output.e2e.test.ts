import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, makeAgentHome, runCli, type TempDir } from '@opperator/testing';
import { buildProgram } from '../src/program.js';

// Issue 16, "Consistent output": colour and control sequences only on a
// terminal, never with NO_COLOR. Piped, or with NO_COLOR on a terminal, no
// output of the CLI holds an ESC byte.

const ESC = '\u001b';
const hasScript = spawnSync('sh', ['-c', 'command -v script']).status === 0;

/** Every command path of the program, for `PATH --help`. */
function commandPaths(command: Command, path: string[] = []): string[][] {
  return command.commands.flatMap((sub) => [[...path, sub.name()], ...commandPaths(sub, [...path, sub.name()])]);
}

describe('output without escape sequences', () => {
  let home: TempDir;
  const env = () => ({ OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' });
  const cli = (...args: string[]) => runCli(args, { env: env() });
  /** What the CLI writes to a terminal (a pseudo-terminal from util-linux `script`), raw bytes included. */
  const onTerminal = (args: string[], extra: Record<string, string>) => {
    const command = [process.execPath, CLI_PATH, ...args].map((word) => `'${word.replace(/'/g, "'\\''")}'`).join(' ');
    // Commands that fail (a usage error) are checked too: their exit code is not the point here.
    return spawnSync('script', ['-qec', command, '/dev/null'], { env: { ...process.env, ...env(), TERM: 'xterm-256color', ...extra }, encoding: 'utf8' }).stdout;
  };
  const everyday = [['agent', 'list'], ['agent', 'logs', 'worker'], ['agent', 'sections', 'worker'], ['agent', 'commands', 'worker'], ['task', 'list'], ['daemon', 'status'], ['secret', 'list'], ['agent', 'invoke', 'worker', 'count'], ['--help'], ['agnet']];

  beforeAll(async () => {
    const source = await readFile(new URL('./fixtures/worker-agent.ts', import.meta.url), 'utf8');
    home = await makeAgentHome([{ name: 'worker', source, yaml: 'auto_restart: false' }]);
    expect((await cli('agent', 'start', 'worker')).code).toBe(0);
    expect((await cli('secret', 'set', 'token', 'value')).code).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await cli('daemon', 'stop');
    await home?.remove();
  });

  it('piped: the help of every command', async () => {
    for (const path of [[], ...commandPaths(buildProgram('0.0.0'))]) {
      const { stdout, stderr } = await cli(...path, '--help');
      expect(stdout + stderr, `${path.join(' ')} --help`).not.toContain(ESC);
    }
  }, 60_000);

  it('piped: everyday commands, a command that fails and a usage error', async () => {
    for (const args of [...everyday, ['agent', 'invoke', 'worker', 'fail'], ['agent', 'invoke', 'worker', 'echo', '--args', '{x']]) {
      const { stdout, stderr } = await cli(...args);
      expect(stdout + stderr, args.join(' ')).not.toContain(ESC);
    }
  }, 60_000);

  it.skipIf(!hasScript)('on a terminal with NO_COLOR (needs util-linux script)', () => {
    expect(onTerminal(['--help'], { NO_COLOR: '1' })).toContain('Usage: opperator');
    for (const args of everyday) expect(onTerminal(args, { NO_COLOR: '1' }), args.join(' ')).not.toContain(ESC);
  }, 60_000);
});
