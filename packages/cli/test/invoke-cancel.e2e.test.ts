import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, makeAgentHome, runCli, type TempDir } from '@opperator/testing';

// Ctrl-C on a foreground `agent invoke` cancels its task (the CLI sends
// task.cancel, waits for the end and exits 130); a --detach run is not
// touched. Real daemon, agent and CLI processes.

let home: TempDir;
const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  const source = await readFile(new URL('./fixtures/worker-agent.ts', import.meta.url), 'utf8');
  home = await makeAgentHome([{ name: 'worker', source, yaml: 'auto_restart: false\nstart_with_daemon: true' }]);
  expect((await cli('daemon', 'start')).code).toBe(0);
  expect((await cli('agent', 'start', 'worker')).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await cli('daemon', 'stop');
  await home?.remove();
});

async function tasksOf(command: string): Promise<Array<{ id: string; state: string }>> {
  const tasks = JSON.parse((await cli('task', 'list', '--json')).stdout) as Array<{ id: string; command: string; state: string }>;
  return tasks.filter((task) => task.command === command);
}

describe('Ctrl-C on agent invoke', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s cancels the foreground command it started and exits %i', async (signal, exitCode) => {
    const { DBUS_SESSION_BUS_ADDRESS: _bus, BROWSER: _browser, ...base } = process.env;
    const child = spawn(process.execPath, [CLI_PATH, 'agent', 'invoke', 'worker', 'long'], { env: { ...base, OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    for (let i = 0; i < 100 && (await tasksOf('long')).every((task) => task.state !== 'running'); i += 1) await sleep(100);
    const [running] = (await tasksOf('long')).filter((task) => task.state === 'running');
    expect(running).toBeDefined();
    child.kill(signal);
    expect(await exited).toEqual({ code: exitCode, signal: null });
    expect(stderr).toContain(`cancelled task ${running!.id}.`);
    expect(stderr).toContain(running!.id);
    expect((await tasksOf('long')).find((task) => task.id === running!.id)?.state).toBe('cancelled');
  }, 30_000);

  it('leaves a detached command running', async () => {
    const detached = await cli('agent', 'invoke', 'worker', 'long', '--detach');
    expect(detached.code).toBe(0);
    const id = detached.stdout.trim();
    expect((await tasksOf('long')).find((task) => task.id === id)?.state).toBe('running');
    expect((await cli('task', 'cancel', id)).code).toBe(0);
  }, 30_000);
});
