import { spawn } from 'node:child_process';
import { basename, dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, makeAgentHome, makeTempDir, runCli, type CliResult, type TempDir } from '@opperator/testing';

// The global `--home DIR` (issue 16, "CLI conventions"): the same as
// OPPERATOR_HOME=DIR, before or after the command, relative to the cwd.

/** `opperator ...args` in `cwd`, with OPPERATOR_HOME pointing somewhere else (so only --home can find the home). */
function cliIn(cwd: string, args: string[], decoy: string): Promise<CliResult> {
  const { DBUS_SESSION_BUS_ADDRESS: _bus, ...base } = process.env;
  const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd, env: { ...base, OPPERATOR_HOME: decoy, OPPERATOR_SECRET_STORE: 'file' } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end();
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('--home', () => {
  let home: TempDir;
  let decoy: TempDir;
  const viaEnv = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });
  const viaOption = (...args: string[]) => cliIn(decoy.path, args, decoy.path);

  beforeAll(async () => {
    home = await makeAgentHome([{ name: 'worker', source: "import { Agent } from '@opperator/sdk';\nexport default class Worker extends Agent {}\n", yaml: 'auto_restart: false' }]);
    decoy = await makeTempDir('opperator-decoy-home-');
  });

  afterAll(async () => {
    await viaEnv('daemon', 'stop');
    await runCli(['daemon', 'stop'], { env: { OPPERATOR_HOME: decoy.path } });
    await home?.remove();
    await decoy?.remove();
  });

  it('is listed in --help', async () => {
    expect((await runCli(['--help'])).stdout.replace(/\s+/g, ' ')).toContain('--home <dir> everything in this folder, as OPPERATOR_HOME=DIR does');
  });

  it('before the command, is OPPERATOR_HOME: what one writes the other reads', async () => {
    expect((await viaOption('--home', home.path, 'secret', 'set', 'token', 'one')).code).toBe(0);
    expect((await viaEnv('secret', 'list')).stdout).toContain('token');
    expect((await viaOption('secret', 'list')).stdout).not.toContain('token');
  });

  it('after the command and as --home=DIR too', async () => {
    expect((await viaOption('secret', 'list', '--home', home.path)).stdout).toContain('token');
    expect((await viaOption('secret', '--home', home.path, 'list')).stdout).toContain('token');
    expect((await viaOption(`--home=${home.path}`, 'secret', 'list')).stdout).toContain('token');
  });

  it('is resolved against the current directory when relative', async () => {
    const { code, stdout } = await cliIn(dirname(home.path), ['--home', basename(home.path), 'secret', 'list'], decoy.path);
    expect(code).toBe(0);
    expect(stdout).toContain('token');
  });

  it('reaches the daemon it starts: agent list and daemon status in that home', async () => {
    const list = await viaOption('--home', home.path, 'agent', 'list', '--json');
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ name: string }>).map((agent) => agent.name)).toEqual(['worker']);
    const status = JSON.parse((await viaOption('daemon', 'status', '--json', '--home', home.path)).stdout) as { home: string };
    expect(status.home).toBe(home.path);
    expect((await viaEnv('daemon', 'status')).code).toBe(0);
  }, 60_000);

  it('refuses an empty folder name (exit 2)', async () => {
    const { code, stderr } = await viaOption('--home', '', 'secret', 'list');
    expect(code).toBe(2);
    expect(stderr).toContain('--home');
  });
});
