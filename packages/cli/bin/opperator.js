#!/usr/bin/env node
// What npm links as `opperator`. It exists at install time, unlike the bundle
// it loads, which `npm run build` (run by scripts/setup.sh) writes to ../dist.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/opperator.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('opperator: the CLI is not built yet; run `npm run build` in the repository.\n');
  process.exit(1);
}
await import(bundle.href);
