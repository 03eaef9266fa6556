import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTROL_PROTOCOL_VERSION } from '@opperator/protocol';
import { DaemonClient, DaemonClientError } from '../src/daemon-client.js';

// The CLI's control client against a fake daemon on a real Unix socket.

let dir: string;
let server: Server;
const sockets: Socket[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opperator-client-'));
  // Answers `hello` only: the version exchange every connect starts with.
  server = createServer((socket) => {
    sockets.push(socket);
    socket.setEncoding('utf8').on('data', (text: string) => {
      for (const line of text.split('\n').filter(Boolean)) {
        const request = JSON.parse(line) as { id: number; method: string };
        if (request.method === 'hello') socket.write(`${JSON.stringify({ type: 'response', id: request.id, ok: true, result: { protocolVersion: CONTROL_PROTOCOL_VERSION } })}\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(join(dir, 'daemon.sock'), resolve));
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('DaemonClient', () => {
  it('fails a request sent after the daemon closed the connection, instead of leaving it unsettled', async () => {
    const client = await DaemonClient.connect(join(dir, 'daemon.sock'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const settled = await Promise.race([client.request('agent.list').then(() => 'resolved', (err: unknown) => err), new Promise((resolve) => setTimeout(() => resolve('unsettled'), 500))]);
    expect(settled).toBeInstanceOf(DaemonClientError);
    expect((settled as DaemonClientError).code).toBe('DAEMON_DISCONNECTED');
  });
});
