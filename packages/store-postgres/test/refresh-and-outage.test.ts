import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuthClient, type StoredTokens, type TokenStore } from '@opperator/oauth';
import { RotatingTokenEndpoint, startPostgresServer, type TestPostgresServer } from '@opperator/testing';
import { PostgresTokenStore } from '../src/index.js';
import { adminPool, sampleTokens, timed } from './helpers.js';
import { postgresMissing } from './postgres-available.js';

// Real OAuthClients, each on its own store handle (its own pool, as on
// another host), against a rotating token endpoint faked at the fetch seam;
// and the server stopped and started under them. This file stops its server,
// so it has one of its own.

const HOUR_MS = 3_600_000;
const CLIENT_ID = 'client-1';

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

function open(key: string, leaseMs?: number): PostgresTokenStore {
  const store = new PostgresTokenStore({ connectionString: server.url, key, ...(leaseMs === undefined ? {} : { leaseMs }) });
  opened.push(store);
  return store;
}

function clientOn(store: TokenStore, endpoint: RotatingTokenEndpoint, clock: { now: number }): OAuthClient {
  return new OAuthClient({ provider: endpoint.provider, clientId: CLIENT_ID, clientSecret: 'secret', scopes: ['read'], store, fetch: endpoint.fetch, now: () => clock.now, retry: { maxAttempts: 1 } });
}

/** A grant whose access token expires at `expiresAt`, with `rt-0` live at the endpoint. */
function grant(expiresAt: number): StoredTokens {
  return { ...sampleTokens('0'), issuer: RotatingTokenEndpoint.ISSUER, clientId: CLIENT_ID, obtainedAt: expiresAt - HOUR_MS, signedInAt: expiresAt - HOUR_MS, expiresAt };
}

describe.skipIf(postgresMissing)('refresh through Postgres', () => {
  it('8 clients on separate handles make exactly one refresh per expiry, 4 windows in a row, with rotation and no invalid_grant', async () => {
    const clock = { now: Date.now() };
    const stores = Array.from({ length: 8 }, () => open('shared-grant'));
    await stores[0]!.save(grant(clock.now - 1));
    const endpoint = new RotatingTokenEndpoint({ delayMs: 30 });
    const clients = stores.map((store) => clientOn(store, endpoint, clock));
    for (let window = 1; window <= 4; window += 1) {
      const tokens = await Promise.all(clients.flatMap((client) => [client.getAccessToken(), client.getAccessToken()]));
      expect(new Set(tokens)).toEqual(new Set([`at-${window}`]));
      expect(endpoint.count('rotated')).toBe(window);
      clock.now += HOUR_MS;
    }
    expect(endpoint.count('invalid_grant')).toBe(0);
    expect((await stores[7]!.load())?.refreshToken).toBe('rt-4');
  });

  it('while the server is down, a valid token is served from memory and an expired one fails fast with OAUTH_STORE_UNAVAILABLE; once it is back, the refresh goes through', async () => {
    const clock = { now: Date.now() };
    const endpoint = new RotatingTokenEndpoint();
    const [validStore, expiredStore] = [open('outage-valid'), open('outage-expired')];
    await validStore.save({ ...grant(clock.now + HOUR_MS), accessToken: 'at-valid' });
    await expiredStore.save(grant(clock.now - 1));
    const [valid, expired] = [clientOn(validStore, endpoint, clock), clientOn(expiredStore, endpoint, clock)];
    expect(await valid.getAccessToken()).toBe('at-valid');

    await server.halt();
    try {
      const served = await timed(() => valid.getAccessToken());
      expect(served.result).toBe('at-valid');
      expect(served.ms).toBeLessThan(50);
      const failed = await timed(() => expired.getAccessToken());
      expect(failed.error).toMatchObject({ name: 'OAuthError', code: 'OAUTH_STORE_UNAVAILABLE', message: expect.stringContaining(`postgres://127.0.0.1:${server.port}/postgres`) });
      // Connection refused: no timeout involved (a host that drops packets takes the 2 s connect timeout).
      expect(failed.ms).toBeLessThan(1_000);
      const locking = await timed(() => expiredStore.withLock(async () => 'never'));
      expect(locking.error).toMatchObject({ code: 'OAUTH_STORE_UNAVAILABLE' });
      expect(endpoint.requests).toEqual([]);
    } finally {
      await server.start();
    }

    // The first call after the server returns reconnects: no waiting for a pool to notice.
    const recovered = await timed(() => expired.getAccessToken());
    expect(recovered.result).toBe('at-1');
    expect(recovered.ms).toBeLessThan(2_000);
    expect(endpoint.requests).toEqual([{ refreshToken: 'rt-0', outcome: 'rotated' }]);
    expect((await open('outage-expired').load())?.refreshToken).toBe('rt-1');
  });

  it('a server restart between a rotation and its save loses nothing: the save waits for the server (within the lease), and the next refresh elsewhere uses the rotated token', async () => {
    const clock = { now: Date.now() };
    const [first, second] = [open('restart-mid-refresh', 3_000), open('restart-mid-refresh', 3_000)];
    await first.save(grant(clock.now - 1));
    let restarted: Promise<void> | undefined;
    const endpoint = new RotatingTokenEndpoint({
      onRequest: async () => {
        if (restarted) return;
        // The provider has the refresh request; the store goes away before the answer is saved, for about half a second.
        await server.halt();
        restarted = new Promise((resolve) => setTimeout(resolve, 300)).then(() => server.start());
      },
    });
    const { ms, result } = await timed(() => clientOn(first, endpoint, clock).getAccessToken());
    expect(result).toBe('at-1');
    await restarted;
    expect(ms).toBeLessThan(3_000);
    expect((await second.load())?.refreshToken).toBe('rt-1');
    clock.now += HOUR_MS;
    expect(await clientOn(second, endpoint, clock).getAccessToken()).toBe('at-2');
    expect(endpoint.requests).toEqual([
      { refreshToken: 'rt-0', outcome: 'rotated' },
      { refreshToken: 'rt-1', outcome: 'rotated' },
    ]);
  });

  it('a refresh holding the lease across a server restart keeps it (the lease is a row) and saves once the server is back', async () => {
    const store = open('restart-under-lease', 2_000);
    const other = open('restart-under-lease', 2_000);
    await store.save(sampleTokens('before'));
    let waits = 0;
    await store.withLock(async () => {
      await server.restart();
      // Another host still finds the lease taken after the restart, and waits (here, until it gives up).
      const attempt = other.withLock(async () => 'taken', { signal: AbortSignal.timeout(300), onWait: () => (waits += 1) });
      await expect(attempt).rejects.toMatchObject({ code: 'OAUTH_ABORTED' });
      await store.save(sampleTokens('after-restart'));
    });
    expect(waits).toBe(1);
    expect(await other.load()).toEqual(sampleTokens('after-restart'));
  });
});
