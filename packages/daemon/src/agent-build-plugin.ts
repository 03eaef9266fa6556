import { readFile, readdir, realpath } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Loader, Plugin } from 'esbuild';

/**
 * Token store packages (`@opperator/store-redis`, `@opperator/store-postgres`)
 * the agent installed in its folder, by package name. The build imports them
 * into the agent's bundle, where each announces its URL schemes to
 * `openTokenStore` (`registerTokenStorePackage`): `token_store:
 * redis://…` in agents.yaml then works without a line of agent code, and
 * the store's client (ioredis, pg) is bundled like the SDK, with nothing to
 * resolve at run time.
 */
export async function installedStorePackages(agentDir: string): Promise<string[]> {
  const scope = join(agentDir, 'node_modules', '@opperator');
  const names = await readdir(scope).catch(() => [] as string[]);
  const found: string[] = [];
  for (const name of names.filter((entry) => /^store-[a-z0-9-]+$/.test(entry)).sort()) {
    // A dangling link (a removed package) is not installed.
    if (await realpath(join(scope, name)).catch(() => undefined)) found.push(`@opperator/${name}`);
  }
  return found;
}

/** Options of {@link agentPlugin}. */
export interface AgentPluginOptions {
  /** The agent's entry file, which also imports {@link AgentPluginOptions.storePackages}. */
  entryFile: string;
  /** Store packages to import into the bundle (see {@link installedStorePackages}). */
  storePackages: readonly string[];
}

/**
 * Marks the agent's own bare imports external (except `@opperator/*`), keeps `import.meta.url`
 * pointing at the source file, and imports the installed store packages
 * from the entry.
 */
export function agentPlugin(agentDir: string, options: AgentPluginOptions = { entryFile: '', storePackages: [] }): Plugin {
  const inAgent = (path: string) => path.startsWith(agentDir + sep) && !relative(agentDir, path).split(sep).includes('node_modules');
  return {
    name: 'opperator-agent',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.kind === 'entry-point' || args.path.startsWith('@opperator/') || args.path.startsWith('node:')) return undefined;
        if (!inAgent(args.importer)) return undefined; // imports of the SDK's own sources (zod, ...) are bundled
        return { path: args.path, external: true };
      });
      // The bundle runs from the build folder; code that reads files next to its source must still find them.
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
        if (!inAgent(args.path)) return undefined;
        const source = await readFile(args.path, 'utf8');
        // Appended, not prepended: imports are hoisted anyway, and agent.ts keeps its line numbers in stack traces.
        const stores = args.path === options.entryFile && options.storePackages.length > 0 ? `\n${options.storePackages.map((name) => `import ${JSON.stringify(name)};`).join('\n')}\n` : '';
        const text = source + stores;
        if (!text.includes('import.meta.') && stores === '') return undefined;
        const url = pathToFileURL(args.path);
        const contents = text
          .replace(/\bimport\.meta\.url\b/g, JSON.stringify(url.href))
          .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path))
          .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(resolve(args.path, '..')));
        return { contents, loader: loaderOf(args.path), resolveDir: resolve(args.path, '..') };
      });
    },
  };
}

function loaderOf(path: string): Loader {
  const ext = extname(path);
  if (ext === '.tsx' || ext === '.jsx') return ext.slice(1) as Loader;
  return /\.[cm]?ts$/.test(ext) ? 'ts' : 'js';
}

