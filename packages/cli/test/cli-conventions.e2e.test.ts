import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgentHome, makeTempDir, runCli, type TempDir } from '@opperator/testing';
import { buildProgram } from '../src/program.js';

// What a gh or pm2 user expects of a CLI (issue 16, "CLI conventions"),
// through the built CLI as a child process.

describe('help and suggestions', () => {
  let home: TempDir;
  const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });
  beforeAll(async () => {
    home = await makeTempDir('opperator-conventions-');
  });
  afterAll(async () => home?.remove());

  it('`help agent` and `agent help invoke` print the help of those commands', async () => {
    const agent = await cli('help', 'agent');
    expect(agent.code).toBe(0);
    expect(agent.stdout).toContain('Usage: opperator agent');
    expect(agent.stdout).toContain('invoke');
    const invoke = await cli('agent', 'help', 'invoke');
    expect(invoke.code).toBe(0);
    expect(invoke.stdout).toContain('Usage: opperator agent invoke');
  });

  it('a mistyped command is unknown, with a did-you-mean, and exits 2', async () => {
    const top = await cli('agnet', 'list');
    expect(top.code).toBe(2);
    expect(top.stderr).toContain("unknown command 'agnet'");
    expect(top.stderr).toContain('agent');
    expect(top.stderr).not.toContain('too many arguments');
    const nested = await cli('agent', 'lsit');
    expect(nested.code).toBe(2);
    expect(nested.stderr).toContain("unknown command 'lsit'");
    expect(nested.stderr).toContain('list');
  });

  it('-v prints the version, as --version does', async () => {
    const short = await cli('-v');
    expect(short.code).toBe(0);
    expect(short.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(short.stdout).toBe((await cli('--version')).stdout);
  });

  it('the root help lists examples, the environment variables and the exit codes', async () => {
    const { code, stdout } = await cli('--help');
    expect(code).toBe(0);
    expect(stdout).toContain('Examples:');
    expect(stdout).toContain('Environment:');
    for (const variable of ['OPPERATOR_HOME', 'OPPERATOR_SECRET_STORE', 'BROWSER', 'NO_COLOR', 'XDG_CONFIG_HOME', 'XDG_RUNTIME_DIR']) expect(stdout).toContain(variable);
    expect(stdout).toContain('Exit codes:');
    for (const code of [0, 1, 2, 3, 4, 5, 6, 130]) expect(stdout).toMatch(new RegExp(`^ +${code} `, 'm'));
  });

  it('`agent invoke --help` has examples', async () => {
    const { stdout } = await cli('agent', 'invoke', '--help');
    expect(stdout).toContain('Examples:');
    expect(stdout).toContain('--args');
  });

  it('--args that is not JSON says why, and exits 2', async () => {
    const { code, stderr } = await cli('agent', 'invoke', 'worker', 'echo', '--args', '{name:Ana}');
    expect(code).toBe(2);
    expect(stderr).toContain('--args must be a JSON object');
    expect(stderr).toMatch(/JSON|property name|position/);
    expect(stderr).toMatch(/Expected property name|Unexpected token/);
  });
});

describe('every command', () => {
  it('has a description', () => {
    const missing: string[] = [];
    const walk = (command: Command, path: string) => {
      for (const sub of command.commands) {
        const name = `${path} ${sub.name()}`.trim();
        if (!sub.description()) missing.push(name);
        walk(sub, name);
      }
    };
    walk(buildProgram('0.0.0'), '');
    expect(missing).toEqual([]);
  });
});

describe('with a running agent', () => {
  let home: TempDir;
  const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });

  beforeAll(async () => {
    const source = await readFile(new URL('./fixtures/worker-agent.ts', import.meta.url), 'utf8');
    home = await makeAgentHome([{ name: 'worker', source, yaml: 'auto_restart: false' }]);
    expect((await cli('daemon', 'start')).code).toBe(0);
    expect((await cli('agent', 'start', 'worker')).code).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await cli('daemon', 'stop');
    await home?.remove();
  });

  it('arguments the agent refuses are a usage error: exit 2 with its message', async () => {
    const { code, stderr } = await cli('agent', 'invoke', 'worker', 'echo', '--args', '{}');
    expect(code).toBe(2);
    expect(stderr).toContain('invalid arguments');
    expect(stderr).toContain('text');
  }, 30_000);

  it('a command that fails still exits 6', async () => {
    expect((await cli('agent', 'invoke', 'worker', 'fail')).code).toBe(6);
  }, 30_000);

  it('a mistyped agent name is not found (exit 3) with a did-you-mean', async () => {
    const { code, stderr } = await cli('agent', 'start', 'wroker');
    expect(code).toBe(3);
    expect(stderr).toContain('Did you mean worker?');
  }, 30_000);
});
