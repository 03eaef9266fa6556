import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeTokenRecord } from '@opperator/oauth';
import { fullRecord, redisServerMissing, startRedisServer, type TestRedisServer } from '@opperator/testing';
import { RedisTokenStore, createTokenStore } from '../src/index.js';
import { redisFixture, type RedisFixture } from './helpers.js';

// What is kept at the key, what a store says about where it is, and what it
// never says (the password), against a real redis-server that requires one.

const PASSWORD = 'S3cret-Redis-Pw';
const missing = redisServerMissing();
let server: TestRedisServer;
let redis: RedisFixture;
let authed: string;

beforeAll(async () => {
  if (missing) return;
  server = await startRedisServer({ password: PASSWORD });
  redis = redisFixture(server);
  authed = `redis://:${PASSWORD}@127.0.0.1:${server.port}/0`;
});
const rawClients: Redis[] = [];
afterEach(async () => {
  for (const client of rawClients.splice(0)) client.disconnect();
  await redis?.closeAll();
});
afterAll(async () => server?.stop());

/** A client with the password, for looking behind the store's back. */
function raw(): Redis {
  const client = new Redis(authed, { lazyConnect: true });
  client.on('error', () => undefined);
  rawClients.push(client);
  return client;
}

/** Everything an error shows to a logger: message, JSON, inspect with its cause chain. */
function everythingShown(err: unknown): string {
  return `${String(err)}\n${JSON.stringify(err)}\n${inspect(err, { depth: 10, showHidden: true })}`;
}

describe.skipIf(missing !== undefined)(`Redis records and credentials${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('keeps the token record text at <key> (the token file format), readable by any handle', async () => {
    const key = redis.newKey();
    const store = redis.openStore(key, { url: authed });
    await store.save(fullRecord('a'));
    const client = raw();
    expect(await client.get(key)).toBe(encodeTokenRecord(fullRecord('a')));
    expect(await redis.openStore(key, { url: authed }).load()).toEqual(fullRecord('a'));
    await store.clear();
    expect(await client.exists(key)).toBe(0);
  });

  it('moves a corrupt record aside to <key>:corrupt:<time>, says where, and a save then works', async () => {
    const key = redis.newKey();
    const client = raw();
    await client.set(key, '{"version":1,"accessToken":"SECRET-token"');
    const store = redis.openStore(key, { url: authed });
    const error = await store.load().then(() => undefined, (err: unknown) => err);
    expect(error).toMatchObject({ name: 'OAuthError', code: 'OAUTH_STORE_CORRUPT' });
    const aside = /moved to (\S+);/.exec((error as Error).message)?.[1] ?? '';
    expect(aside).toMatch(new RegExp(`^${key}:corrupt:\\d{4}-\\d\\d-\\d\\dT`));
    expect(await client.get(aside)).toBe('{"version":1,"accessToken":"SECRET-token"');
    expect(await client.exists(key)).toBe(0);
    expect(everythingShown(error)).not.toContain('SECRET');
    expect(await store.load()).toBeUndefined();
    await store.save(fullRecord('b'));
    expect(await store.load()).toEqual(fullRecord('b'));
  });

  it('moves aside a key that is not a string (a hash someone wrote there)', async () => {
    const key = redis.newKey();
    const client = raw();
    await client.hset(key, 'accessToken', 'x');
    const error = await redis.openStore(key, { url: authed }).load().then(() => undefined, (err: unknown) => err);
    expect(error).toMatchObject({ code: 'OAUTH_STORE_CORRUPT' });
    const aside = /moved to (\S+);/.exec((error as Error).message)?.[1] ?? '';
    expect(await client.type(aside)).toBe('hash');
    expect(await client.exists(key)).toBe(0);
  });

  it('leaves a record of a newer schema version where it is', async () => {
    const key = redis.newKey();
    const client = raw();
    const newer = JSON.stringify({ ...JSON.parse(encodeTokenRecord(fullRecord('a'))), version: 99 });
    await client.set(key, newer);
    await expect(redis.openStore(key, { url: authed }).load()).rejects.toMatchObject({ code: 'OAUTH_STORE_UNSUPPORTED_VERSION', message: expect.stringContaining('left as it is') });
    expect(await client.get(key)).toBe(newer);
  });

  it('describes itself as redis://host:port/db key <key>, never with the credentials', () => {
    const withUser = new RedisTokenStore({ url: `redis://default:${PASSWORD}@127.0.0.1:${server.port}/3?password=${PASSWORD}`, key: 'mail/gmail' });
    expect(withUser.description).toBe(`redis://127.0.0.1:${server.port}/3 key mail/gmail`);
    expect(new RedisTokenStore({ url: `rediss://:${PASSWORD}@cache.example.test`, key: 'k' }).description).toBe('rediss://cache.example.test:6379/0 key k');
    expect(new RedisTokenStore({ url: 'redis://127.0.0.1', key: 'k', redis: { password: PASSWORD, db: 2 } }).description).toBe('redis://127.0.0.1:6379/2 key k');
    expect(JSON.stringify(withUser)).not.toContain(PASSWORD);
    expect(inspect(withUser, { depth: 5 })).not.toContain(PASSWORD);
  });

  it('works with the password from the URL (with or without a user name), and no error shows it: wrong password, outage', async () => {
    const key = redis.newKey();
    const withUser = redis.openStore(key, { url: `redis://default:${PASSWORD}@127.0.0.1:${server.port}` });
    await withUser.save(fullRecord('a'));
    expect(await redis.openStore(key, { url: authed }).load()).toEqual(fullRecord('a'));

    const wrong = redis.openStore(key, { url: `redis://:Wrong-${PASSWORD}@127.0.0.1:${server.port}` });
    const refused = await wrong.load().then(() => undefined, (err: unknown) => err);
    expect(refused).toMatchObject({ name: 'OAuthError', code: 'OAUTH_STORE_UNAVAILABLE' });
    expect(everythingShown(refused)).not.toContain(PASSWORD);
    const none = redis.openStore(key);
    expect(everythingShown(await none.load().then(() => undefined, (err: unknown) => err))).toMatch(/NOAUTH|Authentication required/);

    const store = redis.openStore(key, { url: authed });
    await store.load();
    await server.down();
    try {
      const failures = await Promise.all([store.load(), store.save(fullRecord('b')), store.withLock(async () => undefined)].map((p) => p.then(() => undefined, (err: unknown) => err)));
      for (const failure of failures) {
        expect(failure).toMatchObject({ code: 'OAUTH_STORE_UNAVAILABLE' });
        expect(everythingShown(failure)).not.toContain(PASSWORD);
      }
    } finally {
      await server.up();
    }
  });

  it('keeps tokens out of what a failed write shows (ioredis errors carry the command arguments)', async () => {
    const key = redis.newKey();
    const store = redis.openStore(key, { url: authed });
    await store.load();
    await server.down();
    try {
      const error = await store.save(fullRecord('SECRET')).then(() => undefined, (err: unknown) => err);
      expect(error).toMatchObject({ code: 'OAUTH_STORE_UNAVAILABLE' });
      expect(everythingShown(error)).not.toContain('SECRET');
    } finally {
      await server.up();
    }
  });

  it('createTokenStore(url, { key, leaseMs }) is the store openTokenStore opens for redis:// URLs', async () => {
    const key = redis.newKey();
    const store = createTokenStore(new URL(authed), { key, leaseMs: 4_000 });
    try {
      expect(store).toBeInstanceOf(RedisTokenStore);
      expect(store.description).toBe(`redis://127.0.0.1:${server.port}/0 key ${key}`);
      await store.withLock!(() => store.save(fullRecord('c')));
      expect(await raw().pttl(`${key}:lock`)).toBe(-2);
      expect(await store.load()).toEqual(fullRecord('c'));
    } finally {
      await store.close?.();
    }
  });

  it('uses a client it is given and leaves it open on close', async () => {
    const client = raw();
    const store = new RedisTokenStore({ client, key: redis.newKey() });
    await store.save(fullRecord('d'));
    await store.close();
    expect(await client.ping()).toBe('PONG');
    expect(client.listenerCount('error')).toBe(1);
  });

  it('refuses options that cannot work', () => {
    expect(() => new RedisTokenStore({ url: server.url, key: '' })).toThrow(expect.objectContaining({ code: 'OAUTH_INVALID_ARGUMENT' }));
    expect(() => new RedisTokenStore({ url: server.url, key: 'k', leaseMs: 10 })).toThrow(expect.objectContaining({ code: 'OAUTH_INVALID_ARGUMENT' }));
    expect(() => new RedisTokenStore({ key: 'k' } as never)).toThrow(expect.objectContaining({ code: 'OAUTH_INVALID_ARGUMENT' }));
  });
});
