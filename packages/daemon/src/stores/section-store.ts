import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { JsonStateFile } from './json-state-file.js';
import { MAX_SECTION_BYTES, MAX_SECTIONS_PER_AGENT, StoreLimitError } from './store-limits.js';

export { MAX_SECTION_BYTES, MAX_SECTIONS_PER_AGENT } from './store-limits.js';

/** A sidebar section as the daemon keeps it. */
export interface StoredSection {
  id: string;
  title: string;
  content: string;
  collapsed: boolean;
  updatedAt: number;
}

/** A change of one agent's sections, as `watch` clients receive it. */
export type SectionChange = { agent: string; section: StoredSection } | { agent: string; removed: string } | { agent: string; cleared: true };

/**
 * Writes of one agent's sections file are at least this far apart. Sections
 * are served from memory; the file only carries them over a daemon restart,
 * and an atomic write (open, write, fsync, rename) per update cost the daemon
 * most of its CPU under an agent updating a section 1,000 times a second.
 * The daemon flushes on stop; a crash loses at most this much.
 */
export const SECTION_WRITE_INTERVAL_MS = 250;

/**
 * Sidebar sections per agent, persisted under `state/sections/<agent>.json`.
 * They survive agent and daemon restarts until the agent replaces or removes
 * them: stopping an agent does not wipe them.
 */
export class SectionStore {
  readonly #dir: string;
  readonly #cache = new Map<string, Promise<Map<string, StoredSection>>>();
  readonly #files = new Map<string, JsonStateFile<StoredSection[]>>();
  readonly #changes = new EventEmitter<{ change: [SectionChange] }>();

  constructor(stateDir: string) {
    this.#dir = join(stateDir, 'sections');
  }

  async list(agent: string): Promise<StoredSection[]> {
    return [...(await this.#sections(agent)).values()];
  }

  /** Calls `listener` after every change (in memory; the file follows). Returns the unsubscribe function. */
  onChange(listener: (change: SectionChange) => void): () => void {
    this.#changes.on('change', listener);
    return () => this.#changes.off('change', listener);
  }

  /**
   * Resolves once the change is on disk; the memory (what `list` and watchers
   * see) is updated before that. Rejects with a {@link StoreLimitError}
   * (nothing changed) for a section over {@link MAX_SECTION_BYTES}, or a new
   * one past {@link MAX_SECTIONS_PER_AGENT}.
   */
  async upsert(agent: string, section: Omit<StoredSection, 'updatedAt'>, now = Date.now()): Promise<void> {
    const bytes = Buffer.byteLength(section.title) + Buffer.byteLength(section.content);
    if (bytes > MAX_SECTION_BYTES) throw new StoreLimitError('DAEMON_SECTION_LIMIT', `section ${JSON.stringify(section.id)} is ${bytes} bytes; the limit is ${MAX_SECTION_BYTES}. It was not stored.`);
    const sections = await this.#sections(agent);
    if (!sections.has(section.id) && sections.size >= MAX_SECTIONS_PER_AGENT) {
      throw new StoreLimitError('DAEMON_SECTION_LIMIT', `section ${JSON.stringify(section.id)} would be section ${sections.size + 1} of this agent; the limit is ${MAX_SECTIONS_PER_AGENT}. Remove sections before adding others.`);
    }
    const stored = { ...section, updatedAt: now };
    sections.set(section.id, stored);
    this.#changes.emit('change', { agent, section: stored });
    await this.#file(agent).write([...sections.values()]);
  }

  async remove(agent: string, id: string): Promise<void> {
    const sections = await this.#sections(agent);
    if (!sections.delete(id)) return;
    this.#changes.emit('change', { agent, removed: id });
    await this.#file(agent).write([...sections.values()]);
  }

  /** Drops all sections of an agent (when the agent itself is deleted). */
  async clear(agent: string): Promise<void> {
    (await this.#sections(agent)).clear();
    this.#changes.emit('change', { agent, cleared: true });
    await this.#file(agent).write([]);
  }

  /** Writes every pending change now (the daemon's stop). */
  async flush(): Promise<void> {
    await Promise.all([...this.#files.values()].map((file) => file.flush()));
  }

  /** Loaded once per agent; concurrent first callers share the same map. */
  #sections(agent: string): Promise<Map<string, StoredSection>> {
    let sections = this.#cache.get(agent);
    if (!sections) {
      sections = this.#file(agent).read([]).then((stored) => new Map(stored.slice(0, MAX_SECTIONS_PER_AGENT).map((section) => [section.id, section])));
      this.#cache.set(agent, sections);
    }
    return sections;
  }

  #file(agent: string): JsonStateFile<StoredSection[]> {
    let file = this.#files.get(agent);
    if (!file) {
      file = new JsonStateFile(join(this.#dir, `${agent}.json`), { minIntervalMs: SECTION_WRITE_INTERVAL_MS });
      this.#files.set(agent, file);
    }
    return file;
  }
}
