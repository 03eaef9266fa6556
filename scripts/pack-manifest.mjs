// The package.json a published package carries, made at pack time.
//
// In this repository every package's `exports` point at its TypeScript
// sources, so tests, tsx and the bundler use them with no build step. A
// packed package must point at built JavaScript and declarations instead:
// `prepack` builds (scripts/build-packages.mjs, or the CLI bundle), keeps the
// repository's package.json aside as package.json.dev, and writes the
// published one; `postpack` puts the repository's back. npm reads the
// manifest after prepack, so `npm pack` and `npm publish` ship the rewrite.
//
//   "prepack": "node ../../scripts/pack-manifest.mjs prepack"
//   "postpack": "node ../../scripts/pack-manifest.mjs postpack"
import { execFileSync } from 'node:child_process';
import { copyFile, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const packageDir = process.cwd();
const manifestPath = join(packageDir, 'package.json');
const savedPath = join(packageDir, 'package.json.dev');
const repoRoot = new URL('..', import.meta.url).pathname;

const exists = (path) => stat(path).then(() => true, () => false);

/** `./src/x.ts` → `{ types: './dist/x.d.ts', default: './dist/x.js' }`: what Node and TypeScript read in the published package. */
function builtEntry(source) {
  const match = /^\.\/src\/(.+)\.ts$/.exec(source);
  if (!match) throw new Error(`pack-manifest: export ${JSON.stringify(source)} is not ./src/<file>.ts`);
  return { types: `./dist/${match[1]}.d.ts`, default: `./dist/${match[1]}.js` };
}

/** The published manifest: built exports, no workspace-only fields. */
function publishedManifest(manifest) {
  const { scripts: _scripts, devDependencies: _dev, private: _private, ...published } = manifest;
  if (manifest.bin) {
    // The CLI is a bundle with a bin; nothing of it is imported as a library.
    delete published.exports;
    return published;
  }
  published.exports = Object.fromEntries(Object.entries(manifest.exports).map(([path, source]) => [path, builtEntry(source)]));
  published.exports['./package.json'] = './package.json';
  published.main = published.exports['.'].default;
  published.types = published.exports['.'].types;
  return published;
}

async function prepack() {
  // An interrupted pack left the rewrite in place: start again from the repository's manifest.
  if (await exists(savedPath)) await rename(savedPath, manifestPath);
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  const build = manifest.bin ? ['scripts/build-cli.mjs'] : ['scripts/build-packages.mjs', manifest.name];
  execFileSync(process.execPath, build, { cwd: repoRoot, stdio: 'inherit' });
  await copyFile(manifestPath, savedPath);
  await writeFile(manifestPath, `${JSON.stringify(publishedManifest(manifest), null, 2)}\n`);
}

async function postpack() {
  if (await exists(savedPath)) await rename(savedPath, manifestPath);
}

const step = process.argv[2];
if (step === 'prepack') await prepack();
else if (step === 'postpack') await postpack();
else throw new Error('usage: node scripts/pack-manifest.mjs prepack|postpack (in the package folder)');
