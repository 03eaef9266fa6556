import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AGENT_NAME_PATTERN } from '@opperator/protocol';
import { JsonStateFile } from './stores/json-state-file.js';

/** The largest wanted-agents file read; a bigger one is treated as corrupt (it holds names only). */
export const WANTED_AGENTS_MAX_BYTES = 1024 * 1024;
/** The most names kept in it. */
export const WANTED_AGENTS_MAX_COUNT = 10_000;

const fileSchema = z.object({
  version: z.literal(1),
  running: z.array(z.string().regex(AGENT_NAME_PATTERN)).max(WANTED_AGENTS_MAX_COUNT),
});

/** The wanted-agents file as written: which agents the user wants running. */
export type WantedAgentsFile = z.infer<typeof fileSchema>;

/** Options of {@link WantedAgents}. */
export interface WantedAgentsOptions {
  /** Where problems go (an unreadable file, a failed write); the daemon's stderr by default. */
  warn?: (message: string) => void;
}

/**
 * Which agents the user wants running, kept across daemon restarts (as pm2's
 * save/resurrect does, but always current: every change is written at once,
 * atomically). Only the user's own actions change it: `agent start` and
 * `agent restart` add an agent, `agent stop` removes it; the daemon stopping
 * its agents as it shuts down, or an agent crashing, leaves it alone. An
 * agent the supervisor gave up on therefore stays wanted, and is tried again
 * at the next daemon start.
 *
 * A missing file means nothing is wanted yet; a corrupt one is reported
 * through `warn` and read as empty, never thrown.
 *
 * @example
 * ```ts
 * const wanted = new WantedAgents(config.wantedAgentsFile);
 * await wanted.load();
 * await wanted.add('invoice-monitor'); // the user started it
 * wanted.has('invoice-monitor'); // true, also after the daemon restarts
 * ```
 */
export class WantedAgents {
  readonly path: string;
  readonly #file: JsonStateFile<WantedAgentsFile>;
  readonly #warn: (message: string) => void;
  #names = new Set<string>();

  constructor(path: string, options: WantedAgentsOptions = {}) {
    this.path = path;
    this.#file = new JsonStateFile(path);
    this.#warn = options.warn ?? ((message) => process.stderr.write(`opperator daemon: ${message}\n`));
  }

  /** Reads the file; resolves to the names read (empty when missing or corrupt, with a warning for the latter). */
  async load(): Promise<ReadonlySet<string>> {
    this.#names = new Set(await this.#read());
    return this.#names;
  }

  /** Whether the user wants `name` running. */
  has(name: string): boolean {
    return this.#names.has(name);
  }

  /** The wanted names, sorted. */
  get names(): string[] {
    return [...this.#names].sort();
  }

  /** The user wants `name` running; written before this resolves. */
  add(name: string): Promise<void> {
    if (this.#names.has(name)) return Promise.resolve();
    this.#names.add(name);
    return this.#save();
  }

  /** The user stopped `name`; written before this resolves. */
  delete(name: string): Promise<void> {
    if (!this.#names.delete(name)) return Promise.resolve();
    return this.#save();
  }

  /** Forgets every name not in `known` (agents removed from agents.yaml). */
  retain(known: ReadonlySet<string>): Promise<void> {
    const before = this.#names.size;
    this.#names = new Set([...this.#names].filter((name) => known.has(name)));
    return this.#names.size === before ? Promise.resolve() : this.#save();
  }

  /** Resolves when every change so far is on disk. */
  flush(): Promise<void> {
    return this.#file.flush();
  }

  async #read(): Promise<string[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      this.#warn(`cannot read ${this.path} (${err instanceof Error ? err.message : String(err)}); starting only the agents marked start_with_daemon`);
      return [];
    }
    const problem = text.length > WANTED_AGENTS_MAX_BYTES ? `it is larger than ${WANTED_AGENTS_MAX_BYTES} bytes` : parseProblem(text);
    if (typeof problem === 'string') {
      this.#warn(`${this.path} is not a valid list of the agents left running (${problem}); starting only the agents marked start_with_daemon. It is rewritten at the next agent start or stop.`);
      return [];
    }
    return problem.running;
  }

  /** Writes the current set; a failed write is reported, never thrown: the user's start or stop itself succeeded. */
  async #save(): Promise<void> {
    try {
      await this.#file.write({ version: 1, running: this.names });
    } catch (err) {
      this.#warn(`cannot save which agents are wanted running to ${this.path} (${err instanceof Error ? err.message : String(err)}); after a daemon restart they may not come back as they were`);
    }
  }
}

/** The parsed file, or what is wrong with it. */
function parseProblem(text: string): WantedAgentsFile | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return `not JSON: ${err instanceof Error ? err.message : String(err)}`;
  }
  const parsed = fileSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return issue ? `${issue.path.join('.') || 'the document'}: ${issue.message}` : 'unexpected content';
}
