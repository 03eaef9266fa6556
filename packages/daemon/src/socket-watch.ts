import type { ControlServer } from './control-server.js';

/**
 * How often the daemon checks its control socket. A daemon whose socket is
 * gone (its OPPERATOR_HOME deleted, or the socket replaced) can no longer be
 * reached, so nothing could ever stop it: it stops itself and its agents.
 */
export const SOCKET_CHECK_MS = 2_000;

/** Checks in a row that must find the socket gone before the daemon gives up on it. */
export const SOCKET_MISSES_TO_STOP = 2;

/**
 * Calls `onGone` once the server's socket file has been found removed or
 * replaced {@link SOCKET_MISSES_TO_STOP} checks in a row; a check that cannot
 * tell (a permission or I/O error) counts as present. Returns the function
 * that stops watching.
 *
 * @example
 * ```ts
 * const stopWatching = watchSocketFile(server, SOCKET_CHECK_MS, () => void daemon.stop());
 * ```
 */
export function watchSocketFile(server: ControlServer, intervalMs: number, onGone: () => void): () => void {
  let misses = 0;
  let stopped = false;
  const timer = setInterval(() => {
    void server.socketFileState().then((state) => {
      misses = state === 'gone' ? misses + 1 : 0;
      if (misses < SOCKET_MISSES_TO_STOP || stopped) return;
      stopped = true;
      clearInterval(timer);
      onGone();
    });
  }, intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
