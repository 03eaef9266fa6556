import { open, readFile, rm } from 'node:fs/promises';
import { DaemonError } from './daemon-error.js';

/**
 * One daemon per OPPERATOR_HOME: a pid file created exclusively. A pid file
 * whose process is gone (the daemon was killed, even with SIGKILL) is taken
 * over at once, so a restarted daemon never waits for a stale lock.
 *
 * @returns a function that releases the lock.
 */
export async function acquireInstanceLock(path: string, home: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const file = await open(path, 'wx', 0o600);
      await file.writeFile(`${process.pid}\n`);
      await file.close();
      return async () => {
        // Only remove our own pid file.
        if ((await readFile(path, 'utf8').catch(() => '')).trim() === String(process.pid)) await rm(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && (await stillAlive(pid))) {
      throw new DaemonError('DAEMON_ALREADY_RUNNING', `A daemon (pid ${pid}) is already running for ${home}. \`opperator daemon status\` shows it.`);
    }
    await rm(path, { force: true });
  }
  throw new DaemonError('DAEMON_ALREADY_RUNNING', `Could not take the daemon lock ${path}; another daemon is starting for ${home}.`);
}

/** A daemon killed a moment ago may take a little while to be reaped: look a few times before calling it alive. */
async function stillAlive(pid: number): Promise<boolean> {
  for (let look = 0; look < 10; look += 1) {
    if (!(await isAlive(pid))) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else; count it as alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (killed, not yet reaped) answers signal 0 but is gone.
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat === undefined || !/^\d+ \(.*\) Z/.test(stat);
}
