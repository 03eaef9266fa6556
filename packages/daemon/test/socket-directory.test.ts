import { chown, mkdir, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@opperator/testing';
import { DaemonError } from '../src/daemon-error.js';
import { prepareSocketDirectory } from '../src/socket-directory.js';

let runtime: TempDir;
beforeEach(async () => (runtime = await makeTempDir('xdg-run-')));
afterEach(() => runtime.remove());
const uid = process.getuid?.() ?? 0;

describe('prepareSocketDirectory', () => {
  it('creates the directory with mode 0700, and tightens a loose one of ours', async () => {
    const socket = join(runtime.path, 'opperator-0123456789abcdef', 'daemon.sock');
    await prepareSocketDirectory(socket, uid);
    expect((await stat(join(runtime.path, 'opperator-0123456789abcdef'))).mode & 0o777).toBe(0o700);
    await mkdir(join(runtime.path, 'opperator-loose'), { mode: 0o755 });
    await prepareSocketDirectory(join(runtime.path, 'opperator-loose', 'daemon.sock'), uid);
    expect((await stat(join(runtime.path, 'opperator-loose'))).mode & 0o777).toBe(0o700);
  });

  it('refuses a symbolic link planted in its place', async () => {
    await mkdir(join(runtime.path, 'elsewhere'));
    await symlink(join(runtime.path, 'elsewhere'), join(runtime.path, 'opperator-planted'));
    await expect(prepareSocketDirectory(join(runtime.path, 'opperator-planted', 'daemon.sock'), uid)).rejects.toMatchObject({ code: 'DAEMON_SOCKET_DIR_UNSAFE' });
  });

  it.skipIf(uid !== 0)('refuses a directory another user owns', async () => {
    await mkdir(join(runtime.path, 'opperator-foreign'), { mode: 0o777 });
    await chown(join(runtime.path, 'opperator-foreign'), 4242, 4242);
    const refused = prepareSocketDirectory(join(runtime.path, 'opperator-foreign', 'daemon.sock'), uid);
    await expect(refused).rejects.toBeInstanceOf(DaemonError);
    await expect(refused).rejects.toThrow(/owned by uid 4242/);
  });
});
