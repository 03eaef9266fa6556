import { spawn, type ChildProcess } from 'node:child_process';
import { access, readdir, readFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_PATH, makeAgentHome, makeTempDir, runCli, type TempDir } from '@opperator/testing';

// Ctrl-C (SIGINT) or SIGTERM to a CLI command while the daemon or the sandbox
// it started is not answering yet: the command stops that process (it is
// detached, so the terminal's signal does not reach it) and exits 130 / 143;
// nothing is left, checked by pid and by path. A foreground daemon stops its
// agents and gives back its socket and pid file. All real processes.

const homes: TempDir[] = [];
const frozen: number[] = [];
afterEach(async () => {
  // A failed test must not leave a stopped process behind.
  for (const pid of frozen.splice(0)) signal(pid, 'SIGKILL');
  for (const home of homes.splice(0)) await home.remove();
});

const alive = (pid: number) => signal(pid, 0);
const exists = (path: string) => access(path).then(() => true, () => false);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function signal(pid: number, name: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

/** The CLI in its own process group, as a terminal's foreground job, with its output collected. */
function startCli(args: string[], env: Record<string, string>) {
  const { DBUS_SESSION_BUS_ADDRESS: _desktopBus, BROWSER: _browser, ...base } = process.env;
  const child = spawn(process.execPath, [CLI_PATH, ...args], { env: { ...base, OPPERATOR_SECRET_STORE: 'file', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  return { child, output, closed };
}

/** Pids whose parent is `parent`, from /proc (Linux). */
async function childrenOf(parent: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) pids.push(Number(entry));
  }
  return pids;
}

/**
 * Catches the process the CLI spawns as soon as it exists and freezes it
 * (SIGSTOP), so the interrupt surely comes while it is still starting.
 */
async function freezeFirstChild(cli: ChildProcess): Promise<number> {
  for (let i = 0; i < 2_000; i += 1) {
    const [pid] = await childrenOf(cli.pid!);
    if (pid) {
      signal(pid, 'SIGSTOP');
      frozen.push(pid);
      return pid;
    }
    await sleep(2);
  }
  throw new Error('the CLI started no process');
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000, seen: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${seen() ? `; seen: ${seen()}` : ''}`);
    await sleep(50);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const portTaken = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('interrupting a command that is starting the daemon or the sandbox', () => {
  it.each([
    { args: ['agent', 'list'], sent: 'SIGINT' as const, code: 130, word: 'Interrupted' },
    { args: ['daemon', 'start'], sent: 'SIGTERM' as const, code: 143, word: 'Terminated' },
  ])('$sent to `opperator $args.0 $args.1` stops the daemon it was starting, exits $code', async ({ args, sent, code, word }) => {
    const home = await makeTempDir('opperator-interrupt-');
    homes.push(home);
    const cli = startCli(args, { OPPERATOR_HOME: home.path });
    const daemonPid = await freezeFirstChild(cli.child);
    const socketPath = join(home.path, 'run', 'daemon.sock');
    const pidFile = join(home.path, 'run', 'daemon.pid');
    expect(await exists(socketPath), 'the daemon was frozen too late to test an interrupted start').toBe(false);

    // Ctrl-C reaches the terminal's whole foreground group; a SIGTERM (kill, a service manager) only the CLI.
    signal(sent === 'SIGINT' ? -cli.child.pid! : cli.child.pid!, sent);
    await waitFor('the CLI to say it stops the daemon', () => cli.output.stderr.includes(`${word}: stopping the daemon that was starting (pid ${daemonPid})`), 20_000, () => JSON.stringify(cli.output));
    signal(daemonPid, 'SIGCONT');
    expect(await cli.closed, cli.output.stderr).toBe(code);

    expect(cli.output.stderr).toContain(`opperator: stopped the daemon (pid ${daemonPid}) that this command started; nothing it started is left running.`);
    expect(alive(daemonPid)).toBe(false);
    expect({ socket: await exists(socketPath), pidFile: await exists(pidFile) }).toEqual({ socket: false, pidFile: false });
    // Nothing answers for this home any more.
    const status = await runCli(['daemon', 'status'], { env: { OPPERATOR_HOME: home.path } });
    expect(status.code).toBe(5);
  }, 60_000);

  it('SIGINT to `opperator sandbox start` stops the sandbox it was starting; the port is free and it starts again', async () => {
    const home = await makeTempDir('opperator-interrupt-');
    homes.push(home);
    const port = await freePort();
    const cli = startCli(['sandbox', 'start', '--port', String(port)], { OPPERATOR_HOME: home.path });
    const sandboxPid = await freezeFirstChild(cli.child);

    signal(-cli.child.pid!, 'SIGINT');
    await waitFor('the CLI to say it stops the sandbox', () => cli.output.stderr.includes(`Interrupted: stopping the sandbox that was starting (pid ${sandboxPid})`), 20_000, () => JSON.stringify({ ...cli.output, exit: cli.child.exitCode, sandboxPid }));
    signal(sandboxPid, 'SIGCONT');
    expect(await cli.closed, cli.output.stderr).toBe(130);

    expect(cli.output.stderr).toContain(`opperator: stopped the sandbox (pid ${sandboxPid}) that this command started`);
    expect(alive(sandboxPid)).toBe(false);
    expect(await portTaken(port)).toBe(false);
    // The record keeps the clients (their secrets must not change) but names no process.
    const record = JSON.parse(await readFile(join(home.path, 'state', 'sandbox.json'), 'utf8')) as { pid?: number; clients: unknown[] };
    expect(record.pid).toBeUndefined();
    expect(record.clients.length).toBeGreaterThan(0);
    expect((await runCli(['sandbox', 'status'], { env: { OPPERATOR_HOME: home.path } })).code).toBe(5);

    const again = await runCli(['sandbox', 'start', '--port', String(port)], { env: { OPPERATOR_HOME: home.path } });
    expect(again.code, again.stderr).toBe(0);
    expect((await runCli(['sandbox', 'stop'], { env: { OPPERATOR_HOME: home.path } })).code).toBe(0);
  }, 60_000);

  it('Ctrl-C to `opperator daemon start --foreground` while an agent starts: the agent and the daemon stop, socket and pid file removed, exit 130', async () => {
    // initialize() never finishes: the daemon is still starting its agents when the signal comes.
    const source = "import { Agent } from '@opperator/sdk';\nexport default class Slow extends Agent {\n  async initialize() {\n    await new Promise((resolve) => setTimeout(resolve, 120_000));\n  }\n}\n";
    const home = await makeAgentHome([{ name: 'slow', source, yaml: 'start_with_daemon: true\nauto_restart: false' }]);
    homes.push(home);
    const daemon = startCli(['daemon', 'start', '--foreground'], { OPPERATOR_HOME: home.path });
    let agentPid = 0;
    await waitFor('the agent process', async () => {
      const list = await runCli(['agent', 'list', '--json'], { env: { OPPERATOR_HOME: home.path } });
      const row = list.code === 0 ? (JSON.parse(list.stdout) as Array<{ state: string; pid: number | null }>)[0] : undefined;
      agentPid = row?.state === 'starting' && row.pid ? row.pid : 0;
      return agentPid > 0;
    }, 40_000);
    // Its start is not over: it waits for the agent's `ready`.
    expect(daemon.output.stdout).not.toContain('opperator daemon ready');

    signal(-daemon.child.pid!, 'SIGINT');
    expect(await daemon.closed, daemon.output.stderr).toBe(130);

    expect(daemon.output.stderr).toContain('opperator daemon: SIGINT: stopping the agents, then the daemon');
    expect(daemon.output.stderr).toContain('opperator daemon: stopped (SIGINT)');
    expect({ daemon: alive(daemon.child.pid!), agent: alive(agentPid) }).toEqual({ daemon: false, agent: false });
    expect({ socket: await exists(join(home.path, 'run', 'daemon.sock')), pidFile: await exists(join(home.path, 'run', 'daemon.pid')) }).toEqual({ socket: false, pidFile: false });
  }, 90_000);
});
