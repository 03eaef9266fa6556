import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTROL_ERROR, CONTROL_PROTOCOL_VERSION, ControlClient, ControlClientError, RESTART_DAEMON_HINT } from '../src/index.js';

// The typed control client against a scripted daemon on a real Unix socket:
// each test says how the fake answers each method.

type Answer = { result: unknown } | { error: { code: string; message: string } } | { events: unknown[]; result: unknown } | 'never';

let dir: string;
let server: Server;
let socketPath: string;
let answers: Record<string, Answer>;
const received: Array<{ method: string; params: unknown }> = [];
const sockets: Socket[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opperator-control-'));
  socketPath = join(dir, 'daemon.sock');
  answers = { hello: { result: { protocolVersion: CONTROL_PROTOCOL_VERSION } } };
  received.length = 0;
  server = createServer((socket) => {
    sockets.push(socket);
    let buffer = '';
    socket.setEncoding('utf8').on('data', (text: string) => {
      buffer += text;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const request = JSON.parse(line) as { id: number; method: string; params: unknown };
        received.push({ method: request.method, params: request.params });
        const answer = answers[request.method] ?? { error: { code: 'DAEMON_UNKNOWN_METHOD', message: 'no such method' } };
        if (answer === 'never') continue;
        const send = (message: object) => socket.write(`${JSON.stringify({ id: request.id, ...message })}\n`);
        if ('events' in answer) for (const event of answer.events) send({ type: 'event', event });
        if ('error' in answer) send({ type: 'response', ok: false, error: answer.error });
        else send({ type: 'response', ok: true, result: answer.result });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<ControlClientError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ControlClientError);
  return err as ControlClientError;
}

describe('ControlClient', () => {
  it('says hello with its protocol version on connect, then sends typed requests', async () => {
    answers['agent.list'] = { result: [{ name: 'mail', description: '', state: 'running', pid: 7, restarts: 0, addedLater: true }] };
    const client = await ControlClient.connect(socketPath);
    const agents = await client.request('agent.list');
    client.close();
    expect(received.map((r) => r.method)).toEqual(['hello', 'agent.list']);
    expect(received[0]!.params).toEqual({ protocolVersion: CONTROL_PROTOCOL_VERSION });
    // A field a newer daemon adds passes through.
    expect(agents).toEqual([{ name: 'mail', description: '', state: 'running', pid: 7, restarts: 0, addedLater: true }]);
  });

  it('refuses a daemon of another protocol version, naming both versions and the fix', async () => {
    answers.hello = { result: { protocolVersion: CONTROL_PROTOCOL_VERSION + 1 } };
    const err = await failure(ControlClient.connect(socketPath));
    expect(err.code).toBe(CONTROL_ERROR.PROTOCOL_MISMATCH);
    expect(err.message).toContain(`control protocol ${CONTROL_PROTOCOL_VERSION + 1}, this client ${CONTROL_PROTOCOL_VERSION}`);
    expect(err.message).toContain(RESTART_DAEMON_HINT);
  });

  it('takes a daemon from before hello (unknown method) for protocol 1', async () => {
    delete answers.hello;
    const err = await failure(ControlClient.connect(socketPath));
    expect(err.code).toBe(CONTROL_ERROR.PROTOCOL_MISMATCH);
    expect(err.message).toContain('control protocol 1, this client');
  });

  it('connects without the version check for daemon.status and daemon.stop', async () => {
    delete answers.hello;
    answers['daemon.stop'] = { result: { stopping: true } };
    const client = await ControlClient.connect(socketPath, { checkVersion: false });
    expect(await client.request('daemon.stop')).toEqual({ stopping: true });
    client.close();
    expect(received.map((r) => r.method)).toEqual(['daemon.stop']);
  });

  it('refuses params that do not match the method before sending them', async () => {
    const client = await ControlClient.connect(socketPath);
    // @ts-expect-error name is required
    const err = await failure(client.request('agent.start', {}));
    client.close();
    expect(err.code).toBe(CONTROL_ERROR.BAD_REQUEST);
    expect(err.message).toContain('name');
    expect(received.map((r) => r.method)).toEqual(['hello']);
  });

  it('passes on the daemon error code', async () => {
    answers['task.get'] = { error: { code: CONTROL_ERROR.TASK_NOT_FOUND, message: 'No task "x".' } };
    const client = await ControlClient.connect(socketPath);
    const err = await failure(client.request('task.get', { id: 'x' }));
    client.close();
    expect(err.code).toBe(CONTROL_ERROR.TASK_NOT_FOUND);
  });

  it('fails a result or an event the method schema refuses with DAEMON_BAD_RESPONSE', async () => {
    answers['daemon.stop'] = { result: { stopping: 'maybe' } };
    answers['agent.logs'] = { events: [{ log: 'not an entry' }], result: { followed: false } };
    const client = await ControlClient.connect(socketPath);
    expect((await failure(client.request('daemon.stop'))).code).toBe(CONTROL_ERROR.BAD_RESPONSE);
    expect((await failure(client.request('agent.logs', { name: 'mail' }))).code).toBe(CONTROL_ERROR.BAD_RESPONSE);
    client.close();
  });

  it('hands typed events to onEvent before the result', async () => {
    const entry = { time: 1, level: 'info', source: 'agent', message: 'hi' };
    answers['agent.logs'] = { events: [{ log: entry }], result: { followed: false } };
    const client = await ControlClient.connect(socketPath);
    const logs: unknown[] = [];
    expect(await client.request('agent.logs', { name: 'mail', lines: 1 }, { onEvent: (event) => logs.push(event.log) })).toEqual({ followed: false });
    client.close();
    expect(logs).toEqual([entry]);
  });

  it('stops waiting on timeoutMs and on its signal; the connection stays usable', async () => {
    answers.watch = 'never';
    answers['daemon.stop'] = { result: { stopping: true } };
    const client = await ControlClient.connect(socketPath);
    expect((await failure(client.request('watch', {}, { timeoutMs: 50 }))).code).toBe(CONTROL_ERROR.TIMEOUT);
    const stop = new AbortController();
    const watching = failure(client.request('watch', {}, { signal: stop.signal }));
    stop.abort();
    expect((await watching).code).toBe(CONTROL_ERROR.ABORTED);
    expect((await failure(client.request('watch', {}, { signal: AbortSignal.abort() }))).code).toBe(CONTROL_ERROR.ABORTED);
    expect(await client.request('daemon.stop')).toEqual({ stopping: true });
    client.close();
  });

  it('fails pending requests when the daemon goes away, and later ones at once', async () => {
    answers.watch = 'never';
    const client = await ControlClient.connect(socketPath);
    const watching = failure(client.request('watch'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const socket of sockets) socket.destroy();
    expect((await watching).code).toBe(CONTROL_ERROR.DISCONNECTED);
    expect((await failure(client.request('agent.list'))).code).toBe(CONTROL_ERROR.DISCONNECTED);
  });

  it('says DAEMON_NOT_RUNNING when nothing listens', async () => {
    expect((await failure(ControlClient.connect(join(dir, 'none.sock')))).code).toBe(CONTROL_ERROR.NOT_RUNNING);
  });
});

describe('ControlClient and unreadable lines', () => {
  it('fails only the request an unreadable response names, and every pending one when it names none', async () => {
    answers.watch = 'never';
    answers['agent.list'] = 'never';
    const client = await ControlClient.connect(socketPath);
    const watching = failure(client.request('watch'));
    const listing = failure(client.request('agent.list'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [socket] = sockets;
    // Not a control message (ok is not a boolean), with the id of agent.list (request 3, after hello and watch).
    socket!.write(`${JSON.stringify({ type: 'response', id: 3, ok: 'maybe' })}\n`);
    expect((await listing).code).toBe(CONTROL_ERROR.BAD_RESPONSE);
    let settled = false;
    void watching.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    socket!.write('not json\n');
    expect((await watching).code).toBe(CONTROL_ERROR.BAD_RESPONSE);
    client.close();
  });
});
