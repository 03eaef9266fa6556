import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileTokenStore, MemoryTokenStore, openTokenStore, redactStoreLocation, registerTokenStorePackage } from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'open-token-store-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('openTokenStore', () => {
  it('a path, relative to baseDir or absolute, or a file: URL is a token file; memory: is in memory', async () => {
    const relative = await openTokenStore('tokens/gmail.json', { baseDir: dir });
    expect(relative).toBeInstanceOf(FileTokenStore);
    expect(relative.description).toBe(join(dir, 'tokens', 'gmail.json'));
    expect((await openTokenStore(join(dir, 'a.json'))).description).toBe(join(dir, 'a.json'));
    expect((await openTokenStore(pathToFileURL(join(dir, 'b.json')).href)).description).toBe(join(dir, 'b.json'));
    expect(await openTokenStore('memory:')).toBeInstanceOf(MemoryTokenStore);
  });

  it('refuses an unknown scheme, an empty location and a shared store without a key, never echoing credentials', async () => {
    await expect(openTokenStore('mongodb://user:hunter2@db/tokens', { key: 'k' })).rejects.toMatchObject({ code: 'OAUTH_INVALID_ARGUMENT', message: expect.not.stringContaining('hunter2') });
    await expect(openTokenStore('mongodb://user:hunter2@db/tokens', { key: 'k' })).rejects.toThrow(/mongodb:\/\/db\/tokens is not a token store/);
    await expect(openTokenStore('  ')).rejects.toMatchObject({ code: 'OAUTH_INVALID_ARGUMENT' });
    await expect(openTokenStore('redis://:hunter2@127.0.0.1:6379/0')).rejects.toMatchObject({ code: 'OAUTH_INVALID_ARGUMENT', message: expect.stringContaining('needs a key') });
    await expect(openTokenStore('redis://:hunter2@127.0.0.1:6379/0')).rejects.toMatchObject({ message: expect.not.stringContaining('hunter2') });
  });
});

describe('registerTokenStorePackage', () => {
  it('a registered package opens its schemes without any module resolution, with the key and lease given', async () => {
    const opened: Array<{ url: string; key: string; leaseMs?: number }> = [];
    registerTokenStorePackage(['test-store:'], {
      createTokenStore: (url, options) => {
        opened.push({ url: url.href, ...options });
        return new MemoryTokenStore();
      },
    });
    expect(await openTokenStore('test-store://host/db', { key: 'mail/gmail', leaseMs: 5_000 })).toBeInstanceOf(MemoryTokenStore);
    expect(opened).toEqual([{ url: 'test-store://host/db', key: 'mail/gmail', leaseMs: 5_000 }]);
  });
});

describe('redactStoreLocation', () => {
  it('drops user, password and query values; keeps host, port, database and the query names', () => {
    expect(redactStoreLocation('redis://:s3cret@cache.internal:6380/2')).toBe('redis://cache.internal:6380/2');
    expect(redactStoreLocation('postgres://app:pw@db.internal:5432/tokens?sslmode=require&password=pw')).toBe('postgres://db.internal:5432/tokens?sslmode=…&password=…');
    expect(redactStoreLocation('/home/ana/.config/opperator/agents/mail/token.json')).toBe('/home/ana/.config/opperator/agents/mail/token.json');
  });
});
