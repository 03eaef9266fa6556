import { appendFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgentHome, runCli, type TempDir } from '@opperator/testing';

// What pm2 users expect, through the real CLI, a real daemon and real agent
// processes: `start|stop|restart all`, CPU/memory/uptime in `agent list`,
// `daemon restart`, `logs --since`, and a daemon log that stays bounded.

/** Keeps about half a core busy, so its CPU figure is far from 0. */
const BUSY_AGENT = `
import { Agent } from '@opperator/sdk';
export default class Busy extends Agent {
  async initialize() {
    setInterval(() => { const end = Date.now() + 20; while (Date.now() < end); }, 40);
  }
}
`;

/** Logs what it is told to, for --since. */
const CALM_AGENT = `
import { Agent } from '@opperator/sdk';
export default class Calm extends Agent {
  async initialize() {
    this.registerCommand('mark', async (args) => { this.logInfo('mark ' + String(args.text)); return 'ok'; }, { arguments: [{ name: 'text', type: 'string', required: true }] });
  }
}
`;

/** Never starts. */
const BROKEN_AGENT = `
import { Agent } from '@opperator/sdk';
export default class Broken extends Agent {
  async initialize() { throw new Error('broken on purpose'); }
}
`;

interface Row { name: string; state: string; pid: number | null; restarts: number; startedAt?: string; uptimeSeconds?: number; cpuPercent?: number; memoryBytes?: number; wanted?: boolean }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function cliIn(home: () => TempDir) {
  return (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home().path, OPPERATOR_SECRET_STORE: 'file' } });
}

describe('pm2 habits: all, usage columns, daemon restart, logs --since', () => {
  let home: TempDir;
  const cli = cliIn(() => home);
  const list = async (): Promise<Row[]> => JSON.parse((await cli('agent', 'list', '--json')).stdout || '[]') as Row[];
  const row = async (name: string) => (await list()).find((r) => r.name === name)!;

  beforeAll(async () => {
    home = await makeAgentHome([
      { name: 'busy', source: BUSY_AGENT },
      { name: 'calm', source: CALM_AGENT },
      { name: 'broken', source: BROKEN_AGENT, yaml: 'auto_restart: false' },
    ]);
    const started = await cli('daemon', 'start');
    expect(started, started.stderr).toMatchObject({ code: 0 });
  }, 60_000);

  afterAll(async () => {
    await cli('daemon', 'stop');
    await home?.remove();
  });

  it('start all starts every agent not running, reports each, and exits 1 naming the one that failed and why', async () => {
    const started = await cli('agent', 'start', 'all');
    expect(started.code, started.stderr).toBe(1);
    expect(started.stdout).toContain('Agent busy is running.');
    expect(started.stdout).toContain('Agent calm is running.');
    expect(started.stderr).toContain('opperator: agent broken did not start:');
    expect(started.stderr).toContain('broken on purpose');
    expect(started.stderr).toContain('1 agent(s) did not start: broken (reasons above). Their logs: opperator agent logs broken');
    expect(Object.fromEntries((await list()).map((r) => [r.name, r.state]))).toEqual({ busy: 'running', calm: 'running', broken: 'crashed' });

    // Again: the running ones are left alone and said so.
    const again = await cli('agent', 'start', 'all');
    expect(again.stdout).toContain('Agent busy is already running.');
    expect(again.stdout).toContain('Agent calm is already running.');
  }, 90_000);

  it('agent list shows CPU, memory, uptime and restarts; --json has ISO startedAt, uptimeSeconds, cpuPercent and memoryBytes', async () => {
    await sleep(1_500); // past MIN_CPU_WINDOW_MS since the previous list, so the figure covers this time
    const rows = await list();
    const busy = rows.find((r) => r.name === 'busy')!;
    expect(busy).toMatchObject({ state: 'running', restarts: 0 });
    expect(busy.startedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.now() - Date.parse(busy.startedAt!)).toBeLessThan(120_000);
    expect(busy.uptimeSeconds).toBeGreaterThanOrEqual(1);
    // About 50 % of a core; generous bounds for a loaded machine.
    expect(busy.cpuPercent).toBeGreaterThan(10);
    expect(busy.cpuPercent).toBeLessThan(150);
    expect(busy.memoryBytes).toBeGreaterThan(10_000_000);
    const calm = rows.find((r) => r.name === 'calm')!;
    expect(calm.cpuPercent).toBeLessThan(10);
    expect(calm.memoryBytes).toBeGreaterThan(10_000_000);
    // Not running: no figures at all.
    const broken = rows.find((r) => r.name === 'broken')!;
    expect(broken).not.toHaveProperty('startedAt');
    expect(broken).not.toHaveProperty('cpuPercent');
    expect(broken).not.toHaveProperty('memoryBytes');

    const table = await cli('agent', 'list');
    expect(table.code).toBe(0);
    const [header, ...lines] = table.stdout.split('\n');
    expect(header).toMatch(/^NAME\s+STATE\s+PID\s+CPU\s+MEM\s+UPTIME\s+RESTARTS\s+DESCRIPTION$/);
    expect(lines.find((line) => line.startsWith('busy'))).toMatch(/^busy\s+running\s+\d+\s+\d+\.\d%\s+\d+ MB\s+\d+s\s+0\s+test agent busy$/);
    expect(lines.find((line) => line.startsWith('broken'))).toMatch(/^broken\s+crashed\s+-\s+-\s+-\s+-\s+0\s+test agent broken$/);
  }, 30_000);

  it('restart all restarts the running agents (new pids) and the crashed one left running, and says which failed', async () => {
    const before = await list();
    const restarted = await cli('agent', 'restart', 'all');
    expect(restarted.code).toBe(1);
    expect(restarted.stdout).toContain('Agent busy is running.');
    expect(restarted.stdout).toContain('Agent calm is running.');
    expect(restarted.stderr).toContain('1 agent(s) did not restart: broken');
    const after = await list();
    for (const name of ['busy', 'calm']) {
      expect(after.find((r) => r.name === name)!.pid).not.toBe(before.find((r) => r.name === name)!.pid);
    }
  }, 90_000);

  it('logs --since keeps only lines from then on, with a duration or an ISO time, with -n; nonsense is a usage error', async () => {
    expect((await cli('agent', 'invoke', 'calm', 'mark', '--args', '{"text":"early"}')).code).toBe(0);
    await sleep(2_500);
    const between = new Date().toISOString();
    expect((await cli('agent', 'invoke', 'calm', 'mark', '--args', '{"text":"late"}')).code).toBe(0);
    expect((await cli('agent', 'invoke', 'calm', 'mark', '--args', '{"text":"later"}')).code).toBe(0);

    const all = await cli('agent', 'logs', 'calm');
    expect(all.stdout).toContain('mark early');
    const recent = await cli('agent', 'logs', 'calm', '--since', '2s');
    expect(recent.code, recent.stderr).toBe(0);
    expect(recent.stdout).not.toContain('mark early');
    expect(recent.stdout).toContain('mark late');
    const fromIso = await cli('agent', 'logs', 'calm', '--since', between, '--json');
    const messages = fromIso.stdout.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { message: string }).message);
    expect(messages).toEqual(['mark late', 'mark later']);
    const lastOne = await cli('agent', 'logs', 'calm', '--since', '1h', '-n', '1');
    expect(lastOne.stdout.trim().split('\n')).toHaveLength(1);
    expect(lastOne.stdout).toContain('mark later');

    const bad = await cli('agent', 'logs', 'calm', '--since', 'nonsense');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since "nonsense" is not a time');
    expect(bad.stderr).toContain('opperator agent logs calm --since 10m');
  }, 60_000);

  it('daemon restart stops and starts the daemon (new pid) and the agents that were running run again', async () => {
    const before = JSON.parse((await cli('daemon', 'status', '--json')).stdout) as { pid: number };
    const agentsBefore = await list();
    const restarted = await cli('daemon', 'restart');
    expect(restarted.code, restarted.stderr).toBe(0);
    const after = JSON.parse((await cli('daemon', 'status', '--json')).stdout) as { pid: number };
    expect(after.pid).not.toBe(before.pid);
    expect(restarted.stdout).toContain(`Daemon restarted (pid ${before.pid} -> ${after.pid}).`);
    expect(restarted.stdout).toContain('Running again: busy, calm.');
    const rows = await list();
    expect(Object.fromEntries(rows.map((r) => [r.name, r.state]))).toMatchObject({ busy: 'running', calm: 'running' });
    for (const name of ['busy', 'calm']) expect(rows.find((r) => r.name === name)!.pid).not.toBe(agentsBefore.find((r) => r.name === name)!.pid);
  }, 120_000);

  it('stop all stops every agent not stopped, crashed ones included; a second time there is nothing to do', async () => {
    const stopped = await cli('agent', 'stop', 'all');
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toContain('Agent busy is stopped.');
    expect(stopped.stdout).toContain('Agent calm is stopped.');
    expect((await list()).map((r) => r.state)).toEqual(['stopped', 'stopped', 'stopped']);
    const again = await cli('agent', 'stop', 'all');
    expect(again.code).toBe(0);
    expect(again.stdout.trim().split('\n').sort()).toEqual(['Agent broken is already stopped.', 'Agent busy is already stopped.', 'Agent calm is already stopped.']);
  }, 60_000);

  it('all is a reserved agent name', async () => {
    const created = await cli('agent', 'bootstrap', 'all');
    expect(created.code).toBe(2);
    expect(created.stderr).toContain('"all" is reserved');
    expect((await row('busy')).state).toBe('stopped');
  }, 30_000);
});

describe("the daemon's own log", () => {
  let home: TempDir;
  const cli = cliIn(() => home);
  const logPath = () => join(home.path, 'state', 'daemon.log');
  const size = async (path: string) => (await stat(path).catch(() => undefined))?.size;
  const MIB = 1024 * 1024;

  beforeAll(async () => {
    home = await makeAgentHome([]);
    await writeFile(join(home.path, 'agents.yaml'), 'agents: []\n');
  });

  afterAll(async () => {
    await cli('daemon', 'stop');
    await home?.remove();
  });

  it('is rotated at start when large (daemon.log.1 .. .3 kept), and while the daemon runs', async () => {
    await mkdir(join(home.path, 'state'), { recursive: true });
    await writeFile(logPath(), `old start\n${'x'.repeat(6 * MIB)}\n`);
    await writeFile(`${logPath()}.1`, 'rotated once\n');
    await writeFile(`${logPath()}.3`, 'oldest, dropped\n');
    const started = await cli('daemon', 'start');
    expect(started, started.stderr).toMatchObject({ code: 0 });
    expect((await readFile(`${logPath()}.1`, 'utf8')).startsWith('old start\n')).toBe(true);
    expect(await readFile(`${logPath()}.2`, 'utf8')).toBe('rotated once\n');
    expect(await readFile(`${logPath()}.3`, 'utf8').catch(() => 'none')).toBe('none');
    expect(await size(logPath())).toBeLessThan(4096);
    expect(await readFile(logPath(), 'utf8')).toContain('opperator daemon ready');

    // While it runs: the log grows past the limit (as if over months); within a check or two it is rotated.
    await appendFile(logPath(), `${'y'.repeat(6 * MIB)}\n`);
    let rotated = false;
    for (let i = 0; i < 150 && !rotated; i += 1) {
      await sleep(100);
      rotated = ((await size(logPath())) ?? 0) < MIB;
    }
    expect(rotated).toBe(true);
    expect(await readFile(`${logPath()}.1`, 'utf8')).toContain('opperator daemon ready');
    expect((await size(`${logPath()}.1`))!).toBeGreaterThan(6 * MIB);
    expect((await readFile(`${logPath()}.2`, 'utf8')).startsWith('old start\n')).toBe(true);
    expect(await readFile(`${logPath()}.3`, 'utf8')).toBe('rotated once\n');
    // The daemon goes on writing to the same file (append mode: no hole where the old text was).
    const text = await readFile(logPath(), 'utf8');
    expect(text).toMatch(/^opperator daemon: rotated this log/);
    expect(text).not.toContain('\0');
  }, 60_000);
});
