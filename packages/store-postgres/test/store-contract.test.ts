import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { describeTokenStoreContract, startPostgresServer, type TestPostgresServer } from '@opperator/testing';
import { PostgresTokenStore } from '../src/index.js';
import { postgresMissing } from './postgres-available.js';

// The token store contract (packages/testing/src/token-store-contract.ts) on
// a real PostgreSQL: each handle and each sibling has its own pool, as
// processes on other hosts would.

let server: TestPostgresServer;
let admin: pg.Pool;
beforeAll(async () => {
  if (postgresMissing) return;
  server = await startPostgresServer();
  admin = new pg.Pool({ connectionString: server.url, max: 2 });
  admin.on('error', () => {
    // The server stops at the end of the file: its idle connections die, nothing to do.
  });
});
afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

let records = 0;
if (!postgresMissing) {
  describeTokenStoreContract({
    name: 'PostgresTokenStore',
    capabilities: { sharedLock: true, lease: true },
    codes: { corrupt: 'OAUTH_STORE_CORRUPT', unsupportedVersion: 'OAUTH_STORE_UNSUPPORTED_VERSION' },
    async open(options = {}) {
      const key = `contract-${process.pid}-${++records}`;
      const make = () => new PostgresTokenStore({ connectionString: server.url, key, ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }) });
      const store = make();
      const siblings: PostgresTokenStore[] = [];
      return {
        store,
        sibling: async () => {
          const sibling = make();
          siblings.push(sibling);
          return sibling;
        },
        writeRaw: async (text) => {
          // The tables exist once the store has been used; clear() is a harmless first use.
          await store.clear();
          await admin.query('INSERT INTO opperator_tokens (key, record, fence) VALUES ($1, $2, 0) ON CONFLICT (key) DO UPDATE SET record = excluded.record', [key, text]);
        },
        close: async () => {
          await Promise.all([store, ...siblings].map((s) => s.close()));
          await admin.query('DELETE FROM opperator_tokens WHERE key = $1', [key]);
        },
      };
    },
  });
}
