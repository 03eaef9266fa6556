import { lstat, mkdir, chmod } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { DaemonError } from './daemon-error.js';

/**
 * Creates the private directories of a control socket that lives outside
 * the home (see `controlSocketLocation`): every level below `/tmp` or
 * `$XDG_RUNTIME_DIR` that belongs to opperator is created with mode 0700,
 * and one that already exists must be a real directory (no symlink) owned by
 * this user, or the daemon refuses to start: in a shared `/tmp`, another
 * user could have made `/tmp/opperator-<uid>` first to watch or replace the
 * socket. A loose mode on a directory of ours is tightened.
 *
 * @example
 * ```ts
 * if (config.socketShortened) await prepareSocketDirectory(config.socketPath);
 * ```
 */
export async function prepareSocketDirectory(socketPath: string, uid: number = process.getuid?.() ?? 0): Promise<void> {
  const leaf = dirname(socketPath);
  // /tmp/opperator-<uid>/<hash> is two levels of ours; $XDG_RUNTIME_DIR/opperator-<hash> is one.
  const base = socketPath.startsWith(`/tmp/opperator-`) ? '/tmp' : dirname(leaf);
  let dir = base;
  for (const part of relative(base, leaf).split(sep)) {
    dir = join(dir, part);
    try {
      await mkdir(dir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const info = await lstat(dir);
    if (!info.isDirectory() || info.isSymbolicLink() || info.uid !== uid) {
      const what = info.isSymbolicLink() ? 'a symbolic link' : !info.isDirectory() ? 'not a directory' : `owned by uid ${info.uid}`;
      throw new DaemonError('DAEMON_SOCKET_DIR_UNSAFE', `The socket directory ${dir} is ${what}, not a directory of this user (uid ${uid}); another user may have created it. Remove it, or set OPPERATOR_HOME to a shorter path so the socket stays in the home.`);
    }
    if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700);
  }
}
