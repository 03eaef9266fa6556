import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir, type TempDir } from './temp-dir.js';

/** This installation's SDK: agents in test homes link to it, as bootstrapped agents will. */
export const SDK_PACKAGE_DIR = fileURLToPath(new URL('../../sdk', import.meta.url));

/** One agent to put into a test home. */
export interface TestAgent {
  name: string;
  /** The agent.ts source. */
  source: string;
  /** Extra agents.yaml fields, as YAML lines under the agent (e.g. `secrets: [a]`). */
  yaml?: string;
  /** More packages of this installation to link into the agent's node_modules (e.g. `oauth`). */
  link?: string[];
}

/**
 * A temporary OPPERATOR_HOME with agents.yaml and agent folders whose
 * `@opperator/sdk` links to this installation.
 */
export async function makeAgentHome(agents: TestAgent[]): Promise<TempDir> {
  const home = await makeTempDir('opperator-home-');
  const entries: string[] = [];
  for (const agent of agents) {
    const dir = join(home.path, 'agents', agent.name);
    await mkdir(join(dir, 'node_modules', '@opperator'), { recursive: true });
    await symlink(SDK_PACKAGE_DIR, join(dir, 'node_modules', '@opperator', 'sdk'));
    for (const name of agent.link ?? []) await symlink(join(SDK_PACKAGE_DIR, '..', name), join(dir, 'node_modules', '@opperator', name));
    await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: agent.name, private: true, type: 'module' }, null, 2)}\n`);
    await writeFile(join(dir, 'agent.ts'), agent.source);
    entries.push(`  - name: ${agent.name}\n    description: test agent ${agent.name}\n${(agent.yaml ?? '').split('\n').filter(Boolean).map((line) => `    ${line}`).join('\n')}`);
  }
  await writeFile(join(home.path, 'agents.yaml'), `agents:\n${entries.join('\n')}\n`);
  return home;
}
