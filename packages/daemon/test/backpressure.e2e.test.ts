import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgentHome, runCli, type TempDir } from '@opperator/testing';
import { MAX_PENDING_COMMANDS } from '../src/agent-host.js';
import { MAX_CLIENT_BACKLOG_BYTES, MAX_REQUESTS_IN_FLIGHT } from '../src/control-server.js';
import { MAX_SECTION_BYTES, MAX_SECTIONS_PER_AGENT } from '../src/stores/section-store.js';
import { HOSTILE_AGENT } from './hostile/hostile-agent.js';
import { isAlive, RawControlClient, residentMiB } from './hostile/control-client.js';

// A client that sends requests and follows a log but never reads what the
// daemon writes back: the daemon must neither buffer without end for it nor
// stop answering anyone else.

let home: TempDir;
let pid: number;
let client: RawControlClient;
const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });

beforeAll(async () => {
  home = await makeAgentHome([{ name: 'hostile', source: HOSTILE_AGENT, yaml: 'auto_restart: false' }]);
  expect((await cli('daemon', 'start')).code).toBe(0);
  expect((await cli('agent', 'start', 'hostile')).code).toBe(0);
  client = await RawControlClient.connect(join(home.path, 'run', 'daemon.sock'));
  pid = ((await client.request('daemon.status')) as { result: { pid: number } }).result.pid;
}, 60_000);

afterAll(async () => {
  client?.close();
  await cli('daemon', 'stop');
  await home?.remove();
});

describe('a control client that does not read', () => {
  it('is disconnected once its backlog passes the limit; the daemon stays small and answers others', async () => {
    // Every agent.sections answer is about 12 MB: the sections an agent may keep, each near the limit.
    const filled = await client.request('agent.invoke', { name: 'hostile', command: 'sections', args: { count: MAX_SECTIONS_PER_AGENT, bytes: MAX_SECTION_BYTES - 1024 } }, 30_000);
    expect(filled).toMatchObject({ ok: true });
    const before = await residentMiB(pid);

    const deaf = await RawControlClient.connect(join(home.path, 'run', 'daemon.sock'));
    deaf.socket.pause(); // reads nothing from here on
    const closed = new Promise<void>((resolve) => deaf.socket.once('close', () => resolve()));
    deaf.start('agent.logs', { name: 'hostile', follow: true, lines: 0 });
    for (let i = 0; i < 100; i += 1) deaf.start('agent.sections', { name: 'hostile' });
    // Meanwhile the agent floods its log (20 MB), which the deaf client follows.
    expect(await client.request('agent.invoke', { name: 'hostile', command: 'flood-logs', args: { count: 2_000, bytes: 10_000 } }, 30_000)).toMatchObject({ ok: true });
    const after = await residentMiB(pid);
    // Reading again, it finds what the kernel held for it, then the end: the daemon hung up on it.
    deaf.socket.resume();
    await closed;
    console.log(`daemon RSS with a client that does not read: ${before} MiB before, ${after} MiB after (asked for ${100 * 12} MB of answers and followed 20 MB of logs; backlog limit ${MAX_CLIENT_BACKLOG_BYTES / 1024 / 1024} MiB)`);

    expect(isAlive(pid)).toBe(true);
    expect(await client.request('agent.list')).toMatchObject({ ok: true });
    expect(after - before).toBeLessThan(200);
  }, 60_000);

  it(`refuses commands past ${MAX_PENDING_COMMANDS} waiting for an agent that never answers, and answers everything else`, async () => {
    const perClient = Math.floor(MAX_REQUESTS_IN_FLIGHT * 0.8);
    const clients = await Promise.all(Array.from({ length: Math.ceil((MAX_PENDING_COMMANDS + 5) / perClient) }, () => RawControlClient.connect(join(home.path, 'run', 'daemon.sock'))));
    const refused: string[] = [];
    for (const hanging of clients) {
      for (let i = 0; i < perClient; i += 1) {
        // Never answered (the agent hangs), unless refused: only refusals come back.
        void hanging.request('agent.invoke', { name: 'hostile', command: 'hang' }, 60_000).then((answer) => {
          if (!answer.ok) refused.push(answer.error.code ?? '');
        }, () => undefined);
      }
    }
    const total = clients.length * perClient;
    await expect.poll(() => refused.length, { timeout: 20_000 }).toBe(total - MAX_PENDING_COMMANDS);
    expect(new Set(refused)).toEqual(new Set(['DAEMON_AGENT_BUSY']));
    expect(await client.request('agent.list')).toMatchObject({ ok: true });
    for (const hanging of clients) hanging.close();
  }, 60_000);
});
