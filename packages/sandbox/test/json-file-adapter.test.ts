import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@opperator/testing';
import { JsonFileStore } from '../src/index.js';

// The store against real files in a temporary directory; time from an injected clock.
let temp: TempDir;
let path: string;
let now: number;
const clock = () => now;

beforeEach(async () => {
  temp = await makeTempDir();
  path = join(temp.path, 'state', 'store.json');
  now = 1_700_000_000_000;
});

afterEach(async () => {
  await temp.remove();
});

describe('JsonFileStore as an oidc-provider adapter', () => {
  it('implements find, upsert, consume and destroy per model', async () => {
    const store = await JsonFileStore.open({ now: clock });
    const tokens = store.adapterFactory()('AccessToken');
    const grants = store.adapterFactory()('Grant');
    await tokens.upsert('t1', { accountId: 'alice', grantId: 'g1' }, 60);
    await grants.upsert('t1', { accountId: 'bob' });
    expect(await tokens.find('t1')).toEqual({ accountId: 'alice', grantId: 'g1' });
    // Models are separate namespaces.
    expect(await grants.find('t1')).toEqual({ accountId: 'bob' });
    await tokens.consume('t1');
    expect(await tokens.find('t1')).toMatchObject({ consumed: Math.floor(now / 1000) });
    await tokens.destroy('t1');
    expect(await tokens.find('t1')).toBeUndefined();
    expect(await grants.find('t1')).toBeDefined();
  });

  it('hands out copies, so changing a found payload does not change the store', async () => {
    const store = await JsonFileStore.open({ now: clock });
    const sessions = store.adapterFactory()('Session');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'alice' });
    const found = (await sessions.find('s1'))!;
    found.accountId = 'mallory';
    expect(await sessions.find('s1')).toMatchObject({ accountId: 'alice' });
  });

  it('finds by user code and by uid, and revokes by grant id within the model', async () => {
    const store = await JsonFileStore.open({ now: clock });
    const adapter = store.adapterFactory();
    await adapter('DeviceCode').upsert('d1', { userCode: 'ABCD-EFGH', grantId: 'g1' }, 600);
    await adapter('Session').upsert('s1', { uid: 'uid-1' }, 600);
    expect(await adapter('DeviceCode').findByUserCode('ABCD-EFGH')).toMatchObject({ grantId: 'g1' });
    expect(await adapter('DeviceCode').findByUserCode('ZZZZ-ZZZZ')).toBeUndefined();
    expect(await adapter('Session').findByUid('uid-1')).toBeDefined();

    await adapter('RefreshToken').upsert('r1', { grantId: 'g1' }, 600);
    await adapter('RefreshToken').upsert('r2', { grantId: 'g2' }, 600);
    await adapter('RefreshToken').revokeByGrantId('g1');
    expect(await adapter('RefreshToken').find('r1')).toBeUndefined();
    expect(await adapter('RefreshToken').find('r2')).toBeDefined();
    // Another model's entries of the same grant are that model's adapter's business.
    expect(await adapter('DeviceCode').find('d1')).toBeDefined();
  });

  it('forgets entries once they expire', async () => {
    const store = await JsonFileStore.open({ now: clock });
    const codes = store.adapterFactory()('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g' }, 10);
    await codes.upsert('forever', { grantId: 'g' });
    now += 9_999;
    expect(await codes.find('c1')).toBeDefined();
    now += 1;
    expect(await codes.find('c1')).toBeUndefined();
    expect(await codes.find('forever')).toBeDefined();
  });
});

describe('JsonFileStore with a file', () => {
  it('persists models and remembered values across reopen, in a 0600 file', async () => {
    const first = await JsonFileStore.open({ path, now: clock });
    await first.adapterFactory()('RefreshToken').upsert('r1', { accountId: 'alice', grantId: 'g1' }, 3600);
    const key = first.remember('signingKey', () => ({ kid: 'k1' }));
    expect(first.remember('signingKey', () => ({ kid: 'other' }))).toEqual(key);
    await first.close();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(temp.path, 'state'))).mode & 0o777).toBe(0o700);

    const second = await JsonFileStore.open({ path, now: clock });
    expect(await second.adapterFactory()('RefreshToken').find('r1')).toEqual({ accountId: 'alice', grantId: 'g1' });
    expect(second.remember('signingKey', () => ({ kid: 'new' }))).toEqual({ kid: 'k1' });
    expect(second.list('RefreshToken')).toEqual([['r1', { accountId: 'alice', grantId: 'g1' }]]);
  });

  it('coalesces a burst of changes into one write a moment later', async () => {
    const store = await JsonFileStore.open({ path, now: clock, writeDelayMs: 30 });
    const sessions = store.adapterFactory()('Session');
    for (let i = 0; i < 20; i += 1) await sessions.upsert(`s${i}`, { uid: `u${i}` }, 60);
    // Nothing written yet: the burst is still being collected.
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const saved = JSON.parse(await readFile(path, 'utf8')) as { entries: Record<string, unknown> };
    expect(Object.keys(saved.entries)).toHaveLength(20);
    await store.close();
  });

  it('drops expired entries from the file and does not load them back', async () => {
    const store = await JsonFileStore.open({ path, now: clock });
    const codes = store.adapterFactory()('AuthorizationCode');
    await codes.upsert('short', {}, 5);
    await codes.upsert('long', {}, 500);
    await store.flush();
    now += 10_000;
    await codes.upsert('later', {}, 500);
    await store.flush();
    const saved = JSON.parse(await readFile(path, 'utf8')) as { entries: Record<string, unknown> };
    expect(Object.keys(saved.entries).sort()).toEqual(['AuthorizationCode:later', 'AuthorizationCode:long']);
    now += 495_000;
    const reopened = await JsonFileStore.open({ path, now: clock });
    expect(reopened.list('AuthorizationCode').map(([id]) => id)).toEqual(['later']);
  });

  it('sets a damaged file aside, says so, and starts empty', async () => {
    const warnings: string[] = [];
    const first = await JsonFileStore.open({ path, now: clock });
    first.remember('x', () => 1);
    await first.close();
    await writeFile(path, '{ not json', { mode: 0o600 });
    const store = await JsonFileStore.open({ path, now: clock, onWarning: (m) => warnings.push(m) });
    expect(store.list('Session')).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('unreadable');
    expect((await readdir(join(temp.path, 'state'))).some((name) => name.startsWith('store.json.damaged-'))).toBe(true);
  });
});
