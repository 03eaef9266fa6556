import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@opperator/testing';
import { AgentProcess, AgentProcessRecords, readProcStat, stopLeftoverAgents } from '../../src/supervisor/index.js';
import { fixtureOptions } from './helpers.js';

// Real processes: a sleeper in its own process group stands for an agent a
// crashed daemon left behind.

let temp: TempDir;
const children: ChildProcess[] = [];
beforeEach(async () => (temp = await makeTempDir('agent-records-')));
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await temp.remove();
});

function sleeper(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
  children.push(child);
  return child;
}
const alive = (pid: number) => { const stat = readProcStat(pid); return stat !== undefined && stat.state !== 'Z'; };
/** A record as a daemon that has since died would have written it (pid 1 under another start time stands for "gone"). */
async function writeRecord(records: AgentProcessRecords, agent: string, pid: number, overrides: Record<string, unknown> = {}): Promise<void> {
  records.add(agent, pid);
  const file = join(records.dir, `${agent}.${pid}.json`);
  const record = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeFile(file, JSON.stringify({ ...record, daemonPid: 999_999_999, ...overrides }));
}

describe.skipIf(process.platform !== 'linux')('stopLeftoverAgents', () => {
  it('stops the group a dead daemon left, escalating to SIGKILL, and drops the record', async () => {
    const child = sleeper();
    const records = new AgentProcessRecords(join(temp.path, 'records'));
    await writeRecord(records, 'left', child.pid!);
    const outcomes = await stopLeftoverAgents(records.dir, { killWaitMs: 200, exitAfterKillMs: 2_000 });
    expect(outcomes).toEqual([{ agent: 'left', pid: child.pid, outcome: 'stopped', pids: [child.pid] }]);
    expect(alive(child.pid!)).toBe(false);
    expect(await readdir(records.dir)).toEqual([]);
  });

  it('leaves a process alone when its pid was reused (another start time)', async () => {
    const child = sleeper();
    const records = new AgentProcessRecords(join(temp.path, 'records'));
    await writeRecord(records, 'reused', child.pid!, { startTime: '1' });
    expect(await stopLeftoverAgents(records.dir, { killWaitMs: 200 })).toMatchObject([{ outcome: 'kept', pids: [] }]);
    expect(alive(child.pid!)).toBe(true);
  });

  it("leaves the agents of a daemon that still runs alone (this process plays that daemon)", async () => {
    const child = sleeper();
    const records = new AgentProcessRecords(join(temp.path, 'records'));
    records.add('live', child.pid!);
    expect(await stopLeftoverAgents(records.dir, { killWaitMs: 200 })).toMatchObject([{ outcome: 'kept' }]);
    expect(alive(child.pid!)).toBe(true);
    expect(await readdir(records.dir)).toHaveLength(1);
  });

  it('an AgentProcess is recorded while it runs and forgotten once it has exited', async () => {
    const records = new AgentProcessRecords(join(temp.path, 'records'));
    const agent = new AgentProcess(fixtureOptions('forever', [], { processRecords: records }));
    await agent.start();
    expect(await readdir(records.dir)).toEqual([`forever.${agent.pid}.json`]);
    await agent.stop();
    expect(await readdir(records.dir)).toEqual([]);
  });
});
