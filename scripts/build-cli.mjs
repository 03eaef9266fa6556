// Bundles the CLI into packages/cli/dist with esbuild: plain JavaScript, so
// `opperator` starts without a TypeScript loader, and one chunk per command,
// loaded only when that command runs.
import { readFile, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const outdir = new URL('../packages/cli/dist/', import.meta.url).pathname;
const { version } = JSON.parse(await readFile(new URL('../packages/cli/package.json', import.meta.url), 'utf8'));
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    opperator: new URL('../packages/cli/src/bin.ts', import.meta.url).pathname,
    // The daemon runs from the same bundle directory: plain JavaScript, no TypeScript loader of its own.
    daemon: new URL('../packages/daemon/src/main.ts', import.meta.url).pathname,
    // `opperator sandbox start` runs the local authorization server + demo API from here, the same way.
    sandbox: new URL('../packages/sandbox/src/main.ts', import.meta.url).pathname,
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
  logLevel: 'warning',
});
console.log(`built ${outdir}opperator.js`);
