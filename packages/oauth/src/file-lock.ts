import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { OAuthError } from './errors.js';
import type { StoreLockOptions } from './token-store.js';

/** A lock not refreshed for this long belongs to a dead process and is taken over. */
export const DEFAULT_LOCK_STALE_MS = 10_000;

/** How long a caller waits for another process's lock before failing with `OAUTH_LOCK_TIMEOUT`. */
export const LOCK_WAIT_TIMEOUT_MS = 60_000;

/** Pause between attempts while another process holds the lock (jittered up to twice this). */
const LOCK_POLL_MS = 25;

/** Which lock next to a file, and how long to wait for it. */
export interface FileLockKind {
  /** Appended to the file's path: `.lock` (refreshes), `.sign-in.lock` (sign-ins). */
  suffix: string;
  /** How long to wait for another holder; `Infinity` waits until the caller's signal aborts. */
  waitTimeoutMs: number;
  /** Pause between attempts (jittered up to twice this). */
  pollMs: number;
}

/** The lock around a refresh: short waits, since a refresh takes a second or two. */
export const REFRESH_LOCK: FileLockKind = { suffix: '.lock', waitTimeoutMs: LOCK_WAIT_TIMEOUT_MS, pollMs: LOCK_POLL_MS };

/** The lock around a sign-in, held while the user signs in (minutes): waited for until the caller gives up. */
export const SIGN_IN_LOCK: FileLockKind = { suffix: '.sign-in.lock', waitTimeoutMs: Number.POSITIVE_INFINITY, pollMs: 250 };

/**
 * Runs `work` under a cross-process lock next to `path` (`<path><suffix>`, a
 * directory made with mkdir, which is atomic). The holder refreshes the
 * lock's mtime; a lock left by a killed process goes stale after `staleMs`
 * and is taken over.
 */
export async function withFileLock<T>(path: string, staleMs: number, work: () => Promise<T>, options: StoreLockOptions = {}, kind: FileLockKind = REFRESH_LOCK): Promise<T> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const lockPath = `${path}${kind.suffix}`;
  const deadline = Date.now() + kind.waitTimeoutMs;
  let waiting = false;
  let release: () => Promise<void>;
  for (;;) {
    if (options.signal?.aborted) throw new OAuthError('OAUTH_ABORTED', `Waiting for the lock ${lockPath} was aborted.`, { cause: options.signal.reason });
    try {
      // proper-lockfile keeps the locks this process holds in a map keyed by
      // its first argument, not by lockfilePath: keyed by the token path, a
      // refresh during a sign-in replaced the sign-in lock's entry, its
      // release then left the sign-in lock behind (the next sign-in waited
      // until it went stale) and its mtime timer threw a TypeError. One key
      // per lock kind keeps them apart; the lock directory is unchanged.
      release = await lockfile.lock(lockPath, {
        lockfilePath: lockPath,
        realpath: false,
        stale: staleMs,
        retries: 0,
        // The lock was taken over while we held it (we stalled longer than
        // staleMs). The work in progress still finishes; re-reading the store
        // under the next lock copes with whatever the other process wrote.
        onCompromised: () => undefined,
      });
      break;
    } catch (err) {
      if (!(err instanceof Error && 'code' in err && err.code === 'ELOCKED')) {
        throw new OAuthError('OAUTH_TOKEN_FILE_IO', `Cannot lock ${path}: ${String((err as NodeJS.ErrnoException).code ?? err)}.`, { cause: err });
      }
      if (!waiting) {
        waiting = true;
        options.onWait?.();
      }
      if (Date.now() > deadline) {
        throw new OAuthError('OAUTH_LOCK_TIMEOUT', `Another process has held the lock ${lockPath} for over ${kind.waitTimeoutMs / 1000} s. If no other process is refreshing, delete that directory.`, { cause: err });
      }
      await new Promise((resolve) => setTimeout(resolve, kind.pollMs * (1 + Math.random())));
    }
  }
  try {
    return await work();
  } finally {
    await release().catch(() => {
      // Released already: the lock was compromised and taken over (see onCompromised).
    });
  }
}
