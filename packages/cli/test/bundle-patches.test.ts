import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { transform } from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript build script, no declarations
import { INK_CACHE_ENTRIES, inkBoundedCacheSource, reactProductionSource } from '../../../scripts/bundle-patches.mjs';

const require = createRequire(import.meta.url);
const inkFile = (name: string) => readFile(require.resolve('ink').replace(/index\.js$/, name), 'utf8');

describe('the bundle patches, applied to the installed dependencies', () => {
  it('fix React to its production build', async () => {
    const index = await readFile(require.resolve('react'), 'utf8');
    expect(index).toContain('process.env.NODE_ENV');
    const patched = reactProductionSource(index) as string;
    expect(patched).not.toContain('process.env.NODE_ENV');
    expect(patched).toContain("'production'".replace(/'/g, '"'));
  });

  it('bound both of Ink’s text caches, leaving valid JavaScript', async () => {
    for (const file of ['measure-text.js', 'wrap-text.js']) {
      const patched = inkBoundedCacheSource(file, await inkFile(file)) as string;
      expect(patched).toContain(String(INK_CACHE_ENTRIES));
      await expect(transform(patched, { format: 'esm' })).resolves.toBeDefined();
    }
  });

  it('fail the build, naming the file and the fix, when Ink’s source is not what they expect', () => {
    expect(() => inkBoundedCacheSource('measure-text.js', 'export default () => 0;')).toThrow(/ink\/build\/measure-text\.js no longer contains .*update scripts\/bundle-patches\.mjs/);
  });
});
