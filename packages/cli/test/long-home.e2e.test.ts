import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlSocketLocation } from '@opperator/protocol';
import { makeTempDir, runCli, type TempDir } from '@opperator/testing';

// An OPPERATOR_HOME so deep that home/run/daemon.sock exceeds the Unix socket
// path limit (107 bytes on Linux): the daemon binds its socket in a short
// private runtime directory instead, and the CLI finds it there.

let temp: TempDir;
let runtime: TempDir;
let home: string;
const env = () => ({ OPPERATOR_HOME: home, OPPERATOR_SECRET_STORE: 'file', XDG_RUNTIME_DIR: runtime.path });
const cli = (...args: string[]) => runCli(args, { env: env() });

beforeAll(async () => {
  temp = await makeTempDir('opperator-long-');
  runtime = await makeTempDir('xdg-run-');
  home = join(temp.path, 'h'.repeat(150 - temp.path.length - 1));
  expect(home.length).toBe(150);
});

afterAll(async () => {
  await cli('daemon', 'stop');
  await temp?.remove();
  await runtime?.remove();
});

describe('an OPPERATOR_HOME whose socket path is too long', () => {
  it('binds the socket in a short private directory, reachable by the CLI, and nothing beside the home', async () => {
    const started = await cli('daemon', 'start');
    expect(started, started.stderr).toMatchObject({ code: 0 });
    const status = await cli('daemon', 'status', '--json');
    expect(status, status.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(status.stdout)).toMatchObject({ home });

    const { socketPath, shortened } = controlSocketLocation(home, { runtimeDir: runtime.path, uid: process.getuid?.() ?? 0 });
    expect(shortened).toBe(true);
    expect(socketPath.startsWith(runtime.path)).toBe(true);
    expect(Buffer.byteLength(socketPath)).toBeLessThanOrEqual(107);
    expect((await stat(socketPath)).isSocket()).toBe(true);
    expect((await stat(dirname(socketPath))).mode & 0o777).toBe(0o700);
    // Nothing was bound at a truncated path next to (outside) the home.
    expect(await readdir(temp.path)).toEqual([home.split('/').at(-1)]);
    expect(await readdir(join(home, 'run'))).toEqual(['daemon.pid']);

    const stopped = await cli('daemon', 'stop');
    expect(stopped, stopped.stderr).toMatchObject({ code: 0 });
    await expect(stat(socketPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('falls back to /tmp/opperator-<uid>/<hash> without XDG_RUNTIME_DIR', () => {
    const location = controlSocketLocation(home, { uid: 1234 });
    expect(location.socketPath).toMatch(/^\/tmp\/opperator-1234\/[0-9a-f]{16}\/daemon\.sock$/);
    expect(controlSocketLocation(home, { uid: 1234 }).socketPath).toBe(location.socketPath);
    expect(controlSocketLocation('/short/home', { runtimeDir: '/run/user/1', uid: 1 })).toEqual({ socketPath: '/short/home/run/daemon.sock', shortened: false });
  });
});
