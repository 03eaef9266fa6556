/**
 * Sends `signal` to every process of the group led by `pid` (the agent was
 * spawned `detached`, so its pid is its group id and its helpers share it).
 * Returns `'gone'` when no process of the group is left.
 *
 * Why the group: killing only the agent would orphan whatever it spawned
 * (a browser, a `tsx` child, a helper script), and orphans keep ports and
 * files busy for the next start.
 *
 * @example
 * ```ts
 * if (signalProcessGroup(child.pid, 'SIGTERM') === 'gone') console.log('already exited');
 * ```
 */
export function signalProcessGroup(pid: number, signal: NodeJS.Signals | 0): 'sent' | 'gone' {
  if (process.platform === 'win32') return signalOne(pid, signal); // no process groups there
  try {
    process.kill(-pid, signal);
    return 'sent';
  } catch (error) {
    if (errorCode(error) === 'ESRCH') return 'gone'; // the whole group has exited: nothing left to signal
    // macOS answers EPERM for a group whose only members are zombies; the leader itself can still be signalled.
    if (errorCode(error) === 'EPERM') return signalOne(pid, signal);
    throw error;
  }
}

function signalOne(pid: number, signal: NodeJS.Signals | 0): 'sent' | 'gone' {
  try {
    process.kill(pid, signal);
    return 'sent';
  } catch (error) {
    if (errorCode(error) === 'ESRCH' || errorCode(error) === 'EPERM') return 'gone'; // exited, or the pid now belongs to someone else
    throw error;
  }
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
