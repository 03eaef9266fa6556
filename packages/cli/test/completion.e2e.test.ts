import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, makeAgentHome, makeTempDir, runCli, type TempDir } from '@opperator/testing';
import { buildProgram } from '../src/program.js';

// `opperator completion bash|zsh|fish` (issue 16, "CLI conventions"): the
// printed scripts complete in the real shells, against the built CLI on PATH.

const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
const BASH_COMPLETION = '/usr/share/bash-completion/bash_completion';
const hasBashCompletion = spawnSync('test', ['-f', BASH_COMPLETION]).status === 0;

let home: TempDir;
let work: TempDir;
let bin: string;
const scripts: Record<string, string> = {};

/** The environment of a shell that has `opperator` (this build) on PATH and this test's home. */
function shellEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DBUS_SESSION_BUS_ADDRESS: _bus, OPPERATOR_HOME: _home, ...base } = process.env;
  return { ...base, PATH: `${bin}:${process.env.PATH}`, OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file', ...extra };
}

/** COMPREPLY of the bash completion function for `line` (the cursor at its end), as bash-completion calls it. */
function bashComplete(line: string, options: { cwd?: string; env?: Record<string, string> } = {}): string[] {
  const program = [
    `source ${BASH_COMPLETION}`,
    `source ${scripts.bash}`,
    'COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}',
    // The words as readline splits them, with an empty last one after a trailing space.
    'read -ra COMP_WORDS <<< "$COMP_LINE"; [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")',
    'COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))',
    '__opperator_complete',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const out = execFileSync('bash', ['-c', program, 'bash', line], { env: shellEnv(options.env), cwd: options.cwd ?? work.path, encoding: 'utf8' });
  return out.split('\n').filter(Boolean);
}

/** The candidates zsh's completion function hands to `_describe` (or the `_arguments` file completion it asks for) for `words`. */
function zshComplete(words: string[]): string[] {
  const program = [
    'compdef() { : }',
    // Stand-ins for the completion system's functions: print what the script gives them.
    '_describe() { local name=$2; print -rl -- ${(P)name} }',
    '_arguments() { print -r -- "_arguments $*" }',
    `source ${scripts.zsh}`,
    'words=("$@"); CURRENT=$#words',
    '_opperator',
  ].join('\n');
  const out = execFileSync('zsh', ['-f', '-c', program, 'zsh', ...words], { env: shellEnv(), cwd: work.path, encoding: 'utf8' });
  return out.split('\n').filter(Boolean);
}

/** What fish's own completion engine offers for `line` (`complete --do-complete`). */
function fishComplete(line: string): string[] {
  const out = execFileSync('fish', ['--no-config', '-c', `source ${scripts.fish}; complete --do-complete "${line}"`], { env: shellEnv(), cwd: work.path, encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map((entry) => entry.split('\t')[0] ?? '');
}

beforeAll(async () => {
  const source = await readFile(new URL('./fixtures/worker-agent.ts', import.meta.url), 'utf8');
  home = await makeAgentHome([
    { name: 'worker', source, yaml: 'auto_restart: false' },
    { name: 'github-watch', source },
  ]);
  work = await makeTempDir('opperator-completion-');
  bin = join(work.path, 'bin');
  await mkdir(bin);
  await mkdir(join(work.path, 'my-agent'));
  await writeFile(join(bin, 'opperator'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_PATH)} "$@"\n`);
  await chmod(join(bin, 'opperator'), 0o755);
  for (const shell of ['bash', 'zsh', 'fish']) {
    const { code, stdout } = await runCli(['completion', shell]);
    expect(code).toBe(0);
    scripts[shell] = join(work.path, `opperator.${shell}`);
    await writeFile(scripts[shell], stdout);
  }
}, 60_000);

afterAll(async () => {
  await runCli(['daemon', 'stop'], { env: { OPPERATOR_HOME: home.path } });
  await home?.remove();
  await work?.remove();
});

describe('opperator completion', () => {
  it('says how to install each script in its --help, and refuses another shell (exit 2)', async () => {
    const help = await runCli(['completion', '--help']);
    expect(help.stdout).toContain('~/.local/share/bash-completion/completions/opperator');
    expect(help.stdout).toContain('~/.config/fish/completions/opperator.fish');
    expect(help.stdout).toContain('fpath=');
    expect((await runCli(['completion', 'tcsh'])).code).toBe(2);
    expect((await runCli(['--help'])).stdout).toContain('completion');
    // The hidden command the scripts call is in neither the help nor a did-you-mean.
    expect((await runCli(['--help'])).stdout).not.toMatch(/^ {2}complete /m);
    expect((await runCli(['complet'])).stderr).not.toContain("'complete'");
  });

  it('completes every command of the program tree, so a new command completes without being listed', async () => {
    const walk = async (command: Command, path: string[]) => {
      const visible = command.createHelp().visibleCommands(command);
      if (visible.length === 0) return;
      const { stdout } = await runCli(['complete', '--', ...path, ''], { env: { OPPERATOR_HOME: home.path } });
      const offered = stdout.split('\n').map((line) => line.split('\t')[0]);
      for (const sub of visible) expect(offered, `${path.join(' ')} <TAB>`).toContain(sub.name());
      for (const sub of visible) await walk(sub, [...path, sub.name()]);
    };
    await walk(buildProgram('0.0.0'), []);
  }, 60_000);
});

describe.skipIf(!has('bash') || !hasBashCompletion)('in bash (needs bash and the bash-completion package)', () => {
  it('completes commands, subcommands and options', () => {
    expect(bashComplete('opperator ag')).toEqual(['agent']);
    expect(bashComplete('opperator agent st')).toEqual(expect.arrayContaining(['start', 'stop']));
    expect(bashComplete('opperator agent logs --f')).toEqual(['--follow']);
    expect(bashComplete('opperator completion ')).toEqual(['bash', 'zsh', 'fish']);
    expect(bashComplete('opperator agent logs worker --')).toEqual(expect.arrayContaining(['--follow', '--json', '--home']));
  });

  it('completes agent names from agents.yaml without starting the daemon', async () => {
    expect(bashComplete('opperator agent logs ').sort()).toEqual(['github-watch', 'worker']);
    // start|stop|restart also take `all` (their argument says so).
    expect(bashComplete('opperator agent start ').sort()).toEqual(['all', 'github-watch', 'worker']);
    expect(bashComplete('opperator agent logs g')).toEqual(['github-watch']);
    expect(bashComplete('opperator task list --agent w')).toEqual(['worker']);
    expect((await runCli(['daemon', 'status'], { env: { OPPERATOR_HOME: home.path } })).code).toBe(5);
  });

  it('reads the home given by --home on the line', async () => {
    const other = await makeAgentHome([{ name: 'elsewhere', source: '' }]);
    try {
      expect(bashComplete(`opperator --home ${other.path} agent logs `)).toEqual(['elsewhere']);
    } finally {
      await other.remove();
    }
  });

  it('leaves folders to the shell where a folder is wanted', () => {
    expect(bashComplete('opperator agent add my')).toEqual(['my-agent']);
    expect(bashComplete('opperator --home my')).toEqual(['my-agent']);
  });

  it("completes a running agent's commands after `agent invoke NAME`", async () => {
    expect((await runCli(['agent', 'start', 'worker'], { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } })).code).toBe(0);
    expect(bashComplete('opperator agent invoke worker ')).toEqual(expect.arrayContaining(['echo', 'count', 'fail']));
    expect(bashComplete('opperator agent invoke worker ec')).toEqual(['echo']);
  }, 60_000);
});

describe.skipIf(!has('zsh'))('in zsh (needs zsh)', () => {
  it('completes commands, options and agent names, with descriptions', () => {
    expect(zshComplete(['opperator', 'ag'])).toEqual(['agent:run, watch and talk to agents']);
    // value:description, as _describe takes them; agent names come without one.
    expect(zshComplete(['opperator', 'agent', 'logs', '']).sort()).toEqual(['github-watch:', 'worker:']);
    expect(zshComplete(['opperator', 'agent', 'logs', '--f'])).toEqual(['--follow:keep printing new lines']);
    expect(zshComplete(['opperator', 'agent', 'add', ''])).toEqual(["_arguments *:dirname:_files -/ "]);
  });
});

describe.skipIf(!has('fish'))('in fish (needs fish)', () => {
  it("completes commands, options and agent names through fish's own completion engine", () => {
    expect(fishComplete('opperator ag')).toEqual(['agent']);
    expect(fishComplete('opperator agent logs ').sort()).toEqual(['github-watch', 'worker']);
    expect(fishComplete('opperator agent logs --f')).toEqual(['--follow']);
  });
});
