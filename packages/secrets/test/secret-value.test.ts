import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretStore, SecretStoreError } from '../src/index.js';
import { makeTempDir, type TempDir } from '@opperator/testing';

// What a secret value may be: UTF-8 text, as given. Values that are not
// (a NUL, an unpaired surrogate, U+FFFD where bytes that were not UTF-8 were
// replaced on the way in) are refused, and nothing is written.

let home: TempDir;
let store: SecretStore;
beforeEach(async () => {
  home = await makeTempDir('opperator-secrets-');
  store = new SecretStore({ dir: join(home.path, 'secrets'), mode: 'file' });
});
afterEach(async () => {
  await home.remove();
});

async function refusal(value: string): Promise<SecretStoreError> {
  const err = await store.set('api_key', value).then(() => undefined, (caught: unknown) => caught);
  expect(err).toBeInstanceOf(SecretStoreError);
  await expect(store.get('api_key')).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND' });
  return err as SecretStoreError;
}

describe('secret values', () => {
  it('refuses a NUL character, naming the secret and never the value', async () => {
    const err = await refusal('abc\u0000def');
    expect(err.code).toBe('SECRET_INVALID_VALUE');
    expect(err.message).toContain('api_key');
    expect(err.message).toMatch(/NUL/);
    expect(err.message).not.toContain('abc');
  });

  it('refuses U+FFFD: bytes that were not UTF-8, replaced before they reached the store', async () => {
    const err = await refusal('ab\uFFFDcd');
    expect(err.code).toBe('SECRET_INVALID_VALUE');
    expect(err.message).toMatch(/UTF-8/);
  });

  it('refuses an unpaired surrogate, which has no UTF-8 form', async () => {
    expect((await refusal('ab\uD800cd')).code).toBe('SECRET_INVALID_VALUE');
    expect((await refusal('\uDC00')).code).toBe('SECRET_INVALID_VALUE');
  });

  it('stores any other text exactly: line breaks (leading, inner, trailing), tabs, non-ASCII, emoji', async () => {
    const value = '\n-----BEGIN KEY-----\r\n\tkéy 日本 😀\n-----END KEY-----\n\n';
    await store.set('api_key', value);
    expect(await store.get('api_key')).toBe(value);
  });
});
