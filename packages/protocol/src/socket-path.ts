import { createHash } from 'node:crypto';
import { join } from 'node:path';

/**
 * The longest socket path `bind()` takes, in bytes, without the final NUL:
 * `sun_path` holds 108 bytes on Linux, 104 on macOS and the BSDs. A longer
 * path is not refused by Node: it is cut, and the socket lands elsewhere.
 */
export const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

/** Where the control socket of one OPPERATOR_HOME is, and whether it had to leave the home. */
export interface ControlSocketLocation {
  socketPath: string;
  /** True when `<home>/run/daemon.sock` was too long and a short private directory is used. */
  shortened: boolean;
}

/** What {@link controlSocketLocation} needs besides the home (the caller reads them from its environment). */
export interface ControlSocketLocationOptions {
  /** `XDG_RUNTIME_DIR` (per user, mode 0700 by the spec), when set. */
  runtimeDir?: string | undefined;
  /** The user id, for the `/tmp/opperator-<uid>` fallback. */
  uid: number;
  /** The directory the socket goes in when its path fits (`HomeLayout.run`); `<home>/run` when left out. */
  runDir?: string | undefined;
}

/**
 * The control socket of a home: `<runDir>/daemon.sock` (`<home>/run` by
 * default; `HomeLayout.run` in the XDG layout) when that fits the Unix limit, else `$XDG_RUNTIME_DIR/opperator-<hash>/daemon.sock`, else
 * `/tmp/opperator-<uid>/<hash>/daemon.sock`, where `<hash>` is 16 hex digits
 * of the home's SHA-256. The daemon and every client call this one function,
 * so they agree; the daemon creates those directories with mode 0700 and
 * refuses ones it does not own.
 *
 * @example
 * ```ts
 * const { socketPath } = controlSocketLocation(home, { runtimeDir: process.env.XDG_RUNTIME_DIR, uid: process.getuid() });
 * ```
 */
export function controlSocketLocation(home: string, options: ControlSocketLocationOptions): ControlSocketLocation {
  const inHome = join(options.runDir ?? join(home, 'run'), 'daemon.sock');
  if (fits(inHome)) return { socketPath: inHome, shortened: false };
  const hash = createHash('sha256').update(home).digest('hex').slice(0, 16);
  if (options.runtimeDir?.startsWith('/')) {
    const inRuntime = join(options.runtimeDir, `opperator-${hash}`, 'daemon.sock');
    if (fits(inRuntime)) return { socketPath: inRuntime, shortened: true };
  }
  return { socketPath: join('/tmp', `opperator-${options.uid}`, hash, 'daemon.sock'), shortened: true };
}

const fits = (path: string) => Buffer.byteLength(path) <= MAX_SOCKET_PATH_BYTES;
