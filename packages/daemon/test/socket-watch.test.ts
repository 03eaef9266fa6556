import { chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@opperator/testing';
import { ControlServer } from '../src/control-server.js';
import { SOCKET_MISSES_TO_STOP, watchSocketFile } from '../src/socket-watch.js';

let temp: TempDir;
const servers: ControlServer[] = [];
beforeEach(async () => {
  temp = await makeTempDir('opperator-socket-');
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await chmod(temp.path, 0o700).catch(() => undefined);
  await temp.remove();
});

async function listening(path: string): Promise<ControlServer> {
  const server = new ControlServer(path, {});
  servers.push(server);
  await server.listen();
  return server;
}

describe('the daemon’s socket file', () => {
  it('is owned while there, gone once removed, and gone once another server replaced it at the same path', async () => {
    const path = join(temp.path, 'run', 'daemon.sock');
    const first = await listening(path);
    expect(await first.socketFileState()).toBe('owned');
    await rm(path);
    expect(await first.socketFileState()).toBe('gone');
    const second = await listening(path);
    expect(await first.socketFileState()).toBe('gone');
    expect(await second.socketFileState()).toBe('owned');
    // The first server closing never removes the second one's socket.
    await first.close();
    expect(await second.socketFileState()).toBe('owned');
  });

  it.skipIf(process.getuid?.() === 0)('is not taken for gone when it cannot be checked (permission denied)', async () => {
    const server = await listening(join(temp.path, 'run', 'daemon.sock'));
    await chmod(join(temp.path, 'run'), 0o000);
    expect(await server.socketFileState()).toBe('unknown');
  });

  it('is given up on only after several checks in a row find it gone', async () => {
    const path = join(temp.path, 'daemon.sock');
    const server = await listening(path);
    let gone = 0;
    const stop = watchSocketFile(server, 20, () => (gone += 1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gone).toBe(0);
    await rm(path);
    await new Promise((resolve) => setTimeout(resolve, 20 * (SOCKET_MISSES_TO_STOP + 4)));
    expect(gone).toBe(1);
    stop();
  });
});
