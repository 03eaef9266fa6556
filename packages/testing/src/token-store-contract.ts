import { isDeepStrictEqual } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { TOKEN_RECORD_VERSION, encodeTokenRecord, type StoredTokens, type TokenStore } from '@opperator/oauth';
import { registerLockScenarios } from './token-store-contract-locks.js';
import { registerRefreshScenarios } from './token-store-contract-refresh.js';

/** One record of a store under test, and the ways to reach it. */
export interface ContractStoreHandle {
  store: TokenStore;
  /** Another independent handle (its own connection) on the same record, as another process or host would open. */
  sibling(): Promise<TokenStore>;
  /** Puts `text` into the record as it is, bypassing the codec (corrupt-record cases). */
  writeRaw(text: string): Promise<void>;
  /** Closes the store and every sibling opened from it, and removes the record. The suite never closes a store itself. */
  close(): Promise<void>;
}

/**
 * How {@link describeTokenStoreContract} reaches one kind of store.
 *
 * @example
 * ```ts
 * const factory: TokenStoreContractFactory = {
 *   name: 'FileTokenStore',
 *   capabilities: { sharedLock: true, lease: false },
 *   codes: { corrupt: 'OAUTH_TOKEN_FILE_CORRUPT', unsupportedVersion: 'OAUTH_TOKEN_FILE_UNSUPPORTED_VERSION' },
 *   async open() {
 *     const dir = await makeTempDir();
 *     const path = join(dir.path, 'token.json');
 *     return { store: new FileTokenStore(path), sibling: async () => new FileTokenStore(path), writeRaw: (text) => writeFile(path, text), close: dir.remove };
 *   },
 * };
 * describeTokenStoreContract(factory);
 * ```
 */
export interface TokenStoreContractFactory {
  name: string;
  /** A fresh record (unique key/file per call). `sibling()` opens another independent handle (own connection) on the same record, as another process or host would. `writeRaw` puts text into the record bypassing the codec (for corrupt-record cases). */
  open(options?: { leaseMs?: number }): Promise<ContractStoreHandle>;
  /**
   * What the store promises: a lock shared across handles; a lease that
   * expires (lost-lease scenarios). `rawRecord` (default true): the record
   * is text that `writeRaw` can spoil; the memory store keeps objects.
   */
  capabilities: { sharedLock: boolean; lease: boolean; rawRecord?: boolean };
  /** The error codes its load throws for a corrupt record and for a newer schema version. */
  codes: { corrupt: string; unsupportedVersion: string };
}

/** What the scenario files share: handles closed after each test, and skips that say why. */
export interface ContractContext {
  factory: TokenStoreContractFactory;
  /** Opens a record through the factory; closed after the test. */
  open(options?: { leaseMs?: number }): Promise<ContractStoreHandle>;
  /** `it` when `supported`, else a skipped test whose name says why. */
  itWhen(supported: boolean, why: string): (name: string, test: () => Promise<void>, timeoutMs?: number) => void;
}

/** Generous for engines on two busy cores; the memory and file stores take milliseconds. */
export const CONTRACT_TEST_TIMEOUT_MS = 30_000;

/**
 * Registers the token store contract as a vitest `describe` block: the same
 * scenarios for every store (memory, file, Redis, Postgres), skipping only
 * what the store's capabilities exclude, with the reason in the test name.
 * Refreshes go through real `OAuthClient`s against a rotating token endpoint
 * faked at the `fetch` seam ({@link RotatingTokenEndpoint}).
 *
 * @example
 * ```ts
 * describeTokenStoreContract({ name: 'MemoryTokenStore', capabilities: { sharedLock: false, lease: false, rawRecord: false }, codes, open: async () => … });
 * ```
 */
export function describeTokenStoreContract(factory: TokenStoreContractFactory): void {
  describe(`TokenStore contract: ${factory.name}`, () => {
    const opened: ContractStoreHandle[] = [];
    afterEach(async () => {
      const handles = opened.splice(0);
      await Promise.all(handles.map((handle) => handle.close()));
    });
    const context: ContractContext = {
      factory,
      async open(options) {
        const handle = await factory.open(options);
        opened.push(handle);
        return handle;
      },
      itWhen(supported, why) {
        return (name, test, timeoutMs = CONTRACT_TEST_TIMEOUT_MS) => (supported ? it(name, test, timeoutMs) : it.skip(`${name} (skipped: ${why})`, test));
      },
    };
    registerRecordScenarios(context);
    registerRefreshScenarios(context);
    registerLockScenarios(context);
  });
}

/** A record with every optional field set, values distinct per `tag` so a mix of two is visible. */
export function fullRecord(tag: string, base = Date.parse('2026-12-01T10:00:00.000Z')): StoredTokens {
  return {
    issuer: `https://issuer-${tag}.test`,
    clientId: `client-${tag}`,
    tokenType: `bearer-${tag}`,
    accessToken: `at-${tag}`,
    refreshToken: `rt-${tag}`,
    idToken: `id-${tag}`,
    scopes: ['openid', `scope-${tag}`],
    obtainedAt: base,
    signedInAt: base - 1_000,
    expiresAt: base + 3_600_000,
    refreshTokenExpiresAt: base + 86_400_000,
    refreshTokenIssuedAt: base - 2_000,
    account: `${tag}@example.test`,
    reauthorizationRequired: { reason: `reason-${tag}`, at: base + 5 },
  };
}

function registerRecordScenarios({ factory, open, itWhen }: ContractContext): void {
  const always = itWhen(true, '');
  const withRawRecord = itWhen(factory.capabilities.rawRecord ?? true, 'the store keeps objects, not a text record that could be spoiled');

  always('loads undefined when nothing is stored, on every handle', async () => {
    const handle = await open();
    expect(await handle.store.load()).toBeUndefined();
    expect(await (await handle.sibling()).load()).toBeUndefined();
  });

  always('round-trips every field, also through a sibling, and a save replaces the whole record (no field survives from the old one)', async () => {
    const handle = await open();
    const sibling = await handle.sibling();
    await handle.store.save(fullRecord('a'));
    expect(await handle.store.load()).toEqual(fullRecord('a'));
    expect(await sibling.load()).toEqual(fullRecord('a'));
    const minimal: StoredTokens = { issuer: 'https://issuer-b.test', clientId: 'client-b', tokenType: 'bearer', accessToken: 'at-b', scopes: [], obtainedAt: Date.parse('2026-12-01T11:00:00.000Z') };
    await sibling.save(minimal);
    expect(await handle.store.load()).toEqual(minimal);
  });

  always('replaces the record atomically: concurrent readers on siblings see the old record or the new one, never a mix', async () => {
    const handle = await open();
    const readers = await Promise.all([handle.sibling(), handle.sibling(), handle.sibling()]);
    const [a, b] = [fullRecord('a'), fullRecord('b', Date.parse('2026-12-02T10:00:00.000Z'))];
    await handle.store.save(a);
    let writing = true;
    const seen: Array<StoredTokens | undefined> = [];
    const read = async (reader: TokenStore) => {
      while (writing) seen.push(await reader.load());
    };
    const reading = readers.map(read);
    for (let i = 0; i < 30; i += 1) await handle.store.save(i % 2 === 0 ? b : a);
    writing = false;
    await Promise.all(reading);
    expect(seen.length).toBeGreaterThan(0);
    const mixed = seen.filter((record) => !isDeepStrictEqual(record, a) && !isDeepStrictEqual(record, b));
    expect(mixed).toEqual([]);
  });

  always('clears the record for every handle, and clearing nothing is no error', async () => {
    const handle = await open();
    const sibling = await handle.sibling();
    await handle.store.clear();
    await handle.store.save(fullRecord('a'));
    await sibling.clear();
    expect(await handle.store.load()).toBeUndefined();
    expect(await sibling.load()).toBeUndefined();
    await handle.store.save(fullRecord('b'));
    expect(await sibling.load()).toEqual(fullRecord('b'));
  });

  withRawRecord('a corrupt record fails load with the store’s corrupt code, naming no token value; a save then works', async () => {
    const handle = await open();
    for (const text of ['{"version":1,"issuer":', JSON.stringify({ version: TOKEN_RECORD_VERSION, accessToken: 'SECRET-in-a-corrupt-record', scopes: 'read' })]) {
      await handle.writeRaw(text);
      const error = await handle.store.load().then(() => undefined, (err: unknown) => err);
      expect(error).toMatchObject({ name: 'OAuthError', code: factory.codes.corrupt });
      expect(String((error as Error).message)).not.toContain('SECRET');
      await handle.store.save(fullRecord('a'));
      expect(await (await handle.sibling()).load()).toEqual(fullRecord('a'));
    }
  });

  withRawRecord('a record of a newer schema version fails load with the store’s unsupported-version code', async () => {
    const handle = await open();
    const newer = { ...(JSON.parse(encodeTokenRecord(fullRecord('a'))) as Record<string, unknown>), version: TOKEN_RECORD_VERSION + 1 };
    await handle.writeRaw(JSON.stringify(newer));
    await expect(handle.store.load()).rejects.toMatchObject({ name: 'OAuthError', code: factory.codes.unsupportedVersion });
  });
}
