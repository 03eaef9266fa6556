// Builds the published libraries (protocol, oauth, sdk, the token stores) into their dist/
// folders: JavaScript plus .d.ts, with tsc and each package's
// tsconfig.build.json. Dependencies first: a package's declarations refer to
// those of the packages it imports (see the `paths` in tsconfig.build.json).
//
//   node scripts/build-packages.mjs                    # all of them
//   node scripts/build-packages.mjs @opperator/sdk     # one, after what it needs
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** In build order; each lists the packages of ours it imports. */
const LIBRARIES = [
  { name: '@opperator/protocol', dir: 'packages/protocol', needs: [] },
  { name: '@opperator/oauth', dir: 'packages/oauth', needs: [] },
  { name: '@opperator/sdk', dir: 'packages/sdk', needs: ['@opperator/protocol', '@opperator/oauth'] },
  { name: '@opperator/store-redis', dir: 'packages/store-redis', needs: ['@opperator/oauth'] },
  { name: '@opperator/store-postgres', dir: 'packages/store-postgres', needs: ['@opperator/oauth'] },
];

const repoRoot = new URL('..', import.meta.url).pathname;
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const wanted = process.argv[2];
const target = wanted ? LIBRARIES.find((library) => library.name === wanted) : undefined;
if (wanted && !target) throw new Error(`build-packages: unknown package ${wanted}; one of ${LIBRARIES.map((l) => l.name).join(', ')}`);
const names = target ? new Set([...target.needs, target.name]) : new Set(LIBRARIES.map((l) => l.name));

for (const library of LIBRARIES.filter((l) => names.has(l.name))) {
  // A fresh dist: no file of a deleted source survives into a tarball.
  await rm(new URL(`${library.dir}/dist/`, `file://${repoRoot}`), { recursive: true, force: true });
  execFileSync(process.execPath, [tsc, '-p', `${library.dir}/tsconfig.build.json`], { cwd: repoRoot, stdio: 'inherit' });
  console.log(`built ${library.name} (${library.dir}/dist)`);
}
