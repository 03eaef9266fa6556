import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeTokenStoreContract, makeTempDir } from '@opperator/testing';
import { FileTokenStore, MemoryTokenStore } from '../src/index.js';

// The token store contract (packages/testing/src/token-store-contract.ts) on
// the two stores of the core; the Redis and Postgres packages run the same
// suite against real engines.

describeTokenStoreContract({
  name: 'MemoryTokenStore',
  // One object in one process: its "siblings" are the same store, and it holds objects, not text.
  capabilities: { sharedLock: false, lease: false, rawRecord: false },
  codes: { corrupt: 'OAUTH_STORE_CORRUPT', unsupportedVersion: 'OAUTH_STORE_UNSUPPORTED_VERSION' },
  async open() {
    const store = new MemoryTokenStore();
    return {
      store,
      sibling: async () => store,
      writeRaw: async () => {
        throw new Error('MemoryTokenStore keeps objects: there is no text to spoil');
      },
      close: async () => undefined,
    };
  },
});

describeTokenStoreContract({
  name: 'FileTokenStore',
  // proper-lockfile's lock is taken over only once stale; a live holder is not fenced.
  capabilities: { sharedLock: true, lease: false },
  codes: { corrupt: 'OAUTH_TOKEN_FILE_CORRUPT', unsupportedVersion: 'OAUTH_TOKEN_FILE_UNSUPPORTED_VERSION' },
  async open() {
    const dir = await makeTempDir('opperator-store-contract-');
    const path = join(dir.path, 'token.json');
    return {
      store: new FileTokenStore(path),
      // Another FileTokenStore on the same path shares nothing in memory with the first, as another process.
      sibling: async () => new FileTokenStore(path),
      writeRaw: (text) => writeFile(path, text, { mode: 0o600 }),
      close: () => dir.remove(),
    };
  },
});
