import { createServer, type AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTokenRecord, openTokenStore } from '@opperator/oauth';
import { startPostgresServer, type TestPostgresServer } from '@opperator/testing';
import { CONNECT_TIMEOUT_MS, PostgresTokenStore, STORE_SCHEMA_VERSION, createTokenStore } from '../src/index.js';
import { adminPool, runFixture, sampleTokens, timed } from './helpers.js';
import { postgresMissing } from './postgres-available.js';

// What the contract suite (store-contract.test.ts) does not cover: the
// tables and their versioning, other processes holding the lease (SIGKILLed,
// SIGSTOPped), corrupt records in Postgres terms, and credentials. One
// server for the file; each test has its own key or schema.

let server: TestPostgresServer;
let admin: pg.Pool;
const opened: PostgresTokenStore[] = [];
beforeAll(async () => {
  if (postgresMissing) return;
  server = await startPostgresServer();
  admin = adminPool(server.url);
});
afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await admin?.end();
  await server?.stop();
});

let keys = 0;
function open(options: { key?: string; leaseMs?: number; schema?: string } = {}): PostgresTokenStore {
  const store = new PostgresTokenStore({ connectionString: server.url, key: options.key ?? `key-${++keys}`, ...options });
  opened.push(store);
  return store;
}

describe.skipIf(postgresMissing)('PostgresTokenStore', () => {
  it('keeps the record as the token file’s JSON text, one row per key, and describes itself without credentials', async () => {
    const store = open({ key: 'mail/google' });
    expect(await store.load()).toBeUndefined();
    await store.save(sampleTokens('a'));
    expect(await open({ key: 'mail/google' }).load()).toEqual(sampleTokens('a'));
    const { rows } = await admin.query('SELECT record FROM opperator_tokens WHERE key = $1', ['mail/google']);
    expect(rows).toEqual([{ record: encodeTokenRecord(sampleTokens('a')) }]);

    expect(store.description).toBe(`postgres://127.0.0.1:${server.port}/postgres key mail/google`);
    for (const shown of [store.description, JSON.stringify(store), inspect(store, { depth: 10, showHidden: true })]) {
      expect(shown).not.toContain(server.password);
    }
  });

  it('creates its tables once when many hosts start at once, at this release’s version', async () => {
    const stores = Array.from({ length: 8 }, (_, i) => open({ schema: 'fresh_start', key: `k${i}` }));
    await Promise.all(stores.map((store, i) => store.save(sampleTokens(`${i}`))));
    expect(await Promise.all(stores.map(async (store) => (await store.load())?.accessToken))).toEqual(stores.map((_, i) => `at-${i}`));
    const { rows } = await admin.query('SELECT version FROM fresh_start.opperator_token_store_schema');
    expect(rows).toEqual([{ version: STORE_SCHEMA_VERSION }]);
  });

  it('refuses tables a newer release made (OAUTH_STORE_UNSUPPORTED_VERSION) and changes nothing', async () => {
    await admin.query('CREATE SCHEMA future; CREATE TABLE future.opperator_token_store_schema (only_row boolean PRIMARY KEY DEFAULT true, version integer NOT NULL); INSERT INTO future.opperator_token_store_schema (version) VALUES (2)');
    const store = open({ schema: 'future' });
    for (const call of [() => store.load(), () => store.save(sampleTokens('a')), () => store.withLock(async () => 'never')]) {
      await expect(call()).rejects.toMatchObject({ name: 'OAuthError', code: 'OAUTH_STORE_UNSUPPORTED_VERSION', message: expect.stringMatching(/version 2, newer than this release understands \(1\)\. Upgrade @opperator\/store-postgres/) });
    }
    const { rows } = await admin.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'future'`);
    expect(rows).toEqual([{ table_name: 'opperator_token_store_schema' }]);
    expect((await admin.query('SELECT version FROM future.opperator_token_store_schema')).rows).toEqual([{ version: 2 }]);
  });

  it('moves a corrupt record to opperator_tokens_corrupt, names the table and row, and never echoes a token', async () => {
    const store = open();
    await store.save(sampleTokens('a'));
    const corrupt = '{"version":1,"accessToken":"SECRET-access-token","scopes":"read"}';
    await admin.query('UPDATE opperator_tokens SET record = $2 WHERE key = $1', [store.key, corrupt]);
    const error = await store.load().catch((err: unknown) => err);
    expect(error).toMatchObject({ name: 'OAuthError', code: 'OAUTH_STORE_CORRUPT' });
    const message = (error as Error).message;
    expect(message).not.toContain('SECRET');
    const [aside] = (await admin.query('SELECT id::text AS id, record, problem FROM opperator_tokens_corrupt WHERE key = $1', [store.key])).rows as Array<{ id: string; record: string; problem: string }>;
    expect(aside?.record).toBe(corrupt);
    expect(aside?.problem).toMatch(/fields: /);
    expect(message).toContain(`"public"."opperator_tokens_corrupt" (id ${aside?.id})`);
    expect(message).toContain(JSON.stringify(store.key));
    expect(message).toMatch(/Sign in again/);
    // The bad row is gone: the next load finds nothing, and a sign-in's save works.
    expect(await store.load()).toBeUndefined();
    await store.save(sampleTokens('b'));
    expect(await store.load()).toEqual(sampleTokens('b'));
  });

  it('leaves a record of a newer version where it is (OAUTH_STORE_UNSUPPORTED_VERSION)', async () => {
    const store = open();
    const newer = JSON.stringify({ ...JSON.parse(encodeTokenRecord(sampleTokens('a'))), version: 2 });
    await store.clear();
    await admin.query('INSERT INTO opperator_tokens (key, record, fence) VALUES ($1, $2, 0)', [store.key, newer]);
    await expect(store.load()).rejects.toMatchObject({ code: 'OAUTH_STORE_UNSUPPORTED_VERSION', message: expect.stringContaining('left as it is') });
    expect((await admin.query('SELECT record FROM opperator_tokens WHERE key = $1', [store.key])).rows).toEqual([{ record: newer }]);
  });

  it('frees the lease of a SIGKILLed holder (another process) within one lease', async () => {
    const leaseMs = 1_000;
    const key = 'killed-holder';
    const holder = runFixture('lease-holder.ts', [server.url, key, String(leaseMs), 'hang']);
    expect(await holder.line(1)).toBe('locked');
    holder.child.kill('SIGKILL');
    await holder.exited;
    let waits = 0;
    const { ms, result } = await timed(() => open({ key, leaseMs }).withLock(async () => 'taken', { onWait: () => (waits += 1) }));
    expect(result).toBe('taken');
    expect(waits).toBe(1);
    // Within one lease of the kill (plus a poll and, on busy CI cores, some slack); a file lock would take its 10 s staleness.
    expect(ms).toBeLessThan(leaseMs + 1_000);
  }, 20_000);

  it('fences a holder that stalls past its lease (SIGSTOP): a newer holder saves, the stalled one’s save throws OAUTH_STORE_LEASE_LOST and writes nothing', async () => {
    const leaseMs = 600;
    const key = 'stalled-holder';
    const holder = runFixture('lease-holder.ts', [server.url, key, String(leaseMs), 'save']);
    expect(await holder.line(1)).toBe('locked');
    holder.child.kill('SIGSTOP');
    const newer = open({ key, leaseMs });
    let waits = 0;
    await newer.withLock(() => newer.save(sampleTokens('newer')), { onWait: () => (waits += 1) });
    expect(waits).toBe(1);
    holder.child.kill('SIGCONT');
    holder.child.stdin.write('save\n');
    expect(await holder.line(2)).toBe('OAUTH_STORE_LEASE_LOST');
    expect(await holder.exited).toBe(0);
    expect(await newer.load()).toEqual(sampleTokens('newer'));
  }, 20_000);

  it('refuses a save under a lease the database holds expired, before the holder itself noticed', async () => {
    const store = open({ key: 'expired-in-db', leaseMs: 3_000 });
    await store.save(sampleTokens('before'));
    const outcome = await store.withLock(async () => {
      // As the database sees a stalled holder: its lease ran out. No renewal has run yet (every 1 s).
      await admin.query(`UPDATE opperator_token_leases SET expires_at = now() - interval '1 second' WHERE key = $1`, [store.key]);
      return store.save(sampleTokens('late')).catch((err: unknown) => err);
    });
    expect(outcome).toMatchObject({ code: 'OAUTH_STORE_LEASE_LOST' });
    expect(await store.load()).toEqual(sampleTokens('before'));
  });

  it('fences a refresh that took its lease before a sign-in saved: the sign-in’s tokens stay', async () => {
    const [refresher, signIn] = [open({ key: 'sign-in-wins' }), open({ key: 'sign-in-wins' })];
    await refresher.save(sampleTokens('old-grant'));
    const outcome = await refresher.withLock(async () => {
      await signIn.save(sampleTokens('new-grant'));
      return refresher.save(sampleTokens('refreshed-old-grant')).catch((err: unknown) => err);
    });
    expect(outcome).toMatchObject({ code: 'OAUTH_STORE_LEASE_LOST' });
    expect(await signIn.load()).toEqual(sampleTokens('new-grant'));
  });

  it('fails fast with OAUTH_STORE_UNAVAILABLE when nothing listens, naming the server and never the password', async () => {
    const down = `postgres://postgres:${server.password}@127.0.0.1:1/postgres`;
    const store = new PostgresTokenStore({ connectionString: down, key: 'k' });
    opened.push(store);
    const calls: Array<() => Promise<unknown>> = [() => store.load(), () => store.save(sampleTokens('a')), () => store.withLock(async () => 'never')];
    for (const call of calls) {
      const { ms, error } = await timed(call);
      expect(error).toMatchObject({ name: 'OAuthError', code: 'OAUTH_STORE_UNAVAILABLE' });
      expect((error as Error).message).toContain('postgres://127.0.0.1:1/postgres');
      expect(ms).toBeLessThan(1_000);
      expect(inspect(error, { depth: 10 })).not.toContain(server.password);
      expect(JSON.stringify(error)).not.toContain(server.password);
    }
  });

  it('gives up on a server that accepts connections but never answers after the 2 s connect timeout', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const store = new PostgresTokenStore({ connectionString: `postgres://postgres:${server.password}@127.0.0.1:${port}/postgres`, key: 'k' });
      opened.push(store);
      const { ms, error } = await timed(() => store.load());
      expect(error).toMatchObject({ code: 'OAUTH_STORE_UNAVAILABLE', message: expect.stringContaining('timeout') });
      expect(ms).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 50);
      expect(ms).toBeLessThan(CONNECT_TIMEOUT_MS + 1_000);
    } finally {
      silent.close();
    }
  });

  it('takes what the URL leaves out from pg’s environment (PGPASSWORD), and shows that password nowhere either', async () => {
    const previous = process.env.PGPASSWORD;
    process.env.PGPASSWORD = server.password;
    try {
      const store = new PostgresTokenStore({ connectionString: `postgres://postgres@127.0.0.1:${server.port}/postgres`, key: 'env-password' });
      opened.push(store);
      await store.save(sampleTokens('a'));
      expect(await store.load()).toEqual(sampleTokens('a'));
      expect(`${store.description} ${JSON.stringify(store)} ${inspect(store)}`).not.toContain(server.password);
      await store.close();
      const error = await store.load().catch((err: unknown) => err);
      expect(inspect(error, { depth: 10 })).not.toContain(server.password);
    } finally {
      if (previous === undefined) delete process.env.PGPASSWORD;
      else process.env.PGPASSWORD = previous;
    }
  });

  it('says a wrong password was refused without showing it', async () => {
    const store = new PostgresTokenStore({ connectionString: `postgres://postgres:not-${server.password}@127.0.0.1:${server.port}/postgres`, key: 'k' });
    opened.push(store);
    const error = await store.load().catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'OAUTH_STORE_UNAVAILABLE', message: expect.stringContaining('password authentication failed') });
    expect(inspect(error, { depth: 10 })).not.toContain(server.password);
  });

  it('opens from a postgres:// or postgresql:// URL through createTokenStore, ?schema= choosing the schema', async () => {
    const url = new URL(server.url.replace('postgres://', 'postgresql://'));
    url.searchParams.set('schema', 'from_url');
    const store = createTokenStore(url, { key: 'via-url', leaseMs: 2_000 });
    try {
      await store.save(sampleTokens('a'));
      expect(store.description).toBe(`postgres://127.0.0.1:${server.port}/postgres key via-url (schema from_url)`);
      expect((await admin.query(`SELECT key FROM from_url.opperator_tokens`)).rows).toEqual([{ key: 'via-url' }]);
    } finally {
      await store.close?.();
    }
  });

  it('is what openTokenStore opens for postgres:// and postgresql:// once imported, described without the password', async () => {
    for (const url of [server.url, server.url.replace('postgres://', 'postgresql://')]) {
      const store = await openTokenStore(url, { key: 'opened', leaseMs: 2_000 });
      try {
        expect(store).toBeInstanceOf(PostgresTokenStore);
        await store.save(sampleTokens('a'));
        expect(store.description).toBe(`postgres://127.0.0.1:${server.port}/postgres key opened`);
      } finally {
        await store.close?.();
      }
    }
  });

  it('uses a pool it is given and leaves it open on close', async () => {
    const store = new PostgresTokenStore({ pool: admin, key: 'given-pool' });
    await store.save(sampleTokens('a'));
    await store.close();
    expect((await admin.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await expect(store.load()).rejects.toMatchObject({ code: 'OAUTH_STORE_UNAVAILABLE', message: expect.stringContaining('was closed') });
  });

  it('refuses options that cannot work', () => {
    const bad: Array<Record<string, unknown>> = [{ key: '' }, { key: 'k', leaseMs: 10 }, { key: 'k', schema: '' }, { key: 'k', pool: admin }];
    for (const options of bad) {
      expect(() => new PostgresTokenStore({ connectionString: server.url, ...options } as never)).toThrow(expect.objectContaining({ code: 'OAUTH_INVALID_ARGUMENT' }));
    }
  });
});
