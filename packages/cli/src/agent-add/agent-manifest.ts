import { readFile, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, normalize, sep } from 'node:path';
import { AGENT_NAME_PATTERN } from '@opperator/protocol';
import { assertSecretName, SECRET_NAME_RULE, SecretStoreError } from '@opperator/secrets';
import { CliError } from '../cli-error.js';

/** The entry file an agent folder has when its package.json names no other. */
export const DEFAULT_AGENT_ENTRY = 'agent.ts';

/** The keys the `opperator` field of an agent's package.json may hold. */
export const MANIFEST_KEYS = ['description', 'entry', 'secrets', 'env', 'authorize'] as const;

const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * What `agent add` learns from an agent folder: its entry file, the name it
 * is added under, and the defaults of its agents.yaml entry, taken from the
 * `opperator` field of its package.json (all optional):
 *
 * ```json
 * "opperator": {
 *   "description": "Watches Gmail for unread invoices",
 *   "entry": "agent.ts",
 *   "secrets": ["invoice_monitor_gmail_client_id", "invoice_monitor_gmail_client_secret"],
 *   "env": { "LOG_LEVEL": "info" },
 *   "authorize": "authorize_gmail"
 * }
 * ```
 */
export interface AgentFolder {
  /** The folder, absolute. */
  source: string;
  /** The entry file, relative to the folder. */
  entry: string;
  /** The agent name (`--name`, else package.json `name` without its scope, else the folder name). */
  name: string;
  /** `opperator.description`, else package.json `description`, else "NAME agent". */
  description: string;
  /** The secrets the agent may read. */
  secrets: string[];
  /** Its environment in agents.yaml by default (`opperator.env`). */
  env: Record<string, string>;
  /** The command that signs it in, for the next steps (`opperator.authorize`). */
  authorize: string | undefined;
  /** The parsed package.json, when the folder has one. */
  packageJson: Record<string, unknown> | undefined;
}

/** Options of {@link readAgentFolder}. */
export interface ReadAgentFolderOptions {
  /** `--name`: the agent name to use instead of the derived one. */
  name?: string;
}

const isFile = (path: string) => stat(path).then((info) => info.isFile(), () => false);

/**
 * Reads and checks an agent folder before anything is written: it exists,
 * has its entry file, its package.json (if any) parses, its `opperator`
 * field is well formed, and the name is one agents.yaml accepts. Every
 * failure says what to change.
 *
 * @example
 * ```ts
 * const folder = await readAgentFolder(resolve('examples/invoice-monitor'));
 * folder.secrets; // ['invoice_monitor_gmail_client_id', 'invoice_monitor_gmail_client_secret']
 * ```
 */
export async function readAgentFolder(source: string, options: ReadAgentFolderOptions = {}): Promise<AgentFolder> {
  const info = await stat(source).catch(() => undefined);
  if (!info) throw new CliError('notFound', `${source} does not exist; give the path of an agent folder (one holding agent.ts), e.g. opperator agent add ./my-agent`);
  if (!info.isDirectory()) throw new CliError('usage', `${source} is a file; give the folder that holds it: opperator agent add ${JSON.stringify(join(source, '..'))}`);

  const packageJson = await readPackageJson(join(source, 'package.json'));
  const manifest = readManifest(packageJson, join(source, 'package.json'));
  const entry = manifest.entry ?? DEFAULT_AGENT_ENTRY;
  if (!(await isFile(join(source, entry)))) {
    throw new CliError('usage', `${source} has no ${entry}: an agent folder needs its entry file (agent.ts, or the file named by "opperator.entry" in its package.json). Start one with: opperator agent bootstrap NAME`);
  }
  const name = options.name ?? derivedName(packageJson, source);
  if (!AGENT_NAME_PATTERN.test(name)) {
    const from = options.name !== undefined ? '--name' : typeof packageJson?.name === 'string' ? 'the name in its package.json' : 'the folder name';
    throw new CliError('usage', `${JSON.stringify(name)} (${from}) is not a valid agent name: use lowercase letters, digits, "_" and "-", starting with a letter or digit. Choose one with: opperator agent add ${JSON.stringify(source)} --name NAME`);
  }
  const packageDescription = typeof packageJson?.description === 'string' ? packageJson.description : undefined;
  return {
    source,
    entry,
    name,
    description: manifest.description ?? packageDescription ?? `${name} agent`,
    secrets: manifest.secrets ?? [],
    env: manifest.env ?? {},
    authorize: manifest.authorize,
    packageJson,
  };
}

async function readPackageJson(path: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError('failure', `Cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CliError('usage', `${path} is not valid JSON (${(err as Error).message}); fix it, then run the command again.`, { cause: err });
  }
  if (!isRecord(parsed)) throw new CliError('usage', `${path} must hold a JSON object; fix it, then run the command again.`);
  return parsed;
}

/** The `opperator` field, checked key by key; a mistake names the key and what it must be. */
function readManifest(packageJson: Record<string, unknown> | undefined, path: string): Partial<Omit<AgentFolder, 'source' | 'name' | 'packageJson'>> {
  const field = packageJson?.opperator;
  if (field === undefined) return {};
  const fail = (what: string) => new CliError('usage', `${path}: "opperator"${what}. Fix it (see "opperator agent add" in docs/cli.md), then run the command again.`);
  if (!isRecord(field)) throw fail(' must be an object');
  const unknown = Object.keys(field).filter((key) => !(MANIFEST_KEYS as readonly string[]).includes(key));
  if (unknown.length > 0) throw fail(` has unknown key ${JSON.stringify(unknown[0])}; the keys are ${MANIFEST_KEYS.join(', ')}`);
  const { description, entry, secrets, env, authorize } = field;
  if (description !== undefined && typeof description !== 'string') throw fail('.description must be a string');
  if (authorize !== undefined && (typeof authorize !== 'string' || authorize === '')) throw fail('.authorize must be a command name');
  if (entry !== undefined && (typeof entry !== 'string' || !isInside(entry))) throw fail('.entry must be a file path inside the agent folder, like "agent.ts"');
  if (secrets !== undefined && !(Array.isArray(secrets) && secrets.every((name) => typeof name === 'string' && isSecretName(name)))) {
    throw fail(`.secrets must be a list of secret names (${SECRET_NAME_RULE})`);
  }
  if (env !== undefined && !(isRecord(env) && Object.entries(env).every(([key, value]) => ENV_NAME_PATTERN.test(key) && ['string', 'number', 'boolean'].includes(typeof value)))) {
    throw fail('.env must map environment variable names to strings, numbers or booleans');
  }
  return {
    ...(description !== undefined ? { description } : {}),
    ...(entry !== undefined ? { entry: normalize(entry) } : {}),
    ...(secrets !== undefined ? { secrets: [...new Set(secrets as string[])] } : {}),
    ...(env !== undefined ? { env: Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value)])) } : {}),
    ...(authorize !== undefined ? { authorize } : {}),
  };
}

/**
 * `--env KEY=VALUE` options as a map (later ones win); a malformed one is a
 * usage error naming it.
 *
 * @example
 * ```ts
 * parseEnvOptions(['INVOICE_MONITOR_PROVIDER=sandbox']); // { INVOICE_MONITOR_PROVIDER: 'sandbox' }
 * ```
 */
export function parseEnvOptions(options: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const option of options) {
    const at = option.indexOf('=');
    const key = at < 0 ? option : option.slice(0, at);
    if (at < 0 || !ENV_NAME_PATTERN.test(key)) {
      throw new CliError('usage', `--env ${JSON.stringify(option)} is not KEY=VALUE with KEY an environment variable name; e.g. --env INVOICE_MONITOR_PROVIDER=sandbox`);
    }
    env[key] = option.slice(at + 1);
  }
  return env;
}

/** package.json `name` without its scope (`@acme/mail-watch` → `mail-watch`), else the folder name. */
function derivedName(packageJson: Record<string, unknown> | undefined, source: string): string {
  return typeof packageJson?.name === 'string' && packageJson.name !== '' ? packageJson.name.replace(/^@[^/]+\//, '') : basename(source);
}

function isSecretName(name: string): boolean {
  try {
    assertSecretName(name);
    return true;
  } catch (err) {
    // Its message names the rule only; the caller's names the field too.
    if (err instanceof SecretStoreError && err.code === 'SECRET_INVALID_NAME') return false;
    throw err;
  }
}

/** A relative path that stays inside the folder. */
function isInside(path: string): boolean {
  const normalized = normalize(path);
  return path !== '' && !isAbsolute(path) && normalized !== '..' && !normalized.startsWith(`..${sep}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
