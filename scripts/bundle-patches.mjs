// Build-time changes to dependencies of the CLI bundle (esbuild plugins for
// scripts/build-cli.mjs). Each is a pure text transform, tested in
// packages/cli/test/bundle-patches.test.ts, and fails the build loudly when
// the source it expects has changed.
import { readFile } from 'node:fs/promises';

/**
 * Entries each of Ink's text caches keeps before it starts over: about ten
 * screens' worth of distinct strings, so what is on screen stays cached
 * between clears (bench: the TUI's live heap +0.7 MB/min over a 120-s flood
 * at 10,000, +0.4 at 2,000, where the caches stop growing at ~0.6 MB).
 */
export const INK_CACHE_ENTRIES = 2_000;

/**
 * React, its reconciler and scheduler pick their development or production
 * build from `process.env.NODE_ENV` when first loaded. Left to the user's
 * environment, the TUI ran React's development build: several times the CPU
 * per frame, and a `performance.measure()` entry for every component render
 * that Node keeps forever (the TUI's heap grew ~30 MB a minute under a busy
 * agent; react#35761). This fixes their choice to production, for those
 * packages only: a global `define` would also change koa's `app.env` in the
 * sandbox, and setting the variable at run time would leak into the daemon
 * and agents the TUI starts.
 *
 * @param {string} source a module of react, react-reconciler or scheduler
 * @returns {string}
 * @example
 * reactProductionSource("if (process.env.NODE_ENV === 'production') {"); // 'if ("production" === \'production\') {'
 */
export function reactProductionSource(source) {
  return source.replaceAll('process.env.NODE_ENV', '"production"');
}

/**
 * Ink 6.8 memoises the size and the wrapping of every distinct string it
 * ever drew, with no bound (ink#986; the fix is in no release that runs on
 * Node 20): a section updated a thousand times a second costs ~0.5 MB a
 * minute, forever. This caps both caches at {@link INK_CACHE_ENTRIES}: past
 * that they start over, which only costs recomputing what is on screen.
 *
 * @param {'measure-text.js' | 'wrap-text.js'} file
 * @param {string} source that file of ink/build
 * @returns {string}
 * @example
 * inkBoundedCacheSource('measure-text.js', await readFile(inkMeasureTextPath, 'utf8')); // the same module, its Map cleared at the cap
 */
export function inkBoundedCacheSource(file, source) {
  const edits =
    file === 'measure-text.js'
      ? [['    cache.set(text, dimensions);', `    if (cache.size >= ${INK_CACHE_ENTRIES}) cache.clear();\n    cache.set(text, dimensions);`]]
      : [
          ['const cache = {};', 'let cache = {};\nlet cacheEntries = 0;'],
          ['    cache[cacheKey] = wrappedText;', `    if (++cacheEntries > ${INK_CACHE_ENTRIES}) {\n        cache = {};\n        cacheEntries = 1;\n    }\n    cache[cacheKey] = wrappedText;`],
        ];
  let patched = source;
  for (const [from, to] of edits) {
    if (!patched.includes(from)) throw new Error(`ink/build/${file} no longer contains ${JSON.stringify(from)}: check whether its cache is still unbounded and update scripts/bundle-patches.mjs`);
    patched = patched.replace(from, to);
  }
  return patched;
}

/**
 * The esbuild plugin applying both patches.
 *
 * @example
 * await build({ entryPoints, bundle: true, plugins: [bundlePatches] });
 */
export const bundlePatches = {
  name: 'opperator-bundle-patches',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]node_modules[\\/](react|react-reconciler|scheduler)[\\/].*\.js$/ }, async (args) => ({
      contents: reactProductionSource(await readFile(args.path, 'utf8')),
      loader: 'js',
    }));
    pluginBuild.onLoad({ filter: /[\\/]node_modules[\\/]ink[\\/]build[\\/](measure-text|wrap-text)\.js$/ }, async (args) => ({
      contents: inkBoundedCacheSource(args.path.endsWith('measure-text.js') ? 'measure-text.js' : 'wrap-text.js', await readFile(args.path, 'utf8')),
      loader: 'js',
      resolveDir: args.path.replace(/[\\/][^\\/]+$/, ''),
    }));
  },
};
