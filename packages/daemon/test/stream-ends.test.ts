import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@opperator/testing';
import type { ControlContext } from '../src/control-server.js';
import { serveLogs } from '../src/log-stream.js';
import { AgentLog } from '../src/stores/log-store.js';
import { TaskStore } from '../src/stores/task-store.js';

let temp: TempDir;
beforeEach(async () => {
  temp = await makeTempDir('opperator-streams-');
});
afterEach(async () => {
  await temp.remove();
});

const contextOf = (signal: AbortSignal, events: unknown[] = []): ControlContext => ({ emit: (event) => events.push(event), emitAll: (batch) => events.push(...batch), signal });

describe('agent.logs streams', () => {
  it('leaves no follower behind when the client goes away during the tail', async () => {
    const log = new AgentLog(join(temp.path, 'logs'), 'mail');
    for (let i = 0; i < 5_000; i += 1) log.append({ time: i, level: 'info', message: `line ${i}`, source: 'agent' });
    const client = new AbortController();
    const served = serveLogs(log, { follow: true, lines: 5_000 }, contextOf(client.signal));
    client.abort(); // while tail() still waits for the writes and reads the file
    expect(await served).toEqual({ followed: false });
    expect(log.followerCount).toBe(0);
  });

  it('lets go of its follower when the client leaves while following', async () => {
    const log = new AgentLog(join(temp.path, 'logs'), 'mail');
    const client = new AbortController();
    const events: unknown[] = [];
    const served = serveLogs(log, { follow: true, lines: 0 }, contextOf(client.signal, events));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log.followerCount).toBe(1);
    log.append({ time: 1, level: 'info', message: 'live', source: 'agent' });
    client.abort();
    expect(await served).toEqual({ followed: true });
    expect(log.followerCount).toBe(0);
    expect(events).toEqual([{ log: expect.objectContaining({ message: 'live' }) }]);
  });

  it('stores a log entry whose fields cannot be encoded with a note instead, and never throws', async () => {
    const log = new AgentLog(join(temp.path, 'logs'), 'mail');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => log.append({ time: 1, level: 'info', message: 'cyclic', fields: cyclic, source: 'agent' })).not.toThrow();
    const [entry] = await log.tail(1);
    expect(entry).toMatchObject({ message: 'cyclic', fields: { unencodable: expect.stringContaining('could not be encoded') } });
  });
});

describe('task persistence', () => {
  it('does not write tasks.json per progress message: a burst is one write, the last state, at flush', async () => {
    // An interval longer than the test: every write after the first waits for it or for flush().
    const tasks = new TaskStore(temp.path, { writeIntervalMs: 60_000 });
    await tasks.load(); // written at once
    const path = join(temp.path, 'tasks.json');
    const task = await tasks.create('mail', 'sync', { folder: 'INBOX' }, undefined);
    for (let i = 1; i <= 1_000; i += 1) await tasks.progress(task.id, { progress: i / 1_000 });
    expect(tasks.get(task.id)?.progress).toEqual({ progress: 1 }); // memory is current
    expect(await readFile(path, 'utf8')).toBe('[]\n'); // the disk waits for the interval
    await tasks.flush();
    const stored = JSON.parse(await readFile(path, 'utf8')) as Array<{ id: string; progress: { progress: number } }>;
    expect(stored.find((t) => t.id === task.id)?.progress).toEqual({ progress: 1 });
  });
});

describe('a tasks.json written before the bounds', () => {
  it('loads with deep or large arguments left out, so later writes succeed', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const old = `[{"id":"t1","agent":"mail","command":"c","args":{"x":${deep}},"state":"succeeded","progress":{},"result":"${'r'.repeat(100_000)}","createdAt":1,"updatedAt":1}]`;
    await writeFile(join(temp.path, 'tasks.json'), old);
    const tasks = new TaskStore(temp.path);
    await tasks.load();
    expect(tasks.get('t1')).toMatchObject({ args: {}, omitted: { args: -1, result: 100_002 } });
    expect(tasks.get('t1')?.result).toBeUndefined();
    await tasks.create('mail', 'c', {}, undefined);
    await tasks.flush();
    expect(JSON.parse(await readFile(join(temp.path, 'tasks.json'), 'utf8'))).toHaveLength(2);
  });
});
