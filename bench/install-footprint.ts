/**
 * Benchmark: what installing the CLI costs a user. Every public package is
 * packed with `npm pack` (its prepack builds it), then the CLI tarball is
 * installed with `npm install -g` into fresh temporary prefixes, alternating
 * with a tiny tarball of no dependencies installed the same way: npm's own
 * fixed cost. Reports the install time, the installed size of the prefix and
 * each tarball's size, against the goals of issue 14 (at most 50 MB installed,
 * at most 20 s from a warm npm cache).
 *
 * Everything is written under `dir`, except what `npm pack` itself does in the
 * checkout: the prepack build (into gitignored dist/ folders) and the
 * package.json swap that postpack undoes; the step checks afterwards that
 * every packed package.json is back byte for byte.
 *
 * Sizes count each inode once, as `du` does: npm links esbuild's binary into
 * two places (esbuild's postinstall), and counting it twice would add 11 MB
 * that is not on the disk.
 */
import { execFile } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { alternate, elapsedMs, median, type Comparison } from './stats.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('..', import.meta.url));
/** Goals from issue 14, item 8. */
const GOALS = { installedMb: 50, installS: 20 };
/** The CLI first (the installs need it), then the libraries in dependency order; `npm pack` of each runs its prepack build. */
const PUBLIC_PACKAGES = ['cli', 'protocol', 'oauth', 'sdk'] as const;
type PublicPackage = (typeof PUBLIC_PACKAGES)[number];
/** Longest excerpt of a failed pack's output kept in an error message. */
const MAX_REASON_CHARS = 240;
/** A package.json left beside a manifest by prepack and put back by postpack (scripts/pack-manifest.mjs). */
const SAVED_MANIFEST = 'package.json.dev';
/** How long a pack running elsewhere in this checkout (a test) may keep a manifest swapped before the check calls it left over. */
const FOREIGN_PACK_WAIT_MS = 60_000;
const FOREIGN_PACK_POLL_MS = 500;
const MB = 1024 * 1024;
/** npm's own output is small; the prepack builds print a few lines each. */
const MAX_BUFFER = 16 * MB;

/** Settings of {@link benchInstallFootprint}. */
export interface InstallFootprintBenchOptions {
  /** Scratch folder (inside the bench temp dir): tarballs, prefixes, the baseline package. */
  dir: string;
  /** Measured installs per side, alternating; each side gets one unmeasured install first to warm npm's cache. */
  rounds: number;
}

/**
 * Size of a tree from lstat (a symbolic link counts as itself, never what it
 * points to): `bytes` counts each inode once, `linkedBytes` counts every
 * name (hard links again each time); `files` is the number of non-directories.
 */
interface TreeSize {
  bytes: number;
  linkedBytes: number;
  files: number;
}

/** Packs the public packages, then times and sizes `npm i -g` of the CLI tarball against a no-dependency tarball. */
export async function benchInstallFootprint(options: InstallFootprintBenchOptions): Promise<Comparison[]> {
  const { dir, rounds } = options;
  await mkdir(dir, { recursive: true });
  const env = userEnv();
  const manifestsBefore = await readRepositoryManifests();

  const packStarted = performance.now();
  const tarballs = new Map<PublicPackage, string>();
  // A library that does not build (a half-made edit in the working tree) costs its tarball figure, not the run:
  // the installs need only the CLI, and the failure is printed in the table's note.
  const packFailures: string[] = [];
  try {
    for (const name of PUBLIC_PACKAGES) {
      try {
        tarballs.set(name, await packWorkspace(name, join(dir, 'tarballs', name), env));
      } catch (err) {
        if (name === 'cli') throw err;
        packFailures.push(err instanceof Error ? err.message : String(err));
      }
    }
  } catch (err) {
    // A changed checkout matters more than the failed pack; the failure travels as its cause.
    await checkManifestsRestored(manifestsBefore, err);
    throw err;
  }
  await checkManifestsRestored(manifestsBefore);
  const packS = elapsedMs(packStarted) / 1000;
  const cliTarball = tarballs.get('cli') as string;
  const baselineTarball = await packBaseline(join(dir, 'baseline'), env);

  const cliS: number[] = [];
  const baselineS: number[] = [];
  const cliSizes: TreeSize[] = [];
  const cliOwnSizes: TreeSize[] = [];
  const cliPrefixes: string[] = [];
  let prefixes = 0;
  const install = (tarball: string, seconds: number[] | undefined) => async () => {
    prefixes += 1;
    const prefix = join(dir, `prefix-${prefixes}`);
    const start = performance.now();
    await run('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: dir, env, maxBuffer: MAX_BUFFER });
    seconds?.push(elapsedMs(start) / 1000);
    if (seconds && tarball === cliTarball) cliPrefixes.push(prefix);
  };
  // Warm-up: npm's cache gets every packument and tarball the CLI needs (the goal is "from a warm cache").
  await alternate(1, install(cliTarball, undefined), install(baselineTarball, undefined));
  await alternate(rounds, install(cliTarball, cliS), install(baselineTarball, baselineS));

  // Sized after the timed installs, so walking a tree never runs between two of them.
  for (const prefix of cliPrefixes) {
    cliSizes.push(await measureTree(prefix));
    cliOwnSizes.push(await measureOwnFiles(prefix));
  }
  const cliPrefix = cliPrefixes.at(-1) as string;
  await checkInstalledCli(cliPrefix, env);
  const duMb = (await diskUsageKb(cliPrefix)) / 1024;
  const parts = await describeParts(cliPrefix);
  const tarballKb = new Map<PublicPackage, number>();
  for (const [name, tarball] of tarballs) tarballKb.set(name, (await stat(tarball)).size / 1024);
  const baselineTarballKb = (await stat(baselineTarball)).size / 1024;

  const installMedianS = median(cliS);
  const installedMb = cliSizes.map((size) => size.bytes / MB);
  const installedMedianMb = median(installedMb);
  const last = cliSizes.at(-1) as TreeSize;
  return [
    {
      name: 'npm i -g of the CLI',
      subject: { label: '@opperator/cli tarball', values: cliS },
      baseline: { label: 'no-dependency tarball', values: baselineS },
      unit: 's',
      note:
        `npm install -g --prefer-offline into a fresh prefix each round, warm npm cache (one unmeasured install of each first); the baseline is npm's fixed cost, ` +
        `so the CLI's own share is ${(installMedianS - median(baselineS)).toFixed(1)} s. Goal at most ${GOALS.installS} s: ${verdict(installMedianS <= GOALS.installS)}.`,
    },
    {
      name: 'installed size of the CLI',
      subject: { label: 'prefix after npm i -g', values: installedMb },
      baseline: { label: 'its own files, no node_modules', values: cliOwnSizes.map((size) => size.bytes / MB) },
      unit: 'MB',
      note:
        `lstat sizes of the ${last.files} files and links under the prefix, each inode once (MB = 2^20 bytes; ${(last.linkedBytes / MB).toFixed(1)} MB counting hard links again); ` +
        `du -sk says ${duMb.toFixed(1)} MB. The ratio is the whole install over the CLI's own files. Largest parts: ${parts}. ` +
        `Goal at most ${GOALS.installedMb} MB (lstat and du): ${verdict(Math.max(installedMedianMb, duMb) <= GOALS.installedMb)}.`,
    },
    {
      name: 'CLI tarball',
      subject: { label: '@opperator/cli', values: [tarballKb.get('cli') as number] },
      baseline: { label: 'no-dependency tarball', values: [baselineTarballKb] },
      unit: 'KB',
      note:
        `npm pack of every public package, its prepack build included, took ${packS.toFixed(1)} s; tarballs: ${[...tarballKb].map(([name, kb]) => `@opperator/${name} ${Math.round(kb)} KB`).join(', ')}. No goal set.` +
        packFailures.map((failure) => ` NOT PACKED: ${failure}.`).join(''),
    },
  ];
}

/** The environment of a user shell: no npm_* variables from `npm run bench`, no node_modules/.bin on PATH; HOME (and so npm's cache) kept. */
function userEnv(): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const path = (base.PATH ?? '').split(':').filter((entry) => !entry.includes('node_modules'));
  return { ...base, PATH: path.join(':') };
}

/**
 * The package.json files `npm pack` swaps, as the repository has them: the
 * saved copy while a pack (a test in this checkout) has the published one in place.
 */
function readRepositoryManifests(): Promise<string[]> {
  return Promise.all(
    PUBLIC_PACKAGES.map(async (name) => {
      const dir = join(REPO, 'packages', name);
      return readFile(join(dir, (await exists(join(dir, SAVED_MANIFEST))) ? SAVED_MANIFEST : 'package.json'), 'utf8');
    }),
  );
}

/**
 * Fails the step unless every packed package.json is back as it was and no
 * saved manifest is left behind; a pack running elsewhere in the checkout
 * gets {@link FOREIGN_PACK_WAIT_MS} to put its own back first. `cause`: the
 * error of a failed pack, forwarded when the check fails too.
 */
async function checkManifestsRestored(before: readonly string[], cause?: unknown): Promise<void> {
  const savedPaths = PUBLIC_PACKAGES.map((name) => join(REPO, 'packages', name, SAVED_MANIFEST));
  const leftOver = async () => {
    const present = await Promise.all(savedPaths.map(exists));
    return PUBLIC_PACKAGES.filter((_, i) => present[i]).map((name) => `packages/${name}/${SAVED_MANIFEST}`);
  };
  const deadline = performance.now() + FOREIGN_PACK_WAIT_MS;
  while ((await leftOver()).length > 0 && performance.now() < deadline) await delay(FOREIGN_PACK_POLL_MS);
  const after = await Promise.all(PUBLIC_PACKAGES.map((name) => readFile(join(REPO, 'packages', name, 'package.json'), 'utf8')));
  const changed = PUBLIC_PACKAGES.filter((_, i) => after[i] !== before[i]).map((name) => `packages/${name}/package.json`);
  const problems = [...changed, ...(await leftOver())];
  if (problems.length > 0) throw new Error(`install bench: npm pack left the checkout changed: ${problems.join(', ')}`, cause === undefined ? undefined : { cause });
}

/**
 * `npm pack -w @opperator/<name>` into `into`; returns the tarball's path. A
 * pack that fails between prepack and postpack would leave the published
 * manifest in the checkout: postpack is run by hand then, before rethrowing.
 */
async function packWorkspace(name: PublicPackage, into: string, env: NodeJS.ProcessEnv): Promise<string> {
  const packageDir = join(REPO, 'packages', name);
  // npm pack fails after prepack when the destination is missing: it must exist first.
  await mkdir(into, { recursive: true });
  try {
    await run('npm', ['pack', '--silent', '-w', `@opperator/${name}`, '--pack-destination', into], { cwd: REPO, env, maxBuffer: MAX_BUFFER });
  } catch (err) {
    if (await exists(join(packageDir, SAVED_MANIFEST))) {
      await run(process.execPath, [join(REPO, 'scripts', 'pack-manifest.mjs'), 'postpack'], { cwd: packageDir, env });
    }
    throw new Error(`install bench: npm pack of @opperator/${name} failed: ${firstErrorLine(err)}`, { cause: err });
  }
  return onlyTarball(into);
}

/** The first line of a failed command's output that names an error (a tsc diagnostic, npm's ERR!), else its message. */
function firstErrorLine(err: unknown): string {
  const { stdout, stderr } = err as { stdout?: unknown; stderr?: unknown };
  const lines = `${typeof stdout === 'string' ? stdout : ''}\n${typeof stderr === 'string' ? stderr : ''}`.split('\n').map((line) => line.trim());
  const line = lines.find((text) => /\berror\b|ERR!/i.test(text)) ?? (err instanceof Error ? err.message : String(err));
  return line.length > MAX_REASON_CHARS ? `${line.slice(0, MAX_REASON_CHARS)}...` : line;
}

/** A package of one file with a bin and no dependencies, packed into `dir`: what any `npm i -g` costs. */
async function packBaseline(dir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const source = join(dir, 'source');
  await mkdir(source, { recursive: true });
  const manifest = { name: 'opperator-bench-noop', version: '1.0.0', license: 'MIT', bin: { 'opperator-bench-noop': 'index.js' } };
  await writeFile(join(source, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(source, 'index.js'), '#!/usr/bin/env node\n', { mode: 0o755 });
  await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: source, env, maxBuffer: MAX_BUFFER });
  return onlyTarball(dir);
}

async function onlyTarball(dir: string): Promise<string> {
  const tarballs = (await readdir(dir)).filter((entry) => entry.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`install bench: expected one tarball in ${dir}, found ${JSON.stringify(tarballs)}`);
  return join(dir, tarballs[0] as string);
}

/** Sums lstat sizes under `path` (see {@link TreeSize}); `seen` holds the inodes already counted. */
async function measureTree(path: string, seen = new Set<string>()): Promise<TreeSize> {
  const info = await lstat(path);
  const inode = `${info.dev}:${info.ino}`;
  const bytes = seen.has(inode) ? 0 : info.size;
  seen.add(inode);
  if (!info.isDirectory()) return { bytes, linkedBytes: info.size, files: 1 };
  const total: TreeSize = { bytes, linkedBytes: info.size, files: 0 };
  for (const entry of await readdir(path)) {
    const child = await measureTree(join(path, entry), seen);
    total.bytes += child.bytes;
    total.linkedBytes += child.linkedBytes;
    total.files += child.files;
  }
  return total;
}

function cliPackageDir(prefix: string): string {
  return join(prefix, 'lib', 'node_modules', '@opperator', 'cli');
}

/** The CLI package's own files in an install: its folder without its node_modules. */
async function measureOwnFiles(prefix: string): Promise<TreeSize> {
  const packageDir = cliPackageDir(prefix);
  const whole = await measureTree(packageDir);
  const modules = await measureTree(join(packageDir, 'node_modules'));
  return { bytes: whole.bytes - modules.bytes, linkedBytes: whole.linkedBytes - modules.linkedBytes, files: whole.files - modules.files };
}

async function diskUsageKb(path: string): Promise<number> {
  const { stdout } = await run('du', ['-sk', path]);
  const kb = Number.parseInt(stdout, 10);
  if (!Number.isFinite(kb)) throw new Error(`install bench: du -sk printed ${JSON.stringify(stdout)}`);
  return kb;
}

/** "@esbuild/linux-x64 10.9 MB, the CLI package itself 4.0 MB, ...": where the installed megabytes are, largest first (parts of 0.1 MB and more). */
async function describeParts(prefix: string): Promise<string> {
  const modules = join(cliPackageDir(prefix), 'node_modules');
  // One set of inodes for all parts: a file linked from two packages counts in the first one measured.
  const seen = new Set<string>();
  const parts: Array<{ name: string; bytes: number }> = [{ name: 'the CLI package itself', bytes: (await measureOwnFiles(prefix)).bytes }];
  const names: string[] = [];
  for (const entry of await readdir(modules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) names.push(...(await readdir(join(modules, entry))).map((inner) => `${entry}/${inner}`));
    else names.push(entry);
  }
  // Scoped packages first: the platform binaries (@esbuild/*) own the files their wrappers link to.
  names.sort((a, b) => Number(b.startsWith('@')) - Number(a.startsWith('@')) || a.localeCompare(b));
  for (const name of names) parts.push({ name, bytes: (await measureTree(join(modules, name), seen)).bytes });
  parts.sort((a, b) => b.bytes - a.bytes);
  return parts
    .filter((part) => part.bytes >= MB / 10)
    .map((part) => `${part.name} ${(part.bytes / MB).toFixed(1)} MB`)
    .join(', ');
}

/** The measured install works: the installed bin answers --version with the checkout's version. */
async function checkInstalledCli(prefix: string, env: NodeJS.ProcessEnv): Promise<void> {
  const { version } = JSON.parse(await readFile(join(REPO, 'packages', 'cli', 'package.json'), 'utf8')) as { version: string };
  const { stdout } = await run(join(prefix, 'bin', 'opperator'), ['--version'], { cwd: prefix, env });
  if (stdout.trim() !== version) throw new Error(`install bench: the installed opperator --version printed ${JSON.stringify(stdout.trim())}, expected ${version}`);
}

function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function verdict(met: boolean): string {
  return met ? 'met' : 'NOT met';
}
