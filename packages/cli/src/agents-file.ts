import { readFile, writeFile } from 'node:fs/promises';
import { isMap, isSeq, parseDocument, type Document, YAMLMap, YAMLSeq } from 'yaml';
import { CliError } from './cli-error.js';

// Atop a new agents.yaml: what each field means, in the file itself, since
// users edit it by hand and have no other document of it at hand. The daemon
// checks the file (packages/daemon/src/agents-config.ts); a test keeps this
// list equal to the fields it accepts.
const HEADER = `# Opperator agents: one entry per agent under \`agents:\`. Only name is required.
#   name               a-z, 0-9, - and _ (its folder is agents/NAME next to this file)
#   description        shown by \`opperator agent list\` and in the terminal UI
#   entry              the agent's file in its folder (default agent.ts)
#   env                variables for the agent, e.g. { LOG_LEVEL: info }
#   secrets            secrets it may read, e.g. [gmail_client_id] (opperator secret set NAME)
#   auto_restart       restart it when it crashes (default true)
#   max_restarts       restarts allowed within restart_window_s; 0 never restarts (default 5)
#   restart_window_s   the window max_restarts counts in, in seconds (default 300)
#   start_with_daemon  start it with the daemon (default false)
#   isolate            run it under bubblewrap, seeing only its folder and the system (default false)
#   token_store        where its sign-ins keep tokens: a path, redis://… or postgres://… (default token.json)
#                      (a token_store: line above agents: is every agent's default)
#   mcp                what MCP clients see (opperator mcp): { hidden: true } hides the agent,
#                      { hide_commands: [purge] } only those commands (default: everything but hidden commands)
# After an edit: opperator agent restart NAME. Commands: opperator help agent
`;

/**
 * Edits agents.yaml in place, keeping the user's comments and formatting
 * (the `yaml` document API), for bootstrap, add and delete.
 */
export class AgentsFile {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** Names of the agents in the file. */
  async names(): Promise<string[]> {
    const seq = (await this.#load()).get('agents');
    if (!isSeq(seq)) return [];
    return seq.items.flatMap((item) => (isMap(item) && typeof item.get('name') === 'string' ? [item.get('name') as string] : []));
  }

  /**
   * The agents whose `env:` sets `OPPERATOR_EMULATE`, with its value: their
   * well-known providers are emulated, not real.
   */
  async emulated(): Promise<Array<{ name: string; emulator: string }>> {
    return (await this.envSettings(['OPPERATOR_EMULATE'])).map(({ name, env }) => ({ name, emulator: env.OPPERATOR_EMULATE ?? '' }));
  }

  /**
   * Where each agent's sign-ins keep tokens when agents.yaml says
   * (`token_store`, its own or the file's default), as written: callers
   * redact it before showing it (`redactStoreLocation`).
   *
   * @example
   * ```ts
   * await agentsFile.tokenStores(); // [{ name: 'mail', location: 'redis://cache:6379/0' }]
   * ```
   */
  async tokenStores(): Promise<Array<{ name: string; location: string }>> {
    const document = await this.#load();
    const fallback = document.get('token_store');
    const seq = document.get('agents');
    if (!isSeq(seq)) return [];
    return seq.items.flatMap((item) => {
      if (!isMap(item)) return [];
      const name = item.get('name');
      const own = item.get('token_store');
      const location = typeof own === 'string' && own.trim() ? own.trim() : typeof fallback === 'string' && fallback.trim() ? fallback.trim() : undefined;
      return typeof name === 'string' && location ? [{ name, location }] : [];
    });
  }

  /**
   * The agents whose `env:` sets any of `variables` (to a non-empty string),
   * with those values; their own setting wins over what the daemon passes on.
   *
   * @example
   * ```ts
   * await agentsFile.envSettings(['BROWSER']); // [{ name: 'mail', env: { BROWSER: 'w3m' } }]
   * ```
   */
  async envSettings(variables: readonly string[]): Promise<Array<{ name: string; env: Record<string, string> }>> {
    const seq = (await this.#load()).get('agents');
    if (!isSeq(seq)) return [];
    return seq.items.flatMap((item) => {
      if (!isMap(item)) return [];
      const name = item.get('name');
      const env = item.get('env');
      const set = isMap(env) ? variables.flatMap((variable) => (typeof env.get(variable) === 'string' && env.get(variable) !== '' ? [[variable, env.get(variable) as string]] : [])) : [];
      return typeof name === 'string' && set.length > 0 ? [{ name, env: Object.fromEntries(set) }] : [];
    });
  }

  /** Appends an agent entry. */
  async add(entry: Record<string, unknown>): Promise<void> {
    const document = await this.#load();
    let seq = document.get('agents');
    if (!isSeq(seq)) {
      seq = new YAMLSeq();
      document.set('agents', seq);
    }
    // Block style ("- name: ..."), even when the file said `agents: []`.
    (seq as YAMLSeq).flow = false;
    const node = document.createNode(entry);
    node.flow = false;
    (seq as YAMLSeq).add(node);
    await writeFile(this.path, document.toString(), { mode: 0o600 });
  }

  /**
   * The entry named `name` as plain values, or undefined when there is none.
   *
   * @example
   * ```ts
   * (await agentsFile.entry('mail'))?.secrets; // ['mail_client_id']
   * ```
   */
  async entry(name: string): Promise<Record<string, unknown> | undefined> {
    const node = findEntry(await this.#load(), name);
    return node ? (node.toJSON() as Record<string, unknown>) : undefined;
  }

  /**
   * Sets `fields` on the entry named `name`, keeping its other fields, its
   * place in the list and its comments. False when there is no such entry.
   *
   * @example
   * ```ts
   * await agentsFile.update('mail', { secrets: ['mail_client_id'], env: { LOG_LEVEL: 'debug' } });
   * ```
   */
  async update(name: string, fields: Record<string, unknown>): Promise<boolean> {
    const document = await this.#load();
    const node = findEntry(document, name);
    if (!node) return false;
    for (const [key, value] of Object.entries(fields)) node.set(key, document.createNode(value));
    await writeFile(this.path, document.toString(), { mode: 0o600 });
    return true;
  }

  /** Removes the entry named `name`; false when there was none. */
  async remove(name: string): Promise<boolean> {
    const document = await this.#load();
    const seq = document.get('agents');
    if (!isSeq(seq)) return false;
    const index = seq.items.findIndex((item) => item instanceof YAMLMap && item.get('name') === name);
    if (index < 0) return false;
    seq.delete(index);
    await writeFile(this.path, document.toString(), { mode: 0o600 });
    return true;
  }

  async #load(): Promise<Document> {
    const text = await readFile(this.path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return `${HEADER}agents: []\n`;
      throw err;
    });
    const document = parseDocument(text);
    if (document.errors.length > 0) {
      throw new CliError('usage', `${this.path} is not valid YAML (${document.errors[0]?.message.split('\n')[0]}); fix it, then run the command again.`);
    }
    return document;
  }
}

function findEntry(document: Document, name: string): YAMLMap | undefined {
  const seq = document.get('agents');
  if (!isSeq(seq)) return undefined;
  return seq.items.find((item): item is YAMLMap => item instanceof YAMLMap && item.get('name') === name);
}
