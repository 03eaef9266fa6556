import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fullRecord, redisServerMissing, startRedisServer, type TestRedisServer } from '@opperator/testing';
import { redisFixture, type RedisFixture } from './helpers.js';

// The lease against a real redis-server, held by real processes: one killed
// while holding it, one paused past it (SIGSTOP, as a suspended VM), and a
// holder whose Redis restarts under it.

const LEASE_MS = 2_000;
const missing = redisServerMissing();
let server: TestRedisServer;
let redis: RedisFixture;

beforeAll(async () => {
  if (missing) return;
  server = await startRedisServer();
  redis = redisFixture(server);
});
afterEach(async () => redis?.closeAll());
afterAll(async () => server?.stop());

const fixture = fileURLToPath(new URL('./fixtures/lease-holder.ts', import.meta.url));

/** A lease-holder process on `key`, with its stdout read line by line. */
function startHolder(key: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, server.url, key, String(LEASE_MS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    waiters.splice(0).forEach((wake) => wake());
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const nextLine = async (): Promise<string> => {
    while (lines.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
    return lines.shift()!;
  };
  return { child, exited, nextLine, send: (line: string) => child.stdin.write(`${line}\n`) };
}

describe.skipIf(missing !== undefined)(`the Redis lease${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('is a random holder id at <key>:lock expiring within the lease, renewed while held, gone once released', async () => {
    const key = redis.newKey();
    const store = redis.openStore(key, { leaseMs: LEASE_MS });
    const raw = redis.raw();
    const seen = await store.withLock(async () => {
      const holder = await raw.get(`${key}:lock`);
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 1.2));
      return { holder, stillHeld: await raw.get(`${key}:lock`), ttl: await raw.pttl(`${key}:lock`) };
    });
    expect(seen.holder).toMatch(/^.+:\d+:[\w-]{16}$/);
    expect(seen.stillHeld).toBe(seen.holder);
    expect(seen.ttl).toBeGreaterThan(0);
    expect(seen.ttl).toBeLessThanOrEqual(LEASE_MS);
    expect(await raw.exists(`${key}:lock`)).toBe(0);
  });

  it(`a holder SIGKILLed while holding it frees the lock within one lease (${LEASE_MS} ms)`, async () => {
    const key = redis.newKey();
    const holder = startHolder(key);
    expect(await holder.nextLine()).toBe('locked');
    holder.child.kill('SIGKILL');
    await holder.exited;
    const store = redis.openStore(key, { leaseMs: LEASE_MS });
    let waits = 0;
    const started = Date.now();
    await store.withLock(async () => store.save(fullRecord('after-crash')), { onWait: () => (waits += 1) });
    const waitedMs = Date.now() - started;
    expect(waits).toBe(1);
    expect(waitedMs).toBeLessThan(LEASE_MS + 1_000);
    expect((await store.load())?.accessToken).toBe('at-after-crash');
  }, 20_000);

  it('a holder paused past its lease (SIGSTOP) is fenced when it resumes: its save throws OAUTH_STORE_LEASE_LOST and the newer holder’s record stays', async () => {
    const key = redis.newKey();
    const store = redis.openStore(key, { leaseMs: LEASE_MS });
    const holder = startHolder(key);
    expect(await holder.nextLine()).toBe('locked');
    holder.child.kill('SIGSTOP');
    try {
      await store.withLock(() => store.save(fullRecord('newer')));
    } finally {
      holder.child.kill('SIGCONT');
    }
    holder.send('save at-stale');
    expect(await holder.nextLine()).toBe('OAUTH_STORE_LEASE_LOST');
    holder.send('release');
    await holder.exited;
    expect((await store.load())?.accessToken).toBe('at-newer');
    // The stalled holder's release did not delete a lock someone else might hold.
    await store.withLock(async () => {
      holder.child.kill('SIGKILL');
      expect(await redis.raw().exists(`${key}:lock`)).toBe(1);
    });
  }, 20_000);

  it('a save under the lease rides out a Redis restart shorter than the lease (the append-only file keeps the lease)', async () => {
    const key = redis.newKey();
    const store = redis.openStore(key, { leaseMs: 5_000 });
    await store.withLock(async () => {
      await server.restart();
      await store.save(fullRecord('across-restart'));
    });
    expect((await store.load())?.accessToken).toBe('at-across-restart');
  }, 20_000);

  it('a save under the lease throws OAUTH_STORE_LEASE_LOST when Redis lost the lease (restarted without persistence)', async () => {
    const volatile = await startRedisServer({ persist: false });
    try {
      const local = redisFixture(volatile);
      const store = local.openStore(local.newKey(), { leaseMs: 5_000 });
      const outcome = await store.withLock(async () => {
        await volatile.restart();
        return store.save(fullRecord('lost')).then(() => 'saved', (err: unknown) => err);
      });
      expect(outcome).toMatchObject({ name: 'OAuthError', code: 'OAUTH_STORE_LEASE_LOST' });
      expect(await store.load()).toBeUndefined();
      await local.closeAll();
    } finally {
      await volatile.stop();
    }
  }, 20_000);
});
