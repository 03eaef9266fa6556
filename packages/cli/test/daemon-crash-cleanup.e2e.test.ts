import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeAgentHome, runCli, type TempDir } from '@opperator/testing';

// A daemon killed with SIGKILL leaves its agents behind: one stops on the end
// of its input but its child process lives on (it shares the agent's process
// group), the other is stuck in a command and reads nothing. The daemon
// started next must stop both groups before it starts the agents again:
// exactly one instance of each, the orphans gone.

const MARKER = `opperator-orphan-${process.pid}-${Date.now()}`;

/** Starts a helper process (same process group) that would outlive the agent. */
const PARENT_AGENT = `
import { spawn } from 'node:child_process';
import { Agent } from '@opperator/sdk';
export default class Parent extends Agent {
  async initialize() {
    spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '${MARKER}'], { stdio: 'ignore' });
  }
}
`;

/** Its \`spin\` command blocks the event loop: it reads neither its input nor SIGTERM. */
const BUSY_AGENT = `
import { Agent } from '@opperator/sdk';
export default class Busy extends Agent {
  async initialize() {
    this.registerCommand('spin', async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const until = Date.now() + 120_000;
      while (Date.now() < until) { /* busy */ }
      return 'done';
    }, { async: true });
  }
}
`;

let home: TempDir | undefined;
const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home!.path, OPPERATOR_SECRET_STORE: 'file' } });

afterEach(async () => {
  await cli('daemon', 'stop');
  // Whatever a failed run left behind goes with it.
  for (const pid of await processesWith(home?.path ?? MARKER)) process.kill(pid, 'SIGKILL');
  for (const pid of await processesWith(MARKER)) process.kill(pid, 'SIGKILL');
  await home?.remove();
});

/** Live processes whose command line contains `text` (zombies excluded). */
async function processesWith(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (cmdline.includes(text) && !/^\d+ \(.*\) [ZX]/.test(stat)) pids.push(Number(entry));
  }
  return pids;
}

const agentProcesses = (name: string) => processesWith(join(home!.path, 'state', 'build', name, 'agent.mjs'));

async function waitUntil(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} never happened`);
}

describe('after a daemon crash', () => {
  it('the restarted daemon stops the agents and helpers the old one left, then runs exactly one instance of each', async () => {
    home = await makeAgentHome([
      { name: 'parent', source: PARENT_AGENT, yaml: 'start_with_daemon: true' },
      { name: 'busy', source: BUSY_AGENT, yaml: 'start_with_daemon: true' },
    ]);
    expect((await cli('daemon', 'start')).code).toBe(0);
    await waitUntil('both agents running', async () => {
      const rows = JSON.parse((await cli('agent', 'list', '--json')).stdout || '[]') as Array<{ state: string }>;
      return rows.length === 2 && rows.every((row) => row.state === 'running');
    });
    await waitUntil('the helper started', async () => (await processesWith(MARKER)).length === 1);
    const invoked = await cli('agent', 'invoke', 'busy', 'spin', '--detach');
    expect(invoked, invoked.stderr).toMatchObject({ code: 0 });
    await new Promise((resolve) => setTimeout(resolve, 300));

    const before = { parent: await agentProcesses('parent'), busy: await agentProcesses('busy'), helper: await processesWith(MARKER) };
    expect([before.parent.length, before.busy.length, before.helper.length]).toEqual([1, 1, 1]);
    const daemonPid = (JSON.parse((await cli('daemon', 'status', '--json')).stdout) as { pid: number }).pid;
    process.kill(daemonPid, 'SIGKILL');
    await waitUntil('the daemon gone', async () => !(await processesWith(home!.path)).includes(daemonPid));
    // What the crash left: the helper outlives its agent, the busy agent never notices.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await processesWith(MARKER)).toEqual(before.helper);
    expect(await agentProcesses('busy')).toEqual(before.busy);

    const restarted = await cli('daemon', 'start');
    expect(restarted, restarted.stderr).toMatchObject({ code: 0 });
    await waitUntil('both agents running again', async () => {
      const rows = JSON.parse((await cli('agent', 'list', '--json')).stdout || '[]') as Array<{ state: string }>;
      return rows.length === 2 && rows.every((row) => row.state === 'running');
    });
    await waitUntil('the new helper started', async () => (await processesWith(MARKER)).some((pid) => !before.helper.includes(pid)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = { parent: await agentProcesses('parent'), busy: await agentProcesses('busy'), helper: await processesWith(MARKER) };
    expect(after.parent).toHaveLength(1);
    expect(after.busy).toHaveLength(1);
    expect(after.helper).toHaveLength(1);
    expect([...after.parent, ...after.busy, ...after.helper].filter((pid) => [...before.parent, ...before.busy, ...before.helper].includes(pid))).toEqual([]);
  }, 90_000);
});
