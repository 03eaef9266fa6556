import { access, chmod, mkdir, readdir, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { addNextSteps, describeAdd, type AgentAddResult } from '../agent-add/add-next-steps.js';
import { dropProvidedDependencies, installAgentDependencies, type ProvidedDependency } from '../agent-add/agent-dependencies.js';
import { parseEnvOptions, readAgentFolder, type AgentFolder } from '../agent-add/agent-manifest.js';
import { carryOverState, copyAgentFolder } from '../agent-add/copy-agent-folder.js';
import type { AgentsFile } from '../agents-file.js';
import { CliError } from '../cli-error.js';
import { agentPaths, reloadDaemon } from './agent-files.js';
import { printResult } from './with-daemon.js';

/** Options of {@link agentAdd} (the command line's flags). */
export interface AgentAddOptions {
  /** `--name`: add it under this name instead of its package.json name or folder name. */
  name?: string;
  /** `--force`: replace an agent of that name (folder and agents.yaml entry). */
  force?: boolean;
  /** `--no-install` sets this to false: copy and register, install later with `agent install`. */
  install?: boolean;
  /** `--env KEY=VALUE`, repeatable: the agent's environment, over its package's defaults. */
  env?: string[];
  json?: boolean;
}

const exists = (path: string) => access(path).then(() => true, () => false);

/**
 * Installs an agent folder into the home in one step, printing nothing (npm's
 * output goes to stderr): checks it, copies it to `agents/<name>/` (without
 * node_modules, .git, dist, token files or other secrets and state), installs
 * its dependencies (npm; not the `@opperator/*` ones: the runtime provides the
 * SDK), registers it in agents.yaml (merged into the list, comments kept) and
 * tells a running daemon. Nothing is left behind when a step before
 * registration fails. A bad folder or a taken name is a `CliError` naming the
 * fix. `agent add` prints the result; `opperator mcp` returns it.
 *
 * @example
 * ```ts
 * const { name, nextSteps } = await addAgent('examples/invoice-monitor', { install: false });
 * ```
 */
export async function addAgent(folder: string, options: Omit<AgentAddOptions, 'json'>): Promise<AgentAddResult> {
  const envOptions = parseEnvOptions(options.env ?? []);
  const agent = await readAgentFolder(resolve(folder), options.name === undefined ? {} : { name: options.name });
  const { config, dir, agentsFile } = agentPaths(agent.name, { creating: true });
  await assertApart(agent.source, dir);
  const existingEntry = await agentsFile.entry(agent.name);
  const folderExists = await exists(dir);
  if ((existingEntry || folderExists) && !options.force) {
    const what = existingEntry ? `an entry in ${agentsFile.path}` : `a folder ${dir}`;
    throw new CliError('conflict', `An agent named ${agent.name} already exists (${what}). Add this one under another name with --name NAME, or replace it with --force (its sign-ins are kept).`);
  }

  const agentsRoot = join(config.home, 'agents');
  await mkdir(agentsRoot, { recursive: true, mode: 0o700 });
  // Built next to its final place, then renamed in: a failed copy or install leaves nothing half-added.
  await removeAbandonedStaging(agentsRoot, agent.name);
  const staging = join(agentsRoot, `${STAGING_PREFIX}${agent.name}-${process.pid}`);
  let prepared: Awaited<ReturnType<typeof prepareCopy>>;
  let replaced: AgentAddResult['replaced'] = null;
  try {
    prepared = await prepareCopy(agent, staging, options.install !== false);
    if (folderExists) {
      const keptState = await carryOverState(dir, staging);
      const movedTo = join(config.home, 'deleted-agents', `${agent.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      await mkdir(join(config.home, 'deleted-agents'), { recursive: true, mode: 0o700 });
      await rename(dir, movedTo);
      replaced = { movedTo, keptState };
    }
    await rename(staging, dir);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }

  const registered = await register(agentsFile, agent, existingEntry, envOptions);
  await reloadDaemon();
  const partial = {
    name: agent.name,
    source: agent.source,
    dir,
    agentsFile: agentsFile.path,
    entry: existingEntry ? ('updated' as const) : ('added' as const),
    description: registered.description,
    secrets: registered.secrets,
    env: registered.env,
    authorize: agent.authorize ?? null,
    ...prepared,
    replaced,
  };
  return { ...partial, nextSteps: addNextSteps(partial) };
}

/**
 * `opperator agent add FOLDER [--name NAME] [--force] [--no-install] [--env K=V]... [--json]`:
 * {@link addAgent}, then what was copied, left out, installed and registered,
 * and the next steps (or all of it as JSON).
 *
 * @example
 * ```ts
 * await agentAdd('examples/invoice-monitor', { env: ['INVOICE_MONITOR_PROVIDER=sandbox'] });
 * ```
 */
export async function agentAdd(folder: string, options: AgentAddOptions): Promise<void> {
  printResult(await addAgent(folder, options), options.json, describeAdd);
}

/** Copies the folder into `staging`, takes `@opperator/*` out of its dependencies, and installs the rest. */
async function prepareCopy(agent: AgentFolder, staging: string, install: boolean): Promise<{ leftOut: AgentAddResult['leftOut']; dependencies: string[]; installed: boolean; provided: ProvidedDependency[] }> {
  const leftOut = await copyAgentFolder(agent.source, staging);
  // The agent's token files go in here (SPEC §5: 0600 files in a 0700 folder), whatever the source folder's mode was.
  await chmod(staging, 0o700);
  const { provided, toInstall } = agent.packageJson ? await dropProvidedDependencies(staging) : { provided: [], toInstall: [] };
  const installed = install && toInstall.length > 0;
  if (installed) await installAgentDependencies(staging, { name: agent.name });
  return { leftOut, dependencies: toInstall, installed: installed || toInstall.length === 0, provided };
}

/**
 * Adds the agents.yaml entry, or with `--force` updates the existing one:
 * its settings and comments stay, `entry` follows the copy, the package's
 * secrets are added to its own, and `--env` wins over its env, which wins
 * over the package's defaults.
 */
async function register(agentsFile: AgentsFile, agent: AgentFolder, existing: Record<string, unknown> | undefined, envOptions: Record<string, string>): Promise<{ description: string; secrets: string[]; env: Record<string, string> }> {
  if (!existing) {
    const env = { ...agent.env, ...envOptions };
    await agentsFile.add({
      name: agent.name,
      description: agent.description,
      entry: agent.entry,
      secrets: agent.secrets,
      ...(Object.keys(env).length > 0 ? { env } : {}),
      auto_restart: true,
      start_with_daemon: false,
    });
    return { description: agent.description, secrets: agent.secrets, env };
  }
  const ownSecrets = Array.isArray(existing.secrets) ? existing.secrets.map(String) : [];
  const ownEnv = isRecord(existing.env) ? Object.fromEntries(Object.entries(existing.env).map(([key, value]) => [key, String(value)])) : {};
  const secrets = [...new Set([...ownSecrets, ...agent.secrets])];
  const env = { ...agent.env, ...ownEnv, ...envOptions };
  await agentsFile.update(agent.name, { entry: agent.entry, secrets, ...(Object.keys(env).length > 0 ? { env } : {}) });
  return { description: typeof existing.description === 'string' ? existing.description : agent.description, secrets, env };
}

/** Staging folders are `agents/.adding-<name>-<pid>`: hidden, and never a valid agent name. */
const STAGING_PREFIX = '.adding-';

/** Removes the staging folders of earlier adds of `name` whose process is gone (interrupted by Ctrl-C, say). */
async function removeAbandonedStaging(agentsRoot: string, name: string): Promise<void> {
  for (const entry of await readdir(agentsRoot)) {
    const pid = Number(entry.startsWith(`${STAGING_PREFIX}${name}-`) ? entry.slice(`${STAGING_PREFIX}${name}-`.length) : NaN);
    if (Number.isInteger(pid) && pid > 0 && !isRunning(pid)) await rm(join(agentsRoot, entry), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Refuses a source folder inside the agent's place in the home, or the other way round (`--force` would delete it). */
async function assertApart(source: string, dir: string): Promise<void> {
  const real = await realpath(source);
  const target = await realpath(dirname(dir)).then((parent) => join(parent, basename(dir)), () => resolve(dir));
  const inside = (path: string, parent: string) => path === parent || path.startsWith(parent + sep);
  if (inside(real, target) || inside(target, real)) {
    throw new CliError('usage', `${source} is the agent's own folder in the home (${dir}), or holds it; add a folder from elsewhere, e.g. a copy of it.`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
