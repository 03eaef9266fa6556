import { readFile, writeFile } from 'node:fs/promises';
import { isMap, isSeq, parseDocument, type Document, YAMLMap, YAMLSeq } from 'yaml';
import { CliError } from './cli-error.js';

const HEADER = '# Opperator agents: see SPEC §2 for the fields (name, description, entry, env, secrets, auto_restart, max_restarts, start_with_daemon).\n';

/**
 * Edits agents.yaml in place, keeping the user's comments and formatting
 * (the `yaml` document API), for bootstrap and delete.
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
    const seq = (await this.#load()).get('agents');
    if (!isSeq(seq)) return [];
    return seq.items.flatMap((item) => {
      if (!isMap(item)) return [];
      const name = item.get('name');
      const env = item.get('env');
      const emulator = isMap(env) ? env.get('OPPERATOR_EMULATE') : undefined;
      return typeof name === 'string' && typeof emulator === 'string' && emulator !== '' ? [{ name, emulator }] : [];
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
