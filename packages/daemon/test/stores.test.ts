import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@opperator/testing';
import { AgentLog, type LogEntry } from '../src/stores/log-store.js';
import { JsonStateFile } from '../src/stores/json-state-file.js';
import { SectionStore } from '../src/stores/section-store.js';
import { TaskStore } from '../src/stores/task-store.js';
import { parseAgentsConfig } from '../src/agents-config.js';

let temp: TempDir;
beforeEach(async () => {
  temp = await makeTempDir('opperator-state-');
});
afterEach(async () => {
  await temp.remove();
});

describe('agents.yaml', () => {
  it('applies defaults and keeps what is given', () => {
    const [agent] = parseAgentsConfig('agents:\n  - name: invoice-monitor\n    secrets: [gmail_id]\n    env: { LOG_LEVEL: info, RETRIES: 3 }\n', 'agents.yaml');
    expect(agent).toEqual({ name: 'invoice-monitor', description: '', entry: 'agent.ts', secrets: ['gmail_id'], env: { LOG_LEVEL: 'info', RETRIES: '3' }, auto_restart: true, max_restarts: 5, restart_window_s: 300, start_with_daemon: false, isolate: false, token_store: null, mcp: { hidden: false, hide_commands: [] } });
    expect(parseAgentsConfig('', 'agents.yaml')).toEqual([]);
  });

  it('mcp: hides an agent or some of its commands from MCP clients; unknown keys are refused', () => {
    const [hidden, some] = parseAgentsConfig('agents:\n  - name: a\n    mcp: { hidden: true }\n  - name: b\n    mcp:\n      hide_commands: [purge]\n', 'agents.yaml');
    expect(hidden?.mcp).toEqual({ hidden: true, hide_commands: [] });
    expect(some?.mcp).toEqual({ hidden: false, hide_commands: ['purge'] });
    expect(() => parseAgentsConfig('agents:\n  - name: a\n    mcp: { hide: true }\n', 'agents.yaml')).toThrow(/agents\[0\]\.mcp/);
  });

  it('token_store: an agent\'s own wins over the file-level default; empty is refused', () => {
    const agents = parseAgentsConfig('token_store: redis://127.0.0.1:6379/0\nagents:\n  - name: a\n  - name: b\n    token_store: postgres://db/tokens\n', 'agents.yaml');
    expect(agents.map((agent) => agent.token_store)).toEqual(['redis://127.0.0.1:6379/0', 'postgres://db/tokens']);
    expect(() => parseAgentsConfig('agents:\n  - name: a\n    token_store: " "\n', 'agents.yaml')).toThrow(/agents\[0\]\.token_store is empty/);
  });

  it('names the file and the place of a mistake', () => {
    expect(() => parseAgentsConfig('agents:\n  - name: Bad Name\n', '/h/agents.yaml')).toThrow(/\/h\/agents\.yaml: agents\[0\]\.name must match/);
    expect(() => parseAgentsConfig('agents:\n  - name: a\n    max_restart: 3\n', 'agents.yaml')).toThrow(/agents\[0\].*max_restart/);
    expect(() => parseAgentsConfig('agents: [\n', 'agents.yaml')).toThrow(/not valid YAML/);
    expect(() => parseAgentsConfig('agents:\n  - name: a\n  - name: a\n', 'agents.yaml')).toThrow(/defined twice/);
    // `opperator agent start all` means every agent.
    expect(() => parseAgentsConfig('agents:\n  - name: all\n', 'agents.yaml')).toThrow(/agents\[0\]\.name is reserved/);
  });
});

describe('SectionStore', () => {
  it('keeps sections across instances (daemon restarts) until replaced or removed', async () => {
    const first = new SectionStore(temp.path);
    await first.upsert('mail', { id: 'auth', title: 'Gmail', content: '<b>ok</b>', collapsed: false });
    await first.upsert('mail', { id: 'stats', title: 'Inbox', content: '3', collapsed: true });
    const second = new SectionStore(temp.path);
    expect((await second.list('mail')).map((s) => s.id)).toEqual(['auth', 'stats']);
    await second.upsert('mail', { id: 'auth', title: 'Gmail', content: 'changed', collapsed: false });
    await second.remove('mail', 'stats');
    expect(await new SectionStore(temp.path).list('mail')).toEqual([expect.objectContaining({ id: 'auth', content: 'changed' })]);
  });
});

describe('JsonStateFile', () => {
  it('spaces writes by the interval, writing only the latest of what came in between, and flushes at once on request', async () => {
    const file = new JsonStateFile<number>(join(temp.path, 'n.json'), { minIntervalMs: 300 });
    const started = performance.now();
    await file.write(1);
    const writes = Array.from({ length: 500 }, (_, i) => file.write(i + 2));
    await Promise.all(writes);
    // The 500 values cost one more write, after the interval, with the last value.
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(await file.read(0)).toBe(501);
    void file.write(502);
    const flushing = performance.now();
    await file.flush();
    expect(performance.now() - flushing).toBeLessThan(250);
    expect(await file.read(0)).toBe(502);
  });
});

describe('SectionStore, written at most every interval', () => {
  it('serves every update from memory at once and has the latest on disk after flush (the daemon stop)', async () => {
    const store = new SectionStore(temp.path);
    const seen: string[] = [];
    store.onChange((change) => 'section' in change && seen.push(change.section.content));
    for (let i = 1; i <= 200; i++) void store.upsert('mail', { id: 'feed', title: 'Feed', content: String(i), collapsed: false });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toHaveLength(200);
    expect((await store.list('mail'))[0]?.content).toBe('200');
    await store.flush();
    expect((await new SectionStore(temp.path).list('mail'))[0]?.content).toBe('200');
  });
});

describe('TaskStore', () => {
  it('keeps every progress field, and fails running tasks when their agent exits', async () => {
    const tasks = new TaskStore(temp.path);
    await tasks.load();
    const task = await tasks.create('mail', 'authorize_gmail', {}, 'Authorizing Gmail');
    await tasks.progress(task.id, { text: 'waiting for the browser', progress: 0.5, status: 'waiting' });
    expect(tasks.get(task.id)?.progress).toEqual({ text: 'waiting for the browser', progress: 0.5, status: 'waiting' });
    const failed = await tasks.failRunning('mail', 'agent exited');
    expect(failed.map((t) => t.id)).toEqual([task.id]);
    expect(tasks.get(task.id)).toMatchObject({ state: 'failed', error: { message: 'agent exited', code: 'AGENT_EXITED' } });
    expect(await tasks.progress(task.id, { text: 'late' })).toBeUndefined();
  });

  it('marks tasks left running by a previous daemon as failed, never re-run', async () => {
    const before = new TaskStore(temp.path);
    await before.load();
    const task = await before.create('mail', 'check', { folder: 'INBOX' }, undefined);
    await before.flush(); // changes are written coalesced, at most every TASK_WRITE_INTERVAL_MS
    const after = new TaskStore(temp.path);
    await after.load();
    expect(after.get(task.id)).toMatchObject({ state: 'failed', error: { code: 'DAEMON_RESTARTED' }, args: { folder: 'INBOX' } });
  });
});

describe('AgentLog', () => {
  const entry = (message: string): LogEntry => ({ time: Date.now(), level: 'info', message, source: 'agent' });

  it('appends in order, tails, and streams to followers without a cap', async () => {
    const log = new AgentLog(join(temp.path, 'logs'), 'mail');
    const followed: string[] = [];
    const stop = log.follow((e) => followed.push(e.message));
    for (let i = 0; i < 3000; i += 1) log.append(entry(`line ${i}`));
    stop();
    log.append(entry('after unfollow'));
    expect(followed).toHaveLength(3000);
    expect((await log.tail(3)).map((e) => e.message)).toEqual(['line 2998', 'line 2999', 'after unfollow']);
    expect(await log.tail(0)).toEqual([]);
    expect((await stat(log.path)).mode & 0o777).toBe(0o600);
    await log.close();
  });

  it('rotates past the size limit and tails across the rotation', async () => {
    const log = new AgentLog(join(temp.path, 'logs'), 'mail', { rotateBytes: 10_000 });
    for (let i = 0; i < 600; i += 1) log.append(entry(`entry number ${i} ${'x'.repeat(40)}`));
    const tail = await log.tail(150);
    expect(tail.at(-1)?.message).toMatch(/^entry number 599 /);
    expect(tail).toHaveLength(150);
    const files = (await readdir(join(temp.path, 'logs'))).sort();
    expect(files).toEqual(['mail.log', 'mail.log.1', 'mail.log.2', 'mail.log.3']);
    await log.close();
  });

  it('tails only the entries at or after `since`, across rotated files, still at most `count`', async () => {
    const log = new AgentLog(join(temp.path, 'logs'), 'mail', { rotateBytes: 2_000 });
    for (let i = 0; i < 100; i += 1) log.append({ time: 1_000 + i, level: 'info', message: `at ${1_000 + i}`, source: 'agent' });
    const since = await log.tail(1_000, { since: 1_060 });
    expect((await readdir(join(temp.path, 'logs'))).length).toBeGreaterThan(1); // the entries span rotated files
    expect(since.map((e) => e.time)).toEqual(Array.from({ length: 40 }, (_, i) => 1_060 + i));
    expect((await log.tail(5, { since: 1_060 })).map((e) => e.time)).toEqual([1_095, 1_096, 1_097, 1_098, 1_099]);
    expect(await log.tail(10, { since: 5_000 })).toEqual([]);
    await log.close();
  });
});
