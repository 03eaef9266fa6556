import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgentHome, runCli, type TempDir } from '@opperator/testing';
import { MAX_LINE_BYTES, MAX_MESSAGE_DEPTH } from '@opperator/protocol';
import { MAX_SECTION_BYTES, MAX_SECTIONS_PER_AGENT } from '../src/stores/section-store.js';
import { MAX_TASK_VALUE_BYTES } from '../src/stores/task-store.js';
import { HOSTILE_AGENT } from './hostile/hostile-agent.js';
import { isAlive, nestedJson, RawControlClient } from './hostile/control-client.js';

// One real daemon (the built CLI starts it) and one agent that writes
// hostile lines of its own; a watcher (what the TUI keeps open) is connected
// throughout, since most of these used to kill the daemon only with one.

let home: TempDir;
let pid: number;
let client: RawControlClient;
let watcher: RawControlClient;
const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });

async function expectHealthy(): Promise<void> {
  expect(isAlive(pid)).toBe(true);
  const list = await client.request('task.list');
  expect(list).toMatchObject({ ok: true });
  const invoked = await client.request('agent.invoke', { name: 'hostile', command: 'work', args: { n: 1 } });
  expect(invoked).toMatchObject({ ok: true, result: { ok: true, result: { bytes: 7 } } });
  expect(await client.request('agent.sections', { name: 'hostile' })).toMatchObject({ ok: true });
}

beforeAll(async () => {
  home = await makeAgentHome([{ name: 'hostile', source: HOSTILE_AGENT, yaml: 'auto_restart: false' }]);
  const started = await cli('daemon', 'start');
  expect(started, started.stderr).toMatchObject({ code: 0 });
  expect((await cli('agent', 'start', 'hostile')).code).toBe(0);
  client = await RawControlClient.connect(join(home.path, 'run', 'daemon.sock'));
  const status = await client.request('daemon.status');
  pid = (status as { result: { pid: number } }).result.pid;
  watcher = await RawControlClient.connect(join(home.path, 'run', 'daemon.sock'));
  watcher.start('watch');
}, 60_000);

afterAll(async () => {
  client?.close();
  watcher?.close();
  await cli('daemon', 'stop');
  await home?.remove();
});

describe('hostile input on the control socket', () => {
  it('answers a 40 KB request nesting 20,000 deep with an error of its own, and the task store keeps working', async () => {
    const line = `{"id":"deep","method":"agent.invoke","params":{"name":"hostile","command":"work","args":{"x":${nestedJson(20_000)}}}}`;
    const answer = await client.sendRaw(line, 'deep');
    expect(answer).toMatchObject({ ok: false, error: { code: 'DAEMON_REQUEST_TOO_DEEP' } });
    expect(JSON.stringify(answer)).toContain(String(MAX_MESSAGE_DEPTH));
    await expectHealthy();
  });

  it('answers a request over the line limit with an error of its own instead of leaving it waiting', async () => {
    const answer = await client.sendRaw(`{"id":"huge","method":"agent.list","params":{"p":"${'p'.repeat(MAX_LINE_BYTES)}"}}`, 'huge');
    expect(answer).toMatchObject({ ok: false, error: { code: 'DAEMON_REQUEST_TOO_LARGE' } });
    await expectHealthy();
  });

  it('answers a line that is not a valid request when its id can be read, instead of leaving it waiting', async () => {
    expect(await client.sendRaw('{"id":"bad","method":7}', 'bad')).toMatchObject({ ok: false, error: { code: 'DAEMON_BAD_REQUEST' } });
    expect(await client.sendRaw('{"id":42,"method":"agent.list","params":[1,2]}', 42)).toMatchObject({ ok: false, error: { code: 'DAEMON_BAD_REQUEST' } });
  });

  it('stores large task arguments and results apart from the record: the caller still gets the whole result', async () => {
    const args = { big: 'a'.repeat(MAX_TASK_VALUE_BYTES * 4), resultBytes: MAX_TASK_VALUE_BYTES * 4 };
    const answer = await client.request('agent.invoke', { name: 'hostile', command: 'work', args });
    expect(answer).toMatchObject({ ok: true, result: { ok: true, result: { bytes: JSON.stringify(args).length } } });
    expect((answer as { result: { result: { big: string } } }).result.result.big).toHaveLength(MAX_TASK_VALUE_BYTES * 4);
    const { taskId } = (answer as { result: { taskId: string } }).result;
    const record = (await client.request('task.get', { id: taskId })) as { ok: true; result: Record<string, unknown> };
    expect(record.result).toMatchObject({ state: 'succeeded', args: {}, omitted: { args: expect.any(Number), result: expect.any(Number) } });
    expect(JSON.stringify(record.result).length).toBeLessThan(MAX_TASK_VALUE_BYTES * 2);
    await new Promise((resolve) => setTimeout(resolve, 600)); // the coalesced write
    expect((await stat(join(home.path, 'state', 'tasks.json'))).size).toBeLessThan(MAX_TASK_VALUE_BYTES * 4);
  });
});

describe('hostile lines on the agent pipe', () => {
  it('survives a log line whose fields nest 20,000 deep, and says so in the agent log', async () => {
    expect(await client.request('agent.invoke', { name: 'hostile', command: 'deep-log' })).toMatchObject({ ok: true, result: { ok: true } });
    await expectHealthy();
    const logs = await readFile(join(home.path, 'state', 'logs', 'hostile.log'), 'utf8');
    expect(logs).toContain(`nests deeper than ${MAX_MESSAGE_DEPTH} levels`);
  });

  it('fails the command whose response nests too deep, instead of leaving its caller waiting', async () => {
    const answer = await client.request('agent.invoke', { name: 'hostile', command: 'deep-result' });
    expect(answer).toMatchObject({ ok: true, result: { ok: false, error: { code: 'AGENT_MESSAGE_REFUSED' } } });
    const { taskId } = (answer as { result: { taskId: string } }).result;
    expect(await client.request('task.get', { id: taskId })).toMatchObject({ ok: true, result: { state: 'failed', error: { code: 'AGENT_MESSAGE_REFUSED' } } });
    await expectHealthy();
  });

  it('fails the command whose response is over the line limit, instead of leaving its caller waiting', async () => {
    const answer = await client.request('agent.invoke', { name: 'hostile', command: 'big-result' });
    expect(answer).toMatchObject({ ok: true, result: { ok: false, error: { code: 'AGENT_MESSAGE_REFUSED' } } });
    await expectHealthy();
  });

  it(`keeps at most ${MAX_SECTIONS_PER_AGENT} sections of at most ${MAX_SECTION_BYTES} bytes per agent`, async () => {
    await client.request('agent.invoke', { name: 'hostile', command: 'sections', args: { count: 2, bytes: MAX_SECTION_BYTES * 2, prefix: 'huge' } });
    await client.request('agent.invoke', { name: 'hostile', command: 'sections', args: { count: MAX_SECTIONS_PER_AGENT + 50, bytes: 100 } });
    const sections = (await client.request('agent.sections', { name: 'hostile' })) as { ok: true; result: Array<{ id: string; content: string }> };
    expect(sections.result).toHaveLength(MAX_SECTIONS_PER_AGENT);
    expect(sections.result.some((section) => section.id.startsWith('huge'))).toBe(false);
    const logs = await readFile(join(home.path, 'state', 'logs', 'hostile.log'), 'utf8');
    expect(logs).toContain('DAEMON_SECTION_LIMIT');
    await expectHealthy();
  });

  it('drops the pending command and fails its task when the command cannot be sent', async () => {
    expect(await client.request('agent.invoke', { name: 'hostile', command: 'close-stdin' })).toMatchObject({ ok: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const answer = await client.request('agent.invoke', { name: 'hostile', command: 'work', args: {} });
    expect(answer).toMatchObject({ ok: false, error: { code: 'AGENT_WRITE_FAILED' } });
    const tasks = (await client.request('task.list', { agent: 'hostile' })) as { ok: true; result: Array<{ state: string }> };
    expect(tasks.result.filter((task) => task.state === 'running')).toEqual([]);
    expect(isAlive(pid)).toBe(true);
  });
});
