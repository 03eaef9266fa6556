import { execFileSync } from 'node:child_process';
import { chmod, chown, lstat, mkdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@opperator/testing';
import { FileTokenStore, OAuthError, type StoredTokens } from '../src/index.js';

// Someone who can write the token file's directory plants a symlink, or a
// file of their own, at the token path. Tests that need a second user run
// only as root (they chown to `nobody`).
const NOBODY = 65_534;
const isRoot = process.getuid?.() === 0;

let temp: TempDir;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.remove();
});

const tokens: StoredTokens = { issuer: 'https://issuer.test', clientId: 'client-1', tokenType: 'bearer', accessToken: 'access-SECRET', scopes: [], obtainedAt: Date.parse('2026-11-23T10:00:00.000Z') };
const tokenFileText = `${JSON.stringify({ version: 1, issuer: 'https://attacker.test', clientId: 'client-1', tokenType: 'bearer', accessToken: 'planted', scopes: [], obtainedAt: '2026-11-23T10:00:00.000Z' })}\n`;

async function failure(work: Promise<unknown>): Promise<OAuthError> {
  const error = await work.then(() => undefined, (err: unknown) => err);
  expect(error).toBeInstanceOf(OAuthError);
  return error as OAuthError;
}

describe('FileTokenStore and a planted symlink', () => {
  it('refuses to save through a symlink at the token path, and leaves its target untouched', async () => {
    const victim = join(temp.path, 'victim.txt');
    await writeFile(victim, 'precious\n', { mode: 0o644 });
    const path = join(temp.path, 'token.json');
    await symlink(victim, path);
    const error = await failure(new FileTokenStore(path).save(tokens));
    expect(error.code).toBe('OAUTH_TOKEN_FILE_SYMLINK');
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/remove the link/i);
    expect(await readFile(victim, 'utf8')).toBe('precious\n');
    expect((await stat(victim)).mode & 0o777).toBe(0o644);
    expect(await readlink(path)).toBe(victim);
  });

  it('refuses to load through a symlink at the token path', async () => {
    const planted = join(temp.path, 'planted.json');
    await writeFile(planted, tokenFileText, { mode: 0o600 });
    const path = join(temp.path, 'token.json');
    await symlink(planted, path);
    expect((await failure(new FileTokenStore(path).load())).code).toBe('OAUTH_TOKEN_FILE_SYMLINK');
  });

  it('refuses a dangling symlink too: saving would create its target', async () => {
    const path = join(temp.path, 'token.json');
    const target = join(temp.path, 'created-elsewhere.json');
    await symlink(target, path);
    expect((await failure(new FileTokenStore(path).save(tokens))).code).toBe('OAUTH_TOKEN_FILE_SYMLINK');
    await expect(lstat(target)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a FIFO at the token path at once, instead of blocking on the read', async () => {
    const path = join(temp.path, 'token.json');
    execFileSync('mkfifo', ['-m', '600', path]);
    const error = await failure(new FileTokenStore(path).load());
    expect(error.code).toBe('OAUTH_TOKEN_FILE_IO');
    expect(error.message).toMatch(/not a regular file/);
  }, 5_000);
});

describe.runIf(isRoot)('FileTokenStore and another user (as root)', () => {
  it('refuses to load a token file owned by another user, naming the owner and the fix', async () => {
    const path = join(temp.path, 'token.json');
    await writeFile(path, tokenFileText, { mode: 0o600 });
    await chown(path, NOBODY, NOBODY);
    const error = await failure(new FileTokenStore(path).load());
    expect(error.code).toBe('OAUTH_TOKEN_FILE_FOREIGN_OWNER');
    expect(error.message).toContain(path);
    expect(error.message).toContain(String(NOBODY));
    expect(error.message).toMatch(/delete it/i);
  });

  it('refuses to save over a token file owned by another user, and never hands the new file to them', async () => {
    const path = join(temp.path, 'token.json');
    await writeFile(path, tokenFileText, { mode: 0o600 });
    await chown(path, NOBODY, NOBODY);
    expect((await failure(new FileTokenStore(path).save(tokens))).code).toBe('OAUTH_TOKEN_FILE_FOREIGN_OWNER');
    expect((await stat(path)).uid).toBe(NOBODY);
    expect(await readFile(path, 'utf8')).toBe(tokenFileText);
  });

  it('does not copy an existing file\'s group to the new file', async () => {
    const path = join(temp.path, 'token.json');
    await writeFile(path, tokenFileText, { mode: 0o600 });
    await chown(path, process.getuid!(), NOBODY);
    await new FileTokenStore(path).save(tokens);
    const written = await stat(path);
    expect([written.uid, written.gid]).toEqual([process.getuid!(), process.getgid!()]);
  });

  it('refuses a directory that another user owns', async () => {
    const directory = join(temp.path, 'theirs');
    await mkdir(directory, { mode: 0o755 });
    await chown(directory, NOBODY, NOBODY);
    const error = await failure(new FileTokenStore(join(directory, 'token.json')).save(tokens));
    expect(error.code).toBe('OAUTH_TOKEN_FILE_UNSAFE_DIRECTORY');
    expect(error.message).toContain(directory);
  });
});

describe('FileTokenStore and a directory others can write', () => {
  it('removes group and other write from its own directory before saving', async () => {
    const directory = join(temp.path, 'agent');
    await mkdir(directory);
    await chmod(directory, 0o777);
    await new FileTokenStore(join(directory, 'token.json')).save(tokens);
    expect((await stat(directory)).mode & 0o777).toBe(0o755);
  });

  it('refuses a shared (sticky, world-writable) directory, even its own, and changes nothing', async () => {
    const directory = join(temp.path, 'shared');
    await mkdir(directory);
    await chmod(directory, 0o1777);
    const path = join(directory, 'token.json');
    const error = await failure(new FileTokenStore(path).save(tokens));
    expect(error.code).toBe('OAUTH_TOKEN_FILE_UNSAFE_DIRECTORY');
    expect(error.message).toMatch(/only you can write/);
    expect((await stat(directory)).mode & 0o7777).toBe(0o1777);
    await expect(lstat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.runIf(isRoot)('refuses a world-writable directory another user owns', async () => {
    const directory = join(temp.path, 'open');
    await mkdir(directory);
    await chmod(directory, 0o777);
    await chown(directory, NOBODY, NOBODY);
    expect((await failure(new FileTokenStore(join(directory, 'token.json')).save(tokens))).code).toBe('OAUTH_TOKEN_FILE_UNSAFE_DIRECTORY');
    expect((await stat(directory)).mode & 0o777).toBe(0o777);
  });
});
