import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OAuthClient, type StoredTokens, type TokenStore } from '@opperator/oauth';
import { RotatingTokenEndpoint, redisServerMissing, startRedisServer, type TestRedisServer } from '@opperator/testing';
import { redisFixture, type RedisFixture } from './helpers.js';

// One grant shared by many OAuthClients, each on its own RedisTokenStore
// (its own connection, as separate hosts), against a token endpoint faked at
// the fetch seam that rotates refresh tokens and revokes the grant on reuse.

const HANDLES = 16;
const WINDOWS = 5;
const HOUR_MS = 3_600_000;
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

function expiredGrant(now: number): StoredTokens {
  return { issuer: RotatingTokenEndpoint.ISSUER, clientId: 'shared-client', tokenType: 'bearer', accessToken: 'at-0', refreshToken: 'rt-0', scopes: ['read'], obtainedAt: now - HOUR_MS, expiresAt: now - 1 };
}

function client(store: TokenStore, endpoint: RotatingTokenEndpoint, clock: { now: number }): OAuthClient {
  return new OAuthClient({ provider: endpoint.provider, clientId: 'shared-client', scopes: ['read'], store, fetch: endpoint.fetch, now: () => clock.now, retry: { maxAttempts: 1 } });
}

describe.skipIf(missing !== undefined)(`refresh through Redis${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it(`${HANDLES} clients on their own connections, ${WINDOWS} expiry windows: exactly one refresh per window, no invalid_grant, everyone on the new token`, async () => {
    const key = redis.newKey('refresh');
    const clock = { now: Date.now() };
    const endpoint = new RotatingTokenEndpoint({ delayMs: 30 });
    const stores = Array.from({ length: HANDLES }, () => redis.openStore(key));
    await stores[0]!.save(expiredGrant(clock.now));
    const clients = stores.map((store) => client(store, endpoint, clock));
    const waits: number[] = [];
    clients.forEach((c, i) => c.on('lock-wait', () => waits.push(i)));
    for (let window = 1; window <= WINDOWS; window += 1) {
      const tokens = await Promise.all(clients.flatMap((c) => [c.getAccessToken(), c.getAccessToken()]));
      expect(new Set(tokens)).toEqual(new Set([`at-${window}`]));
      expect(endpoint.count('rotated')).toBe(window);
      clock.now += 2 * HOUR_MS;
    }
    expect(endpoint.count('invalid_grant')).toBe(0);
    expect(endpoint.liveRefreshToken).toBe(`rt-${WINDOWS}`);
    expect((await stores[HANDLES - 1]!.load())?.refreshToken).toBe(`rt-${WINDOWS}`);
    // The clients that lost the race waited on the lease (and said so) rather than refreshing.
    expect(waits.length).toBeGreaterThan(0);
  }, 30_000);
});
