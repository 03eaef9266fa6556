import { appendFile, copyFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SDK_PACKAGE_DIR } from './agent-home.js';

/** The repository's `examples/` folder. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples', import.meta.url));

/** The workspace's installed packages, where the examples' own dependencies already are after `npm ci`. */
const WORKSPACE_NODE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url));

/** Options of {@link installExampleAgent}. */
export interface InstallExampleOptions {
  /** The `examples/<example>` folder to install. */
  example: string;
  /** The agent name (default: the example's folder name). */
  name?: string;
  /** Secrets the agent may read (agents.yaml `secrets:`). */
  secrets?: string[];
  /** agents.yaml `env:` of the agent. */
  env?: Record<string, string>;
}

/**
 * Puts an example agent into an OPPERATOR_HOME the way a user would (its
 * agent.ts and package.json in `agents/<name>/`, an agents.yaml entry), but
 * links its dependencies to the copies this checkout installed instead of
 * running `opperator agent install`, so demos and tests need no network.
 * Returns the agent folder.
 *
 * @example
 * ```ts
 * await installExampleAgent(home, { example: 'invoice-monitor', secrets: ['a', 'b'], env: { X: '1' } });
 * ```
 */
export async function installExampleAgent(home: string, options: InstallExampleOptions): Promise<string> {
  const name = options.name ?? options.example;
  const source = join(EXAMPLES_DIR, options.example);
  const dir = join(home, 'agents', name);
  await mkdir(join(dir, 'node_modules'), { recursive: true, mode: 0o700 });
  await copyFile(join(source, 'agent.ts'), join(dir, 'agent.ts'));
  const manifest = JSON.parse(await readFile(join(source, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  // The example names the SDK relative to the repository; from the agent folder it is this checkout's copy.
  const dependencies = { ...manifest.dependencies, '@opperator/sdk': `file:${SDK_PACKAGE_DIR}` };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ ...manifest, name, dependencies }, null, 2)}\n`);
  for (const dependency of Object.keys(dependencies)) {
    const target = dependency === '@opperator/sdk' ? SDK_PACKAGE_DIR : join(WORKSPACE_NODE_MODULES, dependency);
    await mkdir(dirname(join(dir, 'node_modules', dependency)), { recursive: true });
    await symlink(target, join(dir, 'node_modules', dependency), 'dir');
  }
  await appendAgentEntry(join(home, 'agents.yaml'), name, options);
  return dir;
}

/** Appends one entry; JSON is valid YAML, so values need no YAML quoting rules of their own. */
async function appendAgentEntry(path: string, name: string, options: InstallExampleOptions): Promise<void> {
  const existing = await readFile(path, 'utf8').catch(() => '');
  const lines = [
    `  - name: ${name}`,
    `    description: ${JSON.stringify(`examples/${options.example}`)}`,
    `    secrets: ${JSON.stringify(options.secrets ?? [])}`,
    `    env: ${JSON.stringify(options.env ?? {})}`,
  ];
  if (existing.trim() === '') await writeFile(path, 'agents:\n', { mode: 0o600 });
  else if (!/^agents:\s*$/m.test(existing)) throw new Error(`${path} has no block-style "agents:" list to append to`);
  await appendFile(path, `${lines.join('\n')}\n`);
}
