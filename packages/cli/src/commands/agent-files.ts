import { spawn } from 'node:child_process';
import { access, mkdir, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AGENT_NAME_PATTERN, CONTROL_ERROR, RESERVED_AGENT_NAMES } from '@opperator/protocol';
import { AgentsFile } from '../agents-file.js';
import { CliError } from '../cli-error.js';
import { readConfig } from '../config.js';
import { DaemonClient, DaemonClientError } from '../daemon-client.js';
import { daemonPaths } from '../daemon-paths.js';

/**
 * Where agent NAME lives (after checking the name) and the agents.yaml editor.
 *
 * @example
 * ```ts
 * const { dir, agentsFile } = agentPaths('mail-watch');
 * ```
 */
export function agentPaths(name: string, options: { creating?: boolean } = {}) {
  if (!AGENT_NAME_PATTERN.test(name)) throw new CliError('usage', `${JSON.stringify(name)} is not a valid agent name: use lowercase letters, digits, "_" and "-", starting with a letter or digit.`);
  // Only new agents are refused a reserved name: one already there can still be installed or deleted.
  if (options.creating && RESERVED_AGENT_NAMES.includes(name)) throw new CliError('usage', `${JSON.stringify(name)} is reserved (\`opperator agent start all\` means every agent); choose another name.`);
  const config = readConfig();
  return { config, dir: join(config.home, 'agents', name), agentsFile: new AgentsFile(join(config.home, 'agents.yaml')) };
}

/**
 * Tells a running daemon to re-read agents.yaml; nothing to do when none runs.
 *
 * @example
 * ```ts
 * await reloadDaemon();
 * ```
 */
export async function reloadDaemon(): Promise<void> {
  try {
    const client = await DaemonClient.connect(daemonPaths(readConfig()).socketPath);
    try {
      await client.request('agents.reload');
    } finally {
      client.close();
    }
  } catch (err) {
    if (!(err instanceof DaemonClientError && err.code === CONTROL_ERROR.NOT_RUNNING)) throw err;
  }
}

/** `opperator agent install NAME`: installs the agent's own dependencies (npm) into its folder. */
export async function agentInstall(name: string): Promise<void> {
  const { dir } = agentPaths(name);
  await readFile(join(dir, 'package.json')).catch(() => {
    throw new CliError('notFound', `${join(dir, 'package.json')} does not exist; create the agent with: opperator agent bootstrap ${name}`);
  });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(npm, ['install', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new CliError('failure', `npm install failed in ${dir} (exit code ${code}); see its output above.`);
  process.stdout.write(`Installed the dependencies of ${name}. Restart it to use them: opperator agent restart ${name}\n`);
}

/** `opperator agent delete NAME`: stops it, removes it from agents.yaml and moves its folder aside (tokens kept). */
export async function agentDelete(name: string): Promise<void> {
  const { config, dir, agentsFile } = agentPaths(name);
  if (!(await agentsFile.remove(name))) throw new CliError('notFound', `No agent named ${name} in ${agentsFile.path}. \`opperator agent list\` shows the agents.`);
  await reloadDaemon();
  let movedTo: string | undefined;
  if (await access(dir).then(() => true, () => false)) {
    movedTo = join(config.home, 'deleted-agents', `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    await mkdir(dirname(movedTo), { recursive: true, mode: 0o700 });
    await rename(dir, movedTo);
  }
  process.stdout.write(`Deleted agent ${name}.${movedTo ? ` Its folder (with any token.json) was moved to ${movedTo}; remove it with: rm -r ${movedTo}` : ''}\n`);
}
