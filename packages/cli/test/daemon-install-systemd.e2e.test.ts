import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgentHome, runCli, type TempDir } from '@opperator/testing';

// `daemon install` against a real systemd user manager, and a "reboot": the
// manager exits (stopping the service as at shutdown) and starts again
// (default.target, as at login or boot with lingering); the daemon comes
// back with the agents the user left running.
//
// The manager runs in a mount namespace of its own, with /run/systemd/system
// faked there only (systemd --user refuses to run on a system not booted with
// systemd), and private XDG_RUNTIME_DIR, XDG_CONFIG_HOME and HOME. So it runs
// only as root (unshare -m) and only where systemd is not PID 1: on a
// machine booted with systemd, the user's own session is never touched.

const SYSTEMD = ['/lib/systemd/systemd', '/usr/lib/systemd/systemd'].find((path) => existsSync(path));
const usable = process.getuid?.() === 0 && SYSTEMD !== undefined && !existsSync('/run/systemd/system');
const MANAGER_START_TIMEOUT_MS = 10_000;

const AGENT = `
import { Agent } from '@opperator/sdk';
export default class Plain extends Agent {
  async initialize() {}
}
`;

let home: TempDir | undefined;
let dirs: { runtime: string; config: string; userHome: string };
let manager: { pid: number; exited: Promise<void> } | undefined;

interface Row { name: string; state: string; pid: number | null }
const env = () => ({ OPPERATOR_HOME: home!.path, OPPERATOR_SECRET_STORE: 'file', XDG_RUNTIME_DIR: dirs.runtime, XDG_CONFIG_HOME: dirs.config, USER: 'root' });
const cli = (...args: string[]) => runCli(args, { env: env() });
const systemctl = (...args: string[]) => run('systemctl', ['--user', ...args]);

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  // XDG_CONFIG_HOME too: on a system not booted with systemd, systemctl answers unit-file questions (is-enabled) from the files itself.
  const child = spawn(command, args, { env: { ...process.env, XDG_RUNTIME_DIR: dirs.runtime, XDG_CONFIG_HOME: dirs.config }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output: output.trim() })));
}

/** Starts `systemd --user` on the private directories; undefined when it does not come up here. */
async function startManager(): Promise<typeof manager> {
  const script = 'mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system && exec "$0" --user';
  const child = spawn('unshare', ['-m', 'sh', '-c', script, SYSTEMD!], {
    env: { ...process.env, XDG_RUNTIME_DIR: dirs.runtime, XDG_CONFIG_HOME: dirs.config, XDG_DATA_HOME: join(dirs.userHome, '.local', 'share'), HOME: dirs.userHome, DBUS_SESSION_BUS_ADDRESS: '' },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + MANAGER_START_TIMEOUT_MS;
  while (Date.now() < deadline && !gone) {
    if ((await systemctl('show-environment')).code === 0) return { pid: child.pid!, exited };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!gone) child.kill('SIGKILL');
  return undefined;
}

/** Asks the manager to exit, which stops its services first (as at logout or shutdown). */
async function stopManager(): Promise<void> {
  if (!manager) return;
  await systemctl('exit');
  await manager.exited;
  manager = undefined;
}

/**
 * Waits for systemd's daemon to answer. Only then may agent commands run:
 * with no daemon answering they would start one of their own.
 */
async function waitForServiceDaemon(): Promise<number> {
  for (let i = 0; i < 150; i += 1) {
    const mainPid = Number((await systemctl('show', '--property=MainPID', '--value', 'opperator.service')).output);
    const status = await cli('daemon', 'status', '--json');
    if (mainPid > 0 && status.code === 0 && (JSON.parse(status.stdout) as { pid: number }).pid === mainPid) return mainPid;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('systemd never started the daemon');
}

async function agents(): Promise<Row[]> {
  return JSON.parse((await cli('agent', 'list', '--json')).stdout || '[]') as Row[];
}

async function waitForAgents(expected: Record<string, string>): Promise<Row[]> {
  let rows: Row[] = [];
  for (let i = 0; i < 150; i += 1) {
    rows = await agents().catch(() => []);
    if (JSON.stringify(Object.fromEntries(rows.map((row) => [row.name, row.state]))) === JSON.stringify(expected)) return rows;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`agents never became ${JSON.stringify(expected)}: ${JSON.stringify(rows)}`);
}

beforeAll(async () => {
  if (!usable) return;
  home = await makeAgentHome([{ name: 'kept', source: AGENT }, { name: 'other', source: AGENT }]);
  dirs = { runtime: join(home.path, 'xdg-run'), config: join(home.path, 'xdg-config'), userHome: join(home.path, 'user-home') };
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true, mode: 0o700 });
  manager = await startManager();
}, 30_000);

afterAll(async () => {
  await stopManager();
  if (home) await runCli(['daemon', 'stop'], { env: env() });
  await home?.remove();
}, 60_000);

describe.runIf(usable)('daemon install with a real systemd user manager', () => {
  it('takes over from a daemon started by hand, and survives a restart of the manager with the agents left running', async (context) => {
    if (!manager) return context.skip('systemd --user did not start here');
    expect((await cli('daemon', 'start')).code).toBe(0);
    expect((await cli('agent', 'start', 'kept')).code).toBe(0);
    const handStarted = await waitForAgents({ kept: 'running', other: 'stopped' });

    const installed = await cli('daemon', 'install');
    expect(installed, installed.stderr).toMatchObject({ code: 0 });
    expect(installed.stdout).toMatch(/Stopped the daemon that ran outside systemd \(pid \d+\)/);
    expect(installed.stdout).toContain('Enabled and running');
    expect((await systemctl('is-enabled', 'opperator.service')).output).toBe('enabled');
    await waitForServiceDaemon();
    const underSystemd = await waitForAgents({ kept: 'running', other: 'stopped' });
    expect(underSystemd[0]!.pid).not.toBe(handStarted[0]!.pid);

    // The user starts and stops another agent; then the "machine" goes down and comes back.
    expect((await cli('agent', 'start', 'other')).code).toBe(0);
    expect((await cli('agent', 'stop', 'other')).code).toBe(0);
    await stopManager();
    expect((await cli('daemon', 'status')).code).toBe(5);
    manager = await startManager();
    expect(manager).toBeDefined();
    await waitForServiceDaemon();
    const afterReboot = await waitForAgents({ kept: 'running', other: 'stopped' });
    expect(afterReboot[0]!.pid).not.toBe(underSystemd[0]!.pid);
    expect((await systemctl('show', '--property=ActiveState,Result', 'opperator.service')).output.split('\n').sort()).toEqual(['ActiveState=active', 'Result=success']);

    const again = await cli('daemon', 'install');
    expect(again.stdout).toContain('Already enabled and running');

    const removed = await cli('daemon', 'uninstall');
    expect(removed, removed.stderr).toMatchObject({ code: 0 });
    expect((await systemctl('is-enabled', 'opperator.service')).code).not.toBe(0);
    expect((await cli('daemon', 'status')).code).toBe(5);
  }, 120_000);
});
