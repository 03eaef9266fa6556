import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { OAuthError, type StoreLockOptions } from '@opperator/oauth';
import { RELEASE_LEASE, RENEW_LEASE } from './lua-scripts.js';
import type { RedisConnection } from './redis-connection.js';

/** Which lease, and how to wait for it. */
export interface LeaseSettings {
  /** The lock's Redis key (`<key>:lock`, `<key>:sign-in-lock`). */
  lockKey: string;
  /** What the lock is for, in messages ("refresh lock"). */
  label: string;
  /** How long the lease lasts unless renewed; renewed every third of it while the work runs. */
  leaseMs: number;
  /** Pause between attempts while someone else holds it (jittered up to twice this). */
  pollMs: number;
  /** How long to wait for another holder before `OAUTH_LOCK_TIMEOUT`; `Infinity` waits until the caller's signal aborts. */
  waitTimeoutMs: number;
}

/**
 * One holding of a lock: a random holder id stored at the lock key with an
 * expiry. `validUntil` is when it surely ends by our clock (the last
 * renewal's send time plus the lease): Redis counts from when it ran the
 * command, later, so the lease never outlives that on Redis's side by less.
 */
export class Lease {
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(12).toString('base64url')}`;
  validUntil = 0;
  #state: 'held' | 'lost' | 'released' = 'held';

  /** True once Redis said the lock holds another id (or none): it never comes back. */
  get lost(): boolean {
    return this.#state !== 'held';
  }

  /** Records that the lease is gone (a renewal or a fenced write found another holder). */
  markLost(): void {
    if (this.#state === 'held') this.#state = 'lost';
  }

  /** Records that the work is over and the lock was given back. */
  markReleased(): void {
    this.#state = 'released';
  }
}

/**
 * Runs `work` holding the lease at `settings.lockKey`: takes it with
 * `SET NX PX`, waiting (polling with jitter) while another holder has it;
 * renews it every third of the lease while `work` runs; gives it back with
 * a compare-and-delete, so a lease that expired and was taken by someone
 * else is never deleted. A holder that dies stops renewing, and the lock is
 * free again within one lease.
 */
export async function holdLease<T>(connection: RedisConnection, settings: LeaseSettings, work: (lease: Lease) => Promise<T>, options: StoreLockOptions = {}): Promise<T> {
  const lease = await acquire(connection, settings, options);
  const renewal = startRenewal(connection, settings, lease);
  try {
    return await work(lease);
  } finally {
    clearInterval(renewal);
    const wasLost = lease.lost;
    lease.markReleased();
    if (!wasLost) {
      await connection.run(`release the ${settings.label}`, (client) => client.eval(RELEASE_LEASE, 1, settings.lockKey, lease.holder)).catch(() => {
        // Redis is unreachable: the lease expires by itself within leaseMs.
        // The work's own result (or error) is what the caller needs.
      });
    }
  }
}

async function acquire(connection: RedisConnection, settings: LeaseSettings, options: StoreLockOptions): Promise<Lease> {
  const { lockKey, label, leaseMs, pollMs, waitTimeoutMs } = settings;
  const deadline = Date.now() + waitTimeoutMs;
  let waiting = false;
  for (;;) {
    throwIfAborted(options.signal, settings);
    const lease = new Lease();
    const sentAt = Date.now();
    const taken = await connection.run(`take the ${label} ${lockKey}`, (client) => client.set(lockKey, lease.holder, 'PX', leaseMs, 'NX'));
    if (taken === 'OK') {
      lease.validUntil = sentAt + leaseMs;
      return lease;
    }
    if (!waiting) {
      waiting = true;
      options.onWait?.();
    }
    if (Date.now() > deadline) {
      throw new OAuthError('OAUTH_LOCK_TIMEOUT', `Another process has held the ${label} ${lockKey} on ${connection.location} for over ${waitTimeoutMs / 1000} s, renewing it all along. It frees by itself within ${leaseMs / 1000} s of that process stopping.`);
    }
    await pause(pollMs * (1 + Math.random()), options.signal, settings);
  }
}

/**
 * Renews every third of the lease, so two renewals in a row may fail (a
 * short outage, a slow Redis) before the lease runs out. A renewal finding
 * another holder (or none) marks the lease lost for good; one that fails to
 * reach Redis is simply tried again at the next tick.
 */
function startRenewal(connection: RedisConnection, settings: LeaseSettings, lease: Lease): NodeJS.Timeout {
  let renewing = false;
  const timer = setInterval(() => {
    if (renewing || lease.lost) return;
    renewing = true;
    const sentAt = Date.now();
    connection
      .run(`renew the ${settings.label}`, (client) => client.eval(RENEW_LEASE, 1, settings.lockKey, lease.holder, settings.leaseMs))
      .then(
        (renewed) => {
          if (renewed === 1) lease.validUntil = Math.max(lease.validUntil, sentAt + settings.leaseMs);
          else {
            lease.markLost();
            clearInterval(timer);
          }
        },
        () => {
          // Unreachable for now: the next tick tries again, and a fenced
          // write after validUntil fails rather than trusting the lease.
        },
      )
      .finally(() => {
        renewing = false;
      });
  }, Math.max(1, Math.floor(settings.leaseMs / 3)));
  // The lease must not keep a process alive that has nothing else to do.
  timer.unref();
  return timer;
}

function throwIfAborted(signal: AbortSignal | undefined, settings: LeaseSettings): void {
  if (signal?.aborted) throw new OAuthError('OAUTH_ABORTED', `Waiting for the ${settings.label} ${settings.lockKey} was aborted.`, { cause: signal.reason });
}

/** Sleeps `ms`, or until `signal` aborts (then throws `OAUTH_ABORTED`). */
export function pause(ms: number, signal: AbortSignal | undefined, settings: LeaseSettings): Promise<void> {
  const aborted = () => new OAuthError('OAUTH_ABORTED', `Waiting for the ${settings.label} ${settings.lockKey} was aborted.`, { cause: signal?.reason });
  if (signal?.aborted) return Promise.reject(aborted());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
