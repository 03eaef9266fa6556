import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { OAuthError, type StoreLockOptions } from '@opperator/oauth';
import type { StoreTables } from './schema.js';
import { RENEWALS_PER_LEASE } from './timeouts.js';

/**
 * The lock shared by every host using the store: a row in the lease table
 * per (key, kind) naming its holder, with an expiry judged by the database's
 * own clock (`clock_timestamp()`), so the hosts' clocks never matter.
 *
 * Why a lease row and not `pg_advisory_lock`: an advisory lock lives as long
 * as its session. A holder that stalls (GC pause, a frozen VM, SIGSTOP)
 * keeps its connection, so its lock never expires and every other host waits
 * for it; and a pooled connection cannot hold a lock across the awaits of a
 * refresh without pinning it. A lease expires by itself, the holder renews it
 * while it works, and a dead holder frees it within one lease.
 *
 * Expiry alone is not enough (Kleppmann, "How to do distributed locking",
 * 2016): a holder can stall past its lease and then write, after a newer
 * holder already wrote. So every acquisition takes a fencing token (`fence`,
 * from one sequence, so it only grows, even if lease rows are deleted), and
 * a write under the lease (see the store's fenced save) happens in one
 * statement that (1) locks our lease row, checking it is still ours and
 * unexpired, and (2) writes only if the record's fence is not newer than
 * ours. (1) makes the check and the write atomic: a newer holder cannot take
 * the lease between them, since taking it waits for our row lock. (2) is the
 * storage-side check Kleppmann asks for: it also refuses a late write after
 * anything that wrote with a newer fence (a sign-in's save, or leases lost
 * to an operator deleting rows).
 *
 * Waiters poll (every 50-100 ms by default) rather than LISTEN for a NOTIFY
 * on release: a listener needs a connection of its own held open for the
 * store's whole life (per process, on every host), must be re-established
 * after every server restart, and would keep an idle agent's process alive;
 * a poll is one indexed statement, and a refresh window happens once an hour.
 */

/** Which lease, and how it behaves. */
export interface LeaseKind {
  /** The `kind` column: refreshes and sign-ins lock independently. */
  name: 'refresh' | 'sign-in';
  leaseMs: number;
  /** Pause between attempts while someone else holds it (jittered up to twice this). */
  pollMs: number;
  /** How long to wait for a holder that keeps renewing; `Infinity` waits until the caller's signal aborts. */
  waitTimeoutMs: number;
}

/** A lease this process holds. */
export interface HeldLease {
  kind: LeaseKind['name'];
  /** Unique per acquisition: host, pid and a random id (the host and pid help whoever reads the table). */
  holder: string;
  /** The fencing token of this acquisition (a bigint, kept as pg returns it: a decimal string). */
  fence: string;
  /** Set once a renewal found the lease gone: saves under it fail without asking the database. */
  lost: boolean;
  /**
   * When the lease expires at the latest, on this process's monotonic clock
   * (`performance.now()`): the send time of the last statement that set its
   * expiry, plus its length. The database judges expiry itself; this is only
   * how long a save keeps trying through an outage.
   */
  expiresBy: number;
}

/** What the lease needs from its store: the key, the tables, and a query that translates errors. */
export interface LeaseContext {
  key: string;
  tables: StoreTables;
  where: string;
  query: (text: string, values: unknown[], doing: string) => Promise<Array<Record<string, unknown>>>;
}

/**
 * Runs `work` holding the lease of `kind` on the context's key: waits for
 * it (polling with jitter, `onWait` once, `signal` honoured), renews it
 * every third of its length while `work` runs, and releases it after.
 */
export async function withLease<T>(context: LeaseContext, kind: LeaseKind, work: (lease: HeldLease) => Promise<T>, options: StoreLockOptions = {}): Promise<T> {
  const lease = await acquire(context, kind, options);
  const renewal = keepRenewing(context, kind, lease);
  try {
    return await work(lease);
  } finally {
    await renewal.stop();
    await context.query(`DELETE FROM ${context.tables.leases} WHERE key = $1 AND kind = $2 AND holder = $3`, [context.key, kind.name, lease.holder], 'release the lease').catch(() => {
      // The store is unreachable: the lease expires by itself within leaseMs.
      // The work's own outcome (a result or its error) matters more than this.
    });
  }
}

async function acquire(context: LeaseContext, kind: LeaseKind, options: StoreLockOptions): Promise<HeldLease> {
  const { key, tables } = context;
  const holder = `${hostname()}:${process.pid}:${randomUUID()}`;
  // One statement: insert the lease, or take over an expired one; the row
  // lock ON CONFLICT takes makes two takers of one expired lease see each
  // other (the second finds it unexpired). nextval runs even when nothing is
  // taken: a sequence may skip, it never goes back.
  const take = `INSERT INTO ${tables.leases} AS lease (key, kind, holder, fence, expires_at)
    VALUES ($1, $2, $3, nextval($5::regclass), clock_timestamp() + $4 * interval '1 millisecond')
    ON CONFLICT (key, kind) DO UPDATE SET holder = excluded.holder, fence = excluded.fence, expires_at = excluded.expires_at
    WHERE lease.expires_at <= clock_timestamp()
    RETURNING fence::text AS fence`;
  const deadline = Date.now() + kind.waitTimeoutMs;
  let waiting = false;
  for (;;) {
    throwIfAborted(context, kind, options.signal);
    const sentAt = performance.now();
    const [row] = await context.query(take, [key, kind.name, holder, kind.leaseMs, tables.fences], `take the ${kind.name} lease`);
    if (row) return { kind: kind.name, holder, fence: String(row.fence), lost: false, expiresBy: sentAt + kind.leaseMs };
    if (!waiting) {
      waiting = true;
      options.onWait?.();
    }
    if (Date.now() >= deadline) {
      throw new OAuthError('OAUTH_LOCK_TIMEOUT', `Another process has held the ${kind.name} lease on ${JSON.stringify(key)} in ${context.where} for over ${kind.waitTimeoutMs / 1000} s, renewing it (it is alive but stuck). It is the row (key, kind) = (${JSON.stringify(key)}, '${kind.name}') of ${tables.leases}.`);
    }
    try {
      await sleep(kind.pollMs * (1 + Math.random()), undefined, options.signal ? { signal: options.signal } : {});
    } catch {
      // Only the signal interrupts the pause; the check at the top of the loop reports it.
    }
  }
}

function throwIfAborted(context: LeaseContext, kind: LeaseKind, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new OAuthError('OAUTH_ABORTED', `Waiting for the ${kind.name} lease on ${JSON.stringify(context.key)} in ${context.where} was aborted.`, { cause: signal.reason });
}

/**
 * Renews the lease every third of its length until stopped. A renewal that
 * finds the lease gone (expired and taken, or deleted) marks it lost and
 * stops; one that cannot reach the store tries again at the next tick, since
 * the lease may outlive a short outage.
 */
function keepRenewing(context: LeaseContext, kind: LeaseKind, lease: HeldLease): { stop(): Promise<void> } {
  const renew = `UPDATE ${context.tables.leases} SET expires_at = clock_timestamp() + $4 * interval '1 millisecond'
    WHERE key = $1 AND kind = $2 AND holder = $3 AND expires_at > clock_timestamp() RETURNING 1`;
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (stopped || lease.lost) return;
    timer = setTimeout(tick, kind.leaseMs / RENEWALS_PER_LEASE);
    // The work keeps the process alive while it runs; the renewal alone must not.
    timer.unref();
  };
  const tick = () => {
    const sentAt = performance.now();
    inFlight = context
      .query(renew, [context.key, kind.name, lease.holder, kind.leaseMs], `renew the ${kind.name} lease`)
      .then(
        (rows) => {
          if (rows.length === 0) lease.lost = true;
          else lease.expiresBy = sentAt + kind.leaseMs;
        },
        () => {
          // Unreachable for now: the next tick tries again. The fenced save
          // asks the database itself, so a lease that expired meanwhile is
          // never written under.
        },
      )
      .finally(schedule);
  };
  schedule();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
