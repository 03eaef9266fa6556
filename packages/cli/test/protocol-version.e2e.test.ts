import { mkdir } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTROL_PROTOCOL_VERSION } from '@opperator/protocol';
import { makeTempDir, runCli, type TempDir } from '@opperator/testing';

// The real CLI against a daemon of another protocol version (a fake one on
// the home's socket, answering as a daemon from before `hello` does): every
// command says so with both versions and the fix, and `daemon stop`, the fix,
// still works.

let home: TempDir;
let server: Server;
const sockets: Socket[] = [];
const methods: string[] = [];
let stopped = false;
/** A pid no process has (above the usual pid_max of 2^22): `daemon stop` sees it gone at once. */
const GONE_PID = 4_194_305;

beforeEach(async () => {
  home = await makeTempDir('opperator-version-');
  await mkdir(join(home.path, 'run'), { recursive: true, mode: 0o700 });
  methods.length = 0;
  stopped = false;
  server = createServer((socket) => {
    sockets.push(socket);
    socket.setEncoding('utf8').on('data', (text: string) => {
      for (const line of text.split('\n').filter(Boolean)) {
        const { id, method } = JSON.parse(line) as { id: number; method: string };
        methods.push(method);
        const answer = (message: object) => socket.write(`${JSON.stringify({ type: 'response', id, ...message })}\n`);
        if (method === 'daemon.status') answer({ ok: true, result: { pid: GONE_PID, home: home.path, startedAt: Date.now(), agents: 0 } });
        else if (method === 'daemon.stop') {
          stopped = true;
          answer({ ok: true, result: { stopping: true } });
        } else answer({ ok: false, error: { code: 'DAEMON_UNKNOWN_METHOD', message: `The daemon has no method ${JSON.stringify(method)}` } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(join(home.path, 'run', 'daemon.sock'), resolve));
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  await home.remove();
});

const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path } });

describe('a daemon of another protocol version', () => {
  it('is refused by every command with both versions and the fix (exit 5); nothing else is sent', async () => {
    const listed = await cli('agent', 'list');
    expect(listed.code).toBe(5);
    expect(listed.stderr).toContain(`The daemon speaks control protocol 1, this client ${CONTROL_PROTOCOL_VERSION}.`);
    expect(listed.stderr).toContain('opperator daemon stop && opperator daemon start');
    expect(methods).toEqual(['hello']);
  });

  it('can still be asked for its status and stopped', async () => {
    expect((await cli('daemon', 'status')).code).toBe(0);
    const stop = await cli('daemon', 'stop');
    expect(stop).toMatchObject({ code: 0, stdout: 'Daemon stopped.\n' });
    expect(stopped).toBe(true);
    expect(methods.filter((m) => m === 'hello')).toEqual([]);
  });
});
