import { cp, readdir } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';

/** Why a path of an agent folder is not copied into the home. */
export type LeftOutKind =
  /** Installed or built again there (node_modules, dist) or not the agent's (.git). */
  | 'build'
  /** Sign-ins, credentials, keys, environment files, locks and logs: they belong to the copy they were made by. */
  | 'state';

/** Folder names never copied, at any depth. */
export const BUILD_FOLDER_NAMES: readonly string[] = ['node_modules', '.git', '.hg', '.svn', 'dist'];

/**
 * File (and folder) names never copied, at any depth: token files as the SDK
 * writes them (`token.json`, `token-gmail.json`, their lock folders and
 * atomic-write temporaries), `.env` files (not `.env.example`), downloaded
 * OAuth client files, keys, and logs.
 */
export const STATE_NAME_PATTERNS: readonly RegExp[] = [
  /^token([-_.][^/]*)?\.json(\.[^/]*)?$/,
  /\.token\.json$/,
  /\.lock$/,
  /^\.env(?!\.(example|sample|template)$)(\..*)?$/,
  /^client_secrets?[^/]*\.json$/,
  /^credentials[^/]*\.json$/,
  /^secrets?\.json$/,
  /\.(pem|key|p12|pfx)$/,
  /\.log$/,
  /^\.DS_Store$/,
];

/** A path left out of the copy, relative to the source folder. */
export interface LeftOut {
  path: string;
  kind: LeftOutKind;
}

/**
 * Why `name` (a file or folder name) is not copied, or undefined when it is.
 *
 * @example
 * ```ts
 * leftOutKind('token.json');   // 'state'
 * leftOutKind('node_modules'); // 'build'
 * leftOutKind('agent.ts');     // undefined
 * ```
 */
export function leftOutKind(name: string): LeftOutKind | undefined {
  if (BUILD_FOLDER_NAMES.includes(name)) return 'build';
  return STATE_NAME_PATTERNS.some((pattern) => pattern.test(name)) ? 'state' : undefined;
}

/**
 * Copies an agent folder to `target` (which must not exist) without what
 * {@link leftOutKind} names, symlinks as they are. Returns what was left out.
 *
 * @example
 * ```ts
 * const leftOut = await copyAgentFolder('examples/invoice-monitor', join(home, 'agents', '.adding-invoice-monitor'));
 * ```
 */
export async function copyAgentFolder(source: string, target: string): Promise<LeftOut[]> {
  const leftOut: LeftOut[] = [];
  await cp(source, target, {
    recursive: true,
    errorOnExist: true,
    force: false,
    verbatimSymlinks: true,
    filter: (path) => {
      if (path === source) return true;
      const kind = leftOutKind(basename(path));
      if (kind) leftOut.push({ path: relative(source, path).split(sep).join('/'), kind });
      return kind === undefined;
    },
  });
  return leftOut.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Copies the sign-ins and other local state (top-level `state` entries,
 * locks aside) of an installed agent folder into its replacement, so
 * `agent add --force` updates the code without signing the agent out.
 * Returns the names carried over.
 *
 * @example
 * ```ts
 * await carryOverState(join(home, 'agents', 'invoice-monitor'), staging); // ['token.json']
 * ```
 */
export async function carryOverState(installed: string, replacement: string): Promise<string[]> {
  const names = (await readdir(installed)).filter((name) => leftOutKind(name) === 'state' && !name.endsWith('.lock'));
  const present = new Set(await readdir(replacement));
  const carried = names.filter((name) => !present.has(name)).sort();
  for (const name of carried) await cp(join(installed, name), join(replacement, name), { recursive: true, errorOnExist: true, force: false, preserveTimestamps: true });
  return carried;
}
