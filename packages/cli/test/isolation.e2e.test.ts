import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgentHome, runCli, type TempDir } from '@opperator/testing';

// `isolate: true` in agents.yaml: the agent runs under bubblewrap and sees its
// own folder, its build and the system, nothing else of the home. Real
// daemon, real bwrap, real agents.

/** Reports what it can reach, from inside its sandbox. */
const PROBE_AGENT = `
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Agent } from '@opperator/sdk';
const codeOf = (err) => (err && typeof err === 'object' && 'code' in err ? String(err.code) : String(err));
export default class Probe extends Agent {
  async initialize() {
    this.registerCommand('read', async (args) => {
      try { return { text: readFileSync(String(args.path), 'utf8') }; } catch (err) { return { error: codeOf(err) }; }
    }, { arguments: [{ name: 'path', type: 'string', required: true }] });
    this.registerCommand('connect', async (args) => new Promise((resolve) => {
      const socket = connect(String(args.path), () => { socket.destroy(); resolve({ connected: true }); });
      socket.on('error', (err) => resolve({ error: codeOf(err) }));
    }), { arguments: [{ name: 'path', type: 'string', required: true }] });
    this.registerCommand('write', async (args) => {
      writeFileSync(join(this.agentDir, 'written.txt'), String(args.text));
      return { home: process.env.HOME, pid: process.pid };
    }, { arguments: [{ name: 'text', type: 'string', required: true }] });
  }
}
`;

/** bwrap with the namespaces an isolated agent gets; the reason when it cannot run here. */
function bwrapUnavailable(): string | undefined {
  const run = spawnSync('bwrap', ['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', 'true'], { encoding: 'utf8' });
  if (run.status === 0) return undefined;
  return run.error ? `bwrap not found (${run.error.message}); install the Debian package bubblewrap` : `bwrap cannot create a sandbox here: ${run.stderr.trim()}`;
}
const unavailable = bwrapUnavailable();
if (unavailable) console.warn(`isolation.e2e: skipping the sandbox tests: ${unavailable}`);

interface CliRun { code: number | null; stdout: string; stderr: string }
const json = (run: CliRun) => {
  expect(run, run.stderr).toMatchObject({ code: 0 });
  return JSON.parse(run.stdout) as Record<string, unknown>;
};

describe.skipIf(unavailable !== undefined)('an isolated agent (isolate: true)', () => {
  let home: TempDir;
  const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });
  const invoke = async (command: string, args: Record<string, unknown>) => json(await cli('agent', 'invoke', 'boxed', command, '--args', JSON.stringify(args), '--json'));

  beforeAll(async () => {
    home = await makeAgentHome([
      { name: 'boxed', source: PROBE_AGENT, yaml: 'isolate: true\nstart_with_daemon: true' },
      { name: 'other', source: PROBE_AGENT },
    ]);
    await writeFile(join(home.path, 'agents', 'other', 'token.json'), '{"access_token":"other-agent-token"}\n', { mode: 0o600 });
    await writeFile(join(home.path, 'agents', 'boxed', 'note.txt'), 'mine');
    expect((await cli('secret', 'set', 'api_key', 'secret-value')).code).toBe(0);
    const started = await cli('daemon', 'start');
    expect(started, started.stderr).toMatchObject({ code: 0 });
    for (let i = 0; i < 100; i += 1) {
      const rows = JSON.parse((await cli('agent', 'list', '--json')).stdout || '[]') as Array<{ name: string; state: string }>;
      if (rows.find((row) => row.name === 'boxed')?.state === 'running') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`boxed never ran: ${await readFile(join(home.path, 'state', 'logs', 'boxed.log'), 'utf8').catch(() => '(no log)')}`);
  }, 60_000);

  afterAll(async () => {
    await cli('daemon', 'stop');
    await home?.remove();
  });

  it('runs its commands and reads and writes its own folder', async () => {
    expect(await invoke('read', { path: join(home.path, 'agents', 'boxed', 'note.txt') })).toEqual({ text: 'mine' });
    expect(await invoke('read', { path: 'note.txt' })).toEqual({ text: 'mine' });
    const wrote = await invoke('write', { text: 'from inside' });
    expect(await readFile(join(home.path, 'agents', 'boxed', 'written.txt'), 'utf8')).toBe('from inside');
    // Its HOME is its folder; it has a pid namespace of its own.
    expect(wrote.home).toBe(join(home.path, 'agents', 'boxed'));
    expect(wrote.pid).toBeLessThan(10);
  });

  it("cannot read another agent's token file, the secrets file or agents.yaml", async () => {
    for (const path of [join(home.path, 'agents', 'other', 'token.json'), join(home.path, 'secrets', 'secrets.json'), join(home.path, 'agents.yaml'), join(home.path, 'state', 'wanted-agents.json')]) {
      expect(await invoke('read', { path }), path).toEqual({ error: 'ENOENT' });
    }
    // The secrets file does exist, outside.
    expect(await readFile(join(home.path, 'secrets', 'secrets.json'), 'utf8')).toContain('api_key');
  });

  it('cannot connect to the control socket', async () => {
    expect(await invoke('connect', { path: join(home.path, 'run', 'daemon.sock') })).toEqual({ error: 'ENOENT' });
  });

  it('cannot see the daemon or other processes', async () => {
    const daemonPid = (json(await cli('daemon', 'status', '--json')) as { pid: number }).pid;
    expect(await invoke('read', { path: `/proc/${daemonPid}/cmdline` })).toEqual({ error: 'ENOENT' });
  });
});

describe('an isolated agent where bubblewrap is missing', () => {
  let home: TempDir;
  // PATH without bwrap: the daemon (started with this environment) cannot find it.
  const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file', PATH: join(home.path, 'empty-bin') } });

  beforeAll(async () => {
    home = await makeAgentHome([{ name: 'boxed', source: PROBE_AGENT, yaml: 'isolate: true' }]);
    await mkdir(join(home.path, 'empty-bin'));
  });

  afterAll(async () => {
    await cli('daemon', 'stop');
    await home?.remove();
  });

  it('refuses to start it, naming the cause and the fix, and never runs it unisolated', async () => {
    const started = await cli('agent', 'start', 'boxed');
    expect(started.code).not.toBe(0);
    expect(started.stderr).toMatch(/isolate: true/);
    expect(started.stderr).toMatch(/bubblewrap \(bwrap\) is not installed/);
    expect(started.stderr).toMatch(/apt-get install bubblewrap/);
    const rows = JSON.parse((await cli('agent', 'list', '--json')).stdout) as Array<{ name: string; state: string; pid: number | null }>;
    expect(rows.find((row) => row.name === 'boxed')).toMatchObject({ state: 'crashed', pid: null });
  });
});
