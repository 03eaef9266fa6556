import { spawn } from 'node:child_process';
import { access, mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@opperator/testing';
import { FileTokenStore, OAuthError, readPermissionBits, type StoredTokens } from '../src/index.js';

let temp: TempDir;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.remove();
});

function sampleTokens(overrides: Partial<StoredTokens> = {}): StoredTokens {
  return {
    issuer: 'https://issuer.test',
    clientId: 'client-1',
    tokenType: 'bearer',
    accessToken: 'access-SECRET-VALUE',
    refreshToken: 'refresh-SECRET-VALUE',
    scopes: ['openid', 'email'],
    obtainedAt: Date.parse('2026-11-23T10:00:00.000Z'),
    expiresAt: Date.parse('2026-11-23T11:00:00.000Z'),
    account: 'ana@example.test',
    ...overrides,
  };
}

describe('FileTokenStore', () => {
  it('round-trips tokens through a versioned JSON file with absolute ISO expiry', async () => {
    const store = new FileTokenStore(join(temp.path, 'token.json'));
    expect(await store.load()).toBeUndefined();
    await store.save(sampleTokens());
    expect(await store.load()).toEqual(sampleTokens());
    const file = JSON.parse(await readFile(store.path, 'utf8'));
    expect(file).toMatchObject({ version: 1, expiresAt: '2026-11-23T11:00:00.000Z', obtainedAt: '2026-11-23T10:00:00.000Z' });
  });

  it('creates missing directories 0700 and the file 0600, even under a permissive umask', async () => {
    const previous = process.umask(0o000);
    try {
      const store = new FileTokenStore(join(temp.path, 'agents', 'mail', 'token.json'));
      await store.save(sampleTokens());
      expect(await readPermissionBits(store.path)).toBe(0o600);
      expect(await readPermissionBits(join(temp.path, 'agents', 'mail'))).toBe(0o700);
      expect(await readPermissionBits(join(temp.path, 'agents'))).toBe(0o700);
    } finally {
      process.umask(previous);
    }
  });

  it('replaces a world-readable file with a 0600 one on save', async () => {
    const path = join(temp.path, 'token.json');
    await writeFile(path, '{}', { mode: 0o644 });
    await new FileTokenStore(path).save(sampleTokens());
    expect(await readPermissionBits(path)).toBe(0o600);
  });

  it('moves a corrupt file aside and names the file and the fix', async () => {
    const path = join(temp.path, 'token.json');
    await writeFile(path, '{"version": 1, "accessToken": "access-SECRET-VALUE",');
    const error = await new FileTokenStore(path).load().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ code: 'OAUTH_TOKEN_FILE_CORRUPT' });
    const message = (error as Error).message;
    expect(message).toContain(path);
    expect(message).toMatch(/sign in again/);
    expect(message).not.toContain('SECRET');
    await expect(access(path)).rejects.toThrow();
    const aside = (await readdir(temp.path)).filter((name) => name.startsWith('token.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(message).toContain(aside[0]);
    expect(await readFile(join(temp.path, aside[0]!), 'utf8')).toContain('access-SECRET-VALUE');
  });

  it('names the bad fields of a schema mismatch without echoing their values', async () => {
    const path = join(temp.path, 'token.json');
    await writeFile(path, JSON.stringify({ ...sampleTokens(), version: 1, obtainedAt: 'yesterday', accessToken: 42, scopes: 'SECRET-scope' }));
    const error = (await new FileTokenStore(path).load().catch((err: unknown) => err)) as OAuthError;
    expect(error).toMatchObject({ code: 'OAUTH_TOKEN_FILE_CORRUPT' });
    expect(error.message).toMatch(/accessToken/);
    expect(error.message).toMatch(/obtainedAt/);
    expect(error.message).not.toContain('SECRET');
  });

  it('moves aside a file written by a newer schema version', async () => {
    const path = join(temp.path, 'token.json');
    await writeFile(path, JSON.stringify({ version: 7, whatever: true }));
    await expect(new FileTokenStore(path).load()).rejects.toMatchObject({ code: 'OAUTH_TOKEN_FILE_UNSUPPORTED_VERSION' });
    await expect(access(path)).rejects.toThrow();
    // The next save starts cleanly and the old file is still there to inspect.
    await new FileTokenStore(path).save(sampleTokens());
    const names = await readdir(temp.path);
    expect(names).toHaveLength(2);
    expect(names).toEqual(expect.arrayContaining(['token.json', expect.stringMatching(/^token\.json\.corrupt-/)]));
  });

  it('reports an unreadable location as OAUTH_TOKEN_FILE_IO', async () => {
    const blocker = join(temp.path, 'not-a-dir');
    await writeFile(blocker, 'x');
    const store = new FileTokenStore(join(blocker, 'token.json'));
    await expect(store.save(sampleTokens())).rejects.toMatchObject({ code: 'OAUTH_TOKEN_FILE_IO' });
    await expect(store.load()).rejects.toMatchObject({ code: 'OAUTH_TOKEN_FILE_IO' });
  });

  it('clears, and clearing nothing is fine', async () => {
    const store = new FileTokenStore(join(temp.path, 'token.json'));
    await store.clear();
    await store.save(sampleTokens());
    await store.clear();
    expect(await store.load()).toBeUndefined();
  });

  it('never leaves a broken file when the writing process is killed mid-write, again and again', async () => {
    const path = join(temp.path, 'token.json');
    const writer = fileURLToPath(new URL('./fixtures/token-writer.ts', import.meta.url));
    await mkdir(temp.path, { recursive: true });
    const kills = 12;
    let lastSeen = -1;
    for (let round = 0; round < kills; round += 1) {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, path, String(round)], { stdio: ['ignore', 'pipe', 'inherit'] });
      // Wait until the child is inside its write loop, then kill it at a random moment.
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 40));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      const tokens = await new FileTokenStore(path).load();
      expect(tokens?.clientId).toBe('client-1');
      const [writtenRound, counter] = (tokens?.accessToken ?? '').split(':').map(Number);
      expect(writtenRound).toBe(round);
      expect(counter).toBeGreaterThan(0);
      lastSeen = counter!;
    }
    expect(lastSeen).toBeGreaterThan(0);

    // Temp files of killed writes hold tokens: the next save removes the stale ones.
    const leftovers = (await readdir(temp.path)).filter((name) => name !== 'token.json');
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await Promise.all(leftovers.map((name) => utimes(join(temp.path, name), longAgo, longAgo)));
    await new FileTokenStore(path).save(sampleTokens());
    expect(await readdir(temp.path)).toEqual(['token.json']);
  }, 60_000);
});
