import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { minimalAgentSource } from '../agent-templates/minimal.js';
import { minimalNextSteps, oauthNextSteps } from '../agent-templates/next-steps.js';
import { oauthAgentSource, oauthSecretNames } from '../agent-templates/oauth.js';
import { OAUTH_PROVIDER_CHOICES, resolveOAuthProvider, type OAuthTemplateProvider } from '../agent-templates/oauth-provider-choice.js';
import { CliError } from '../cli-error.js';
import { agentPaths, reloadDaemon } from './agent-files.js';

/** The templates `agent bootstrap --template` knows. */
export const AGENT_TEMPLATES = ['minimal', 'oauth'] as const;

const exists = (path: string) => access(path).then(() => true, () => false);

/**
 * docs/providers.md of this installation: the CLI bundle carries a copy
 * (dist/docs, written by scripts/build-cli.mjs), a checkout has the original;
 * searched upwards from this module, which may sit in a chunk folder.
 */
async function providersDoc(): Promise<string> {
  for (let dir = dirname(fileURLToPath(import.meta.url)), up = 0; up < 5; dir = dirname(dir), up += 1) {
    const path = join(dir, 'docs', 'providers.md');
    if (await exists(path)) return path;
  }
  return 'docs/providers.md in the opperator repository';
}

/** Checks the template/provider pair before anything is written; `--provider` alone means `--template oauth`. */
function chooseTemplate(options: { template?: string; provider?: string }): (typeof AGENT_TEMPLATES)[number] {
  const template = options.template ?? (options.provider === undefined ? 'minimal' : 'oauth');
  if (template === 'minimal') {
    if (options.provider !== undefined) throw new CliError('usage', `--provider is for --template oauth; the minimal template signs in nowhere. Use: --template oauth --provider ${options.provider}`);
    return template;
  }
  if (template === 'oauth') return template;
  throw new CliError('usage', `Unknown template ${JSON.stringify(template)}; use --template minimal or --template oauth --provider ${OAUTH_PROVIDER_CHOICES.join('|')}.`);
}

/** What {@link bootstrapAgent} made, for the CLI to print and `opperator mcp` to return. */
export interface BootstrappedAgent {
  name: string;
  /** The agent's folder. */
  dir: string;
  /** The secrets agents.yaml lets it read (the OAuth client's id and secret), empty for the minimal template. */
  secrets: string[];
  /** The useOAuth name of its sign-in (`authorize_<signIn>`), for the oauth template. */
  signIn?: string;
  /** The exact next commands, as `agent bootstrap` prints them. */
  nextSteps: string;
  /** Something to know about the provider (a preset's caveat). */
  warning?: string;
}

/**
 * Writes a runnable agent (agent.ts, and a package.json for its own
 * dependencies; the runtime provides `@opperator/sdk`), registers it in
 * agents.yaml (with the secrets it may read), and tells a running daemon.
 * Prints nothing; a bad template or provider, or a taken name, is a
 * `CliError` before anything is written.
 *
 * @example
 * ```ts
 * const { dir, nextSteps } = await bootstrapAgent('mail-watch', { template: 'oauth', provider: 'google' });
 * ```
 */
export async function bootstrapAgent(name: string, options: { template?: string; provider?: string }): Promise<BootstrappedAgent> {
  const template = chooseTemplate(options);
  const { dir, agentsFile } = agentPaths(name, { creating: true });
  // Usage errors (a bad --provider) come before conflicts, and before anything is written.
  const provider: OAuthTemplateProvider | undefined = template === 'oauth' ? await resolveOAuthProvider(options.provider, { providersDoc: await providersDoc() }) : undefined;
  if ((await agentsFile.names()).includes(name)) throw new CliError('conflict', `An agent named ${name} already exists in ${agentsFile.path}.`);
  if (await exists(dir)) throw new CliError('conflict', `${dir} already exists; pick another name or move that folder away.`);

  const secrets = provider ? oauthSecretNames(name, provider.oauthName) : undefined;

  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, 'agent.ts'), provider ? oauthAgentSource(name, provider) : minimalAgentSource(name));
  // Only for the agent's own dependencies: the runtime provides @opperator/sdk in the daemon's version.
  const manifest = { name, private: true, type: 'module', dependencies: {} };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await agentsFile.add({
    name,
    description: provider ? `${name} agent (signs in to ${provider.label})` : `${name} agent`,
    entry: 'agent.ts',
    secrets: secrets ? [secrets.clientId, secrets.clientSecret] : [],
    auto_restart: true,
    start_with_daemon: false,
  });
  await reloadDaemon();
  return {
    name,
    dir,
    secrets: secrets ? [secrets.clientId, secrets.clientSecret] : [],
    ...(provider ? { signIn: provider.oauthName } : {}),
    nextSteps: provider ? oauthNextSteps(name, dir, provider) : minimalNextSteps(name, dir),
    ...(provider?.warning ? { warning: provider.warning } : {}),
  };
}

/**
 * `opperator agent bootstrap NAME [--template minimal|oauth] [--provider P]`:
 * {@link bootstrapAgent}, then the exact next commands. Nothing written
 * names a path of this machine or installation.
 *
 * @example
 * ```ts
 * await agentBootstrap('mail-watch', { template: 'oauth', provider: 'google' });
 * ```
 */
export async function agentBootstrap(name: string, options: { template?: string; provider?: string }): Promise<void> {
  const made = await bootstrapAgent(name, options);
  if (made.warning) process.stderr.write(`opperator: ${made.warning}\n`);
  process.stdout.write(made.nextSteps);
}
