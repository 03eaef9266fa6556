import { constants, type Stats } from 'node:fs';
import { chmod, lstat, open, stat } from 'node:fs/promises';
import { isErrno } from './errno.js';
import { OAuthError } from './errors.js';

// Checks that keep a token file from being redirected or handed to someone
// else by whoever can write its directory. Ownership checks need uids, so
// they apply where the platform has them (not on Windows).

/** Group- and other-write bits of a mode. */
const WRITABLE_BY_OTHERS = 0o022;

/** The sticky bit, which marks a directory shared on purpose (`/tmp`); Node's `fs.constants` lacks it. */
const STICKY = 0o1000;

/** Opening the token file: never through a symlink, never blocking on a FIFO. */
const SAFE_READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

const currentUid = (): number | undefined => process.getuid?.();

/**
 * Reads the token file, or `undefined` when there is none. Refuses a symlink
 * (`OAUTH_TOKEN_FILE_SYMLINK`), anything but a regular file
 * (`OAUTH_TOKEN_FILE_IO`) and a file another user owns
 * (`OAUTH_TOKEN_FILE_FOREIGN_OWNER`). The checks are made on the open file,
 * so nothing can be swapped in between check and read.
 */
export async function readTokenFileText(path: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, SAFE_READ_FLAGS);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    if (isErrno(err, 'ELOOP')) throw symlinkError(path, 'read', err);
    throw new OAuthError('OAUTH_TOKEN_FILE_IO', `Cannot read token file ${path}: ${describeIoError(err)}.`, { cause: err });
  }
  try {
    checkTokenFileStats(path, await handle.stat(), 'read');
    return await handle.readFile('utf8');
  } catch (err) {
    if (err instanceof OAuthError) throw err;
    throw new OAuthError('OAUTH_TOKEN_FILE_IO', `Cannot read token file ${path}: ${describeIoError(err)}.`, { cause: err });
  } finally {
    await handle.close();
  }
}

/**
 * Before a save: the directory must be one only we (or root) can write, and
 * what is at the token path, if anything, must be our own regular file.
 *
 * A directory we own that group or others can write is repaired (`chmod
 * go-w`): that only takes rights away, and a directory open to others is
 * how a symlink gets planted. A shared directory (sticky bit, like `/tmp`)
 * or one another user owns is refused with `OAUTH_TOKEN_FILE_UNSAFE_DIRECTORY`.
 * Once the directory is private, nobody else can plant anything between this
 * check and the rename that replaces the file.
 */
export async function prepareTokenFileWrite(path: string, directory: string): Promise<void> {
  const uid = currentUid();
  if (uid !== undefined) {
    const dir = await stat(directory);
    const ours = dir.uid === uid;
    if (!ours && dir.uid !== 0) throw unsafeDirectory(directory, `belongs to user id ${dir.uid}, not to you (${uid})`);
    if ((dir.mode & WRITABLE_BY_OTHERS) !== 0) {
      const shared = (dir.mode & STICKY) !== 0;
      if (!ours || shared) throw unsafeDirectory(directory, `can be written by ${shared ? 'everyone (a shared directory)' : 'other users'}`);
      await chmod(directory, dir.mode & 0o7777 & ~WRITABLE_BY_OTHERS);
    }
  }
  let existing: Stats;
  try {
    existing = await lstat(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return;
    throw err;
  }
  checkTokenFileStats(path, existing, 'write');
}

function checkTokenFileStats(path: string, stats: Stats, action: 'read' | 'write'): void {
  if (stats.isSymbolicLink()) throw symlinkError(path, action);
  if (!stats.isFile()) {
    throw new OAuthError('OAUTH_TOKEN_FILE_IO', `Cannot ${action} token file ${path}: it is not a regular file. Remove what is there, then sign in again.`);
  }
  const uid = currentUid();
  if (uid !== undefined && stats.uid !== uid) {
    throw new OAuthError(
      'OAUTH_TOKEN_FILE_FOREIGN_OWNER',
      `Refusing to ${action} token file ${path}: it belongs to user id ${stats.uid}, not to you (${uid}), so someone else could have planted it or could read what is written. Delete it (as its owner or root) and sign in again, or run as its owner.`,
    );
  }
}

function symlinkError(path: string, action: 'read' | 'write', cause?: unknown): OAuthError {
  return new OAuthError(
    'OAUTH_TOKEN_FILE_SYMLINK',
    `Refusing to ${action} token file ${path}: it is a symbolic link, and following it would ${action === 'read' ? 'read' : 'overwrite'} whatever it points to. Remove the link (rm ${JSON.stringify(path)}) and sign in again, or point the store at the real file.`,
    cause === undefined ? {} : { cause },
  );
}

function unsafeDirectory(directory: string, problem: string): OAuthError {
  return new OAuthError(
    'OAUTH_TOKEN_FILE_UNSAFE_DIRECTORY',
    `Refusing to write a token file in ${directory}: the directory ${problem}, so a link planted there could redirect the write. Keep token files in a directory only you can write (e.g. chmod 700 it as its owner, or choose another path).`,
  );
}

/** The system error code of an I/O failure, for messages. */
export function describeIoError(err: unknown): string {
  if (isErrno(err)) return err.code ? `${err.code}` : err.message;
  return String(err);
}
