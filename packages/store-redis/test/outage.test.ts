import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OAuthClient, type StoredTokens } from '@opperator/oauth';
import { RotatingTokenEndpoint, redisServerMissing, startRedisServer, type TestRedisServer } from '@opperator/testing';
import { RECONNECT_MAX_DELAY_MS } from '../src/index.js';
import { redisFixture, type RedisFixture } from './helpers.js';

// Redis going away under a running OAuth client: valid tokens keep being
// served from memory, a refresh fails fast with a typed error, and
// everything works again once Redis is back.

const HOUR_MS = 3_600_000;
/** Refused while Redis is known to be down: no connection attempt, no timeout to wait out. */
const FAIL_FAST_MS = 250;
const missing = redisServerMissing();
let server: TestRedisServer;
let redis: RedisFixture;

beforeAll(async () => {
  if (missing) return;
  server = await startRedisServer();
  redis = redisFixture(server);
});
afterEach(async () => {
  server?.thaw();
  await server?.up();
  await redis?.closeAll();
});
afterAll(async () => server?.stop());

function grant(now: number): StoredTokens {
  return { issuer: RotatingTokenEndpoint.ISSUER, clientId: 'outage-client', tokenType: 'bearer', accessToken: 'at-0', refreshToken: 'rt-0', scopes: ['read'], obtainedAt: now, expiresAt: now + HOUR_MS };
}

describe.skipIf(missing !== undefined)(`a Redis outage${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it(`keeps serving a valid token, fails an expired one within ${FAIL_FAST_MS} ms with OAUTH_STORE_UNAVAILABLE, and refreshes within about ${RECONNECT_MAX_DELAY_MS} ms of Redis returning`, async () => {
    const store = redis.openStore(redis.newKey('outage'));
    const clock = { now: Date.now() };
    await store.save(grant(clock.now));
    const endpoint = new RotatingTokenEndpoint();
    const client = new OAuthClient({ provider: endpoint.provider, clientId: 'outage-client', scopes: ['read'], store, fetch: endpoint.fetch, now: () => clock.now, retry: { maxAttempts: 1 } });
    expect(await client.getAccessToken()).toBe('at-0');

    await server.down();
    for (let i = 0; i < 1_000; i += 1) expect(await client.getAccessToken()).toBe('at-0');

    clock.now += 2 * HOUR_MS;
    for (let i = 0; i < 3; i += 1) {
      const started = performance.now();
      const error = await client.getAccessToken().then(() => undefined, (err: unknown) => err);
      expect(error).toMatchObject({ name: 'OAuthError', code: 'OAUTH_STORE_UNAVAILABLE' });
      expect((error as Error).message).toContain(store.description.split(' ')[0]);
      expect(performance.now() - started).toBeLessThan(FAIL_FAST_MS);
    }
    // A store first used during the outage fails as fast (the connection is refused at once).
    const late = redis.openStore(store.key);
    const started = performance.now();
    await expect(late.load()).rejects.toMatchObject({ code: 'OAUTH_STORE_UNAVAILABLE' });
    expect(performance.now() - started).toBeLessThan(FAIL_FAST_MS);
    expect(endpoint.requests).toEqual([]);

    await server.up();
    const upAt = performance.now();
    const token = await vi.waitFor(() => client.getAccessToken(), { timeout: 5_000, interval: 25 });
    expect(performance.now() - upAt).toBeLessThan(RECONNECT_MAX_DELAY_MS + 1_000);
    expect(token).toBe('at-1');
    expect(endpoint.requests).toEqual([{ refreshToken: 'rt-0', outcome: 'rotated' }]);
    // The other connection reconnects on its own schedule, within the same bound.
    expect((await vi.waitFor(() => late.load(), { timeout: 5_000, interval: 25 }))?.refreshToken).toBe('rt-1');
  }, 30_000);

  it('a Redis that hangs (SIGSTOP: connected, silent) fails each command after timeoutMs, then works once it answers again', async () => {
    const key = redis.newKey('hang');
    const store = redis.openStore(key, { timeoutMs: 500 });
    await store.save(grant(Date.now()));
    server.freeze();
    const started = performance.now();
    await expect(store.load()).rejects.toMatchObject({ code: 'OAUTH_STORE_UNAVAILABLE' });
    const failedAfterMs = performance.now() - started;
    expect(failedAfterMs).toBeGreaterThanOrEqual(450);
    expect(failedAfterMs).toBeLessThan(1_500);
    server.thaw();
    expect((await vi.waitFor(() => store.load(), { timeout: 5_000, interval: 50 }))?.accessToken).toBe('at-0');
  }, 20_000);

  it('a crash (SIGKILL) keeps every acknowledged write (append-only file, fsync always), lease keys with their expiry included', async () => {
    const key = redis.newKey('crash');
    const store = redis.openStore(key, { leaseMs: 10_000 });
    await store.save(grant(Date.now()));
    const raw = redis.raw();
    await store.withLock(async () => {
      await server.down('SIGKILL');
      await server.up();
      const ttl = await vi.waitFor(() => raw.pttl(`${key}:lock`), { timeout: 5_000, interval: 50 });
      expect(ttl).toBeGreaterThan(5_000);
      await store.save({ ...grant(Date.now()), accessToken: 'at-after-crash' });
    });
    expect((await store.load())?.accessToken).toBe('at-after-crash');
  }, 20_000);
});
