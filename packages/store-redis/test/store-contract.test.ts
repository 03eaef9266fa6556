import { afterAll, beforeAll, describe, it } from 'vitest';
import { describeTokenStoreContract, redisServerMissing, startRedisServer, type TestRedisServer } from '@opperator/testing';
import { redisFixture, type RedisFixture } from './helpers.js';

// The token store contract (packages/testing/src/token-store-contract.ts)
// on a real redis-server: each record its own key, each sibling its own
// connection, as another host would open.

const missing = redisServerMissing();
let server: TestRedisServer | undefined;
let redis: RedisFixture;

beforeAll(async () => {
  if (missing) return;
  server = await startRedisServer();
  redis = redisFixture(server);
});
afterAll(async () => {
  await redis?.closeAll();
  await server?.stop();
});

if (missing) {
  describe('TokenStore contract: RedisTokenStore', () => it.skip(`skipped: ${missing}`, () => undefined));
} else {
  describeTokenStoreContract({
    name: 'RedisTokenStore',
    capabilities: { sharedLock: true, lease: true },
    codes: { corrupt: 'OAUTH_STORE_CORRUPT', unsupportedVersion: 'OAUTH_STORE_UNSUPPORTED_VERSION' },
    async open(options = {}) {
      const key = redis.newKey('contract');
      const settings = options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs };
      const store = redis.openStore(key, settings);
      const raw = redis.raw();
      return {
        store,
        sibling: async () => redis.openStore(key, settings),
        writeRaw: async (text) => void (await raw.set(key, text)),
        // The stores close with the file (closeAll); the record and any key moved aside go now.
        close: async () => {
          const keys = await raw.keys(`${key}*`);
          if (keys.length > 0) await raw.del(...keys);
        },
      };
    },
  });
}
