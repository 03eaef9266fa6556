import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { TestRedisServer } from '@opperator/testing';
import { RedisTokenStore, type RedisTokenStoreSettings } from '../src/index.js';

/** Stores and raw clients on one test server. */
export interface RedisFixture {
  server: TestRedisServer;
  /** A key no other test uses. */
  newKey(prefix?: string): string;
  /** A store on the server; closed by closeAll(). */
  openStore(key: string, settings?: Omit<RedisTokenStoreSettings, 'key'> & { url?: string; timeoutMs?: number }): RedisTokenStore;
  /** A plain ioredis client on the server, for reading and spoiling keys behind the store's back. */
  raw(): Redis;
  closeAll(): Promise<void>;
}

/** Stores and raw clients on `server`, all closed by closeAll(). */
export function redisFixture(server: TestRedisServer): RedisFixture {
  const stores: RedisTokenStore[] = [];
  const clients: Redis[] = [];
  return {
    server,
    newKey: (prefix = 'test') => `${prefix}/${randomBytes(6).toString('hex')}`,
    openStore(key, settings = {}) {
      const { url = server.url, ...rest } = settings;
      const store = new RedisTokenStore({ url, key, ...rest });
      stores.push(store);
      return store;
    },
    raw() {
      const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      client.on('error', () => undefined);
      clients.push(client);
      return client;
    },
    async closeAll() {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      for (const client of clients.splice(0)) client.disconnect();
    },
  };
}
