import { expect, vi } from 'vitest';
import type { TokenStore } from '@opperator/oauth';
import { fullRecord, type ContractContext } from './token-store-contract.js';

// Lock scenarios of the token store contract: the refresh lock and the
// sign-in lock shared across handles, and the lease of stores shared by hosts.

/** A short lease, so the lost-lease scenarios take seconds. Siblings share the handle's options. */
const LEASE_MS = 1_000;
/** How long a second handle is given to show it is waiting (onWait) before the test looks. */
const WAIT_NOTICE_TIMEOUT_MS = 5_000;

/** Registers the lock scenarios (see {@link describeTokenStoreContract}). */
export function registerLockScenarios({ factory, open, itWhen }: ContractContext): void {
  const withSharedLock = itWhen(factory.capabilities.sharedLock, 'no lock shared across handles');
  const withLease = itWhen(factory.capabilities.lease, 'its lock is not a lease that expires under a live holder, and its save is not fenced');

  withSharedLock('the refresh lock excludes a second handle (which says once that it waits) and is freed when the work throws', async () => {
    const handle = await open();
    const other = await handle.sibling();
    const events: string[] = [];
    const release = deferred();
    const entered = deferred();
    const first = lockOf(handle.store)(async () => {
      events.push('first in');
      entered.resolve();
      await release.promise;
      events.push('first out');
    });
    await entered.promise;
    let waits = 0;
    const second = lockOf(other)(async () => void events.push('second in'), { onWait: () => (waits += 1) });
    await vi.waitFor(() => expect(waits).toBe(1), { timeout: WAIT_NOTICE_TIMEOUT_MS });
    await delay(100);
    expect(events).toEqual(['first in']);
    release.resolve();
    await Promise.all([first, second]);
    expect(events).toEqual(['first in', 'first out', 'second in']);
    expect(waits).toBe(1);

    await expect(lockOf(handle.store)(() => Promise.reject(new Error('work failed')))).rejects.toThrow('work failed');
    await expect(lockOf(other)(async () => 'taken')).resolves.toBe('taken');
  });

  withSharedLock('the sign-in lock excludes a second sign-in on another handle until the first ends, leaves the refresh lock free, and a waiter that gives up never runs', async () => {
    const handle = await open();
    const [second, refresher, quitter] = await Promise.all([handle.sibling(), handle.sibling(), handle.sibling()]);
    const events: string[] = [];
    const release = deferred();
    const entered = deferred();
    const first = signInLockOf(handle.store)(async () => {
      events.push('first in');
      entered.resolve();
      await release.promise;
      events.push('first out');
    });
    await entered.promise;
    let waits = 0;
    const waiting = signInLockOf(second)(async () => void events.push('second in'), { onWait: () => (waits += 1) });
    await vi.waitFor(() => expect(waits).toBe(1), { timeout: WAIT_NOTICE_TIMEOUT_MS });
    // Refreshes go on while a user signs in (minutes).
    await expect(lockOf(refresher)(async () => 'refreshed')).resolves.toBe('refreshed');
    const controller = new AbortController();
    const gaveUp = signInLockOf(quitter)(async () => void events.push('quitter in'), { signal: controller.signal, onWait: () => controller.abort() });
    await expect(gaveUp).rejects.toMatchObject({ name: 'OAuthError', code: 'OAUTH_ABORTED' });
    expect(events).toEqual(['first in']);
    release.resolve();
    await Promise.all([first, waiting]);
    expect(events).toEqual(['first in', 'first out', 'second in']);
  });

  withLease(`a live holder keeps its lease past ${LEASE_MS} ms (renewed while its work runs): nobody else gets the lock meanwhile, and its save goes through`, async () => {
    const handle = await open({ leaseMs: LEASE_MS });
    const other = await handle.sibling();
    const events: string[] = [];
    const entered = deferred();
    const first = lockOf(handle.store)(async () => {
      entered.resolve();
      await delay(LEASE_MS * 2.5);
      await handle.store.save(fullRecord('slow'));
      events.push('first saved');
    });
    await entered.promise;
    await lockOf(other)(async () => void events.push('second in'));
    await first;
    expect(events).toEqual(['first saved', 'second in']);
    expect(await other.load()).toEqual(fullRecord('slow'));
  }, 30_000);

  withLease('a holder that stalls past its lease is fenced: another handle takes the lock and saves, the stalled save throws OAUTH_STORE_LEASE_LOST and writes nothing', async () => {
    const handle = await open({ leaseMs: LEASE_MS });
    const [newer, reader] = await Promise.all([handle.sibling(), handle.sibling()]);
    await handle.store.save(fullRecord('before'));
    const entered = deferred();
    const resume = deferred();
    const stalled = lockOf(handle.store)(async () => {
      entered.resolve();
      await resume.promise;
      await handle.store.save(fullRecord('stale'));
    }).then(
      () => 'saved',
      (err: unknown) => err,
    );
    await entered.promise;
    // A process-wide pause (GC, SIGSTOP, a suspended VM): nothing here runs,
    // the lease renewal neither, while the store's clock goes on.
    blockEventLoop(LEASE_MS * 2.5);
    await lockOf(newer)(() => newer.save(fullRecord('newer')));
    resume.resolve();
    expect(await stalled).toMatchObject({ name: 'OAuthError', code: 'OAUTH_STORE_LEASE_LOST' });
    expect(await reader.load()).toEqual(fullRecord('newer'));
  }, 30_000);
}

type Lock = <T>(work: () => Promise<T>, options?: { signal?: AbortSignal; onWait?: () => void }) => Promise<T>;

function lockOf(store: TokenStore): Lock {
  expect(store.withLock, `${store.description} promises a shared lock but has no withLock`).toBeTypeOf('function');
  return store.withLock!.bind(store) as Lock;
}

function signInLockOf(store: TokenStore): Lock {
  expect(store.withSignInLock, `${store.description} promises a shared lock but has no withSignInLock`).toBeTypeOf('function');
  return store.withSignInLock!.bind(store) as Lock;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Blocks this thread, timers and sockets included, for `ms`. */
function blockEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
