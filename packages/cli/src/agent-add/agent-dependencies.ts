import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../cli-error.js';

/** The dependency fields npm installs from (peers too: npm 7 and later install them). */
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

/** opperator's own packages: never installed into an agent folder by `agent add`. */
export const PROVIDED_SCOPE = '@opperator/';

/** The one the runtime gives every agent that does not install its own, in the daemon's version. */
export const RUNTIME_PROVIDED = '@opperator/sdk';

/** An `@opperator/*` dependency taken out of the copy, with what the agent's package.json asked for. */
export interface ProvidedDependency {
  name: string;
  spec: string;
}

/**
 * Takes the `@opperator/*` dependencies out of an agent's package.json:
 * the runtime provides `@opperator/sdk` (in the daemon's version), the
 * examples' `file:../../packages/sdk` (a path into the repository) means
 * nothing in the home, and npm cannot fetch them from a path that is not
 * there. Another `@opperator/*` package an agent imports is its to install
 * by hand ({@link describeAdd} says so). Returns the
 * manifest to write, what it took out, and the dependencies npm still has
 * to install.
 *
 * @example
 * ```ts
 * const { manifest, provided, toInstall } = withoutProvidedDependencies(packageJson);
 * // provided: [{ name: '@opperator/sdk', spec: 'file:../../packages/sdk' }], toInstall: ['@googleapis/gmail']
 * ```
 */
export function withoutProvidedDependencies(packageJson: Record<string, unknown>): { manifest: Record<string, unknown>; provided: ProvidedDependency[]; toInstall: string[] } {
  const manifest: Record<string, unknown> = { ...packageJson };
  const provided: ProvidedDependency[] = [];
  const toInstall = new Set<string>();
  for (const field of DEPENDENCY_FIELDS) {
    const dependencies = packageJson[field];
    if (typeof dependencies !== 'object' || dependencies === null || Array.isArray(dependencies)) continue;
    const kept: Array<[string, unknown]> = [];
    for (const [name, spec] of Object.entries(dependencies as Record<string, unknown>)) {
      if (name.startsWith(PROVIDED_SCOPE)) {
        provided.push({ name, spec: String(spec) });
      } else {
        kept.push([name, spec]);
        toInstall.add(name);
      }
    }
    manifest[field] = Object.fromEntries(kept);
  }
  return { manifest, provided, toInstall: [...toInstall].sort() };
}

/** Rewrites `<dir>/package.json` without its `@opperator/*` dependencies; see {@link withoutProvidedDependencies}. */
export async function dropProvidedDependencies(dir: string): Promise<{ provided: ProvidedDependency[]; toInstall: string[] }> {
  const path = join(dir, 'package.json');
  const { manifest, provided, toInstall } = withoutProvidedDependencies(JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>);
  if (provided.length > 0) await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return { provided, toInstall };
}

/**
 * `npm install` in an agent folder, npm's output on stderr (stdout stays the
 * command's own, for `--json`). Rejects with a CliError naming the folder and
 * what to do instead.
 *
 * @example
 * ```ts
 * await installAgentDependencies(dir, { name: 'invoice-monitor' });
 * ```
 */
export async function installAgentDependencies(dir: string, options: { name: string }): Promise<void> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(npm, ['install', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', process.stderr, process.stderr] });
    child.once('error', (err) => reject(new CliError('failure', `Cannot run npm to install the dependencies of ${options.name} (${err.message}); install Node.js with npm, or add it with --no-install and install them later.`, { cause: err })));
    child.once('exit', resolve);
  });
  if (code !== 0) {
    throw new CliError('failure', `npm install failed for ${options.name} (exit code ${code}); see its output above. Nothing was added. Fix the cause (network, package.json) and run the command again, or add it with --no-install and run: opperator agent install ${options.name}`);
  }
}

