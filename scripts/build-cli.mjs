// Bundles the CLI into packages/cli/dist with esbuild: plain JavaScript, so
// `opperator` starts without a TypeScript loader, and one chunk per command,
// loaded only when that command runs.
//
// Built into a fresh folder first, then swapped in by rename, and not at all
// when the result is byte-identical to what is there: a test run or benchmark
// already running from dist (two vitest sessions in one checkout) never sees
// it half-written or missing.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { bundlePatches } from './bundle-patches.mjs';

const distdir = new URL('../packages/cli/dist/', import.meta.url).pathname;
const outdir = new URL(`../packages/cli/.dist-build-${process.pid}/`, import.meta.url).pathname;
const { version } = JSON.parse(await readFile(new URL('../packages/cli/package.json', import.meta.url), 'utf8'));
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    opperator: new URL('../packages/cli/src/bin.ts', import.meta.url).pathname,
    // The daemon runs from the same bundle directory: plain JavaScript, no TypeScript loader of its own.
    daemon: new URL('../packages/daemon/src/main.ts', import.meta.url).pathname,
    // `opperator sandbox start` runs the local authorization server + demo API from here, the same way.
    sandbox: new URL('../packages/sandbox/src/main.ts', import.meta.url).pathname,
    // The SDK the daemon gives agents that do not install their own (packages/daemon/src/runtime-sdk.ts):
    // the runner and the entry, sharing chunks, so both see one Agent class.
    'sdk/index': new URL('../packages/sdk/src/index.ts', import.meta.url).pathname,
    'sdk/runner': new URL('../packages/sdk/src/runner.ts', import.meta.url).pathname,
    // @opperator/oauth for the token store packages an agent installs (they import it as a peer).
    'sdk/oauth': new URL('../packages/oauth/src/index.ts', import.meta.url).pathname,
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Native addon: loaded from node_modules at run time, never bundled.
  // The SDK runner and tsx are resolved at run time (their paths are handed to agents), never bundled.
  // esbuild (the daemon builds agents with it) ships a native binary per platform: never bundled either.
  // react-devtools-core: Ink imports it only when DEV=true; it is not installed.
  external: ['@napi-rs/keyring', 'esbuild', 'react-devtools-core'],
  define: { OPPERATOR_VERSION: JSON.stringify(version) },
  // Bundled CommonJS dependencies (proper-lockfile, write-file-atomic) use require() and __filename.
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      'const require = __createRequire(import.meta.url);',
      'const __filename = __fileURLToPath(import.meta.url);',
    ].join(' '),
  },
  chunkNames: 'chunks/[name]-[hash]',
  // React's production build, Ink's text caches bounded: see bundle-patches.mjs.
  plugins: [bundlePatches],
  logLevel: 'warning',
});

// Documents the CLI points users to (agent bootstrap names docs/providers.md), shipped with the bundle.
await mkdir(join(outdir, 'docs'), { recursive: true });
await copyFile(new URL('../docs/providers.md', import.meta.url), join(outdir, 'docs', 'providers.md'));

/** One digest of every file's relative path and content; `undefined` when the folder does not exist. */
async function digestOf(dir) {
  const hash = createHash('sha256');
  try {
    const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
    const paths = files.map((entry) => join(entry.parentPath ?? entry.path, entry.name)).sort();
    for (const path of paths) hash.update(path.slice(dir.length)).update('\0').update(await readFile(path)).update('\0');
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
  return hash.digest('hex');
}

if ((await digestOf(outdir)) === (await digestOf(distdir))) {
  await rm(outdir, { recursive: true, force: true });
  console.log(`up to date ${distdir}opperator.js`);
} else {
  const old = new URL(`../packages/cli/.dist-old-${process.pid}/`, import.meta.url).pathname;
  await rename(distdir, old).catch((error) => {
    if (error.code !== 'ENOENT') throw error;
  });
  // A concurrent build may have swapped its own in between: the same sources, so keep that one.
  const swapped = await rename(outdir, distdir).then(
    () => true,
    (error) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      return false;
    },
  );
  if (!swapped) await rm(outdir, { recursive: true, force: true });
  await rm(old, { recursive: true, force: true });
  console.log(`built ${distdir}opperator.js`);
}
