import type { SectionChange } from './stores/section-store.js';
import type { TaskRecord } from './stores/task-store.js';

/**
 * How long a `watch` stream gathers changes before sending them: one 60 Hz
 * frame, counted from the first change queued. A screen cannot show more than
 * one state per frame, so intermediate states inside it are not worth sending.
 */
export const WATCH_WINDOW_MS = 16;

/** One event of the `watch` stream, as the client receives it. */
export type WatchEvent<Row = unknown> = { agents: readonly Row[] } | { section: SectionChange } | { task: TaskRecord };

/** Seams of {@link WatchStream}. */
export interface WatchStreamOptions {
  /** The gathering window; defaults to {@link WATCH_WINDOW_MS}. */
  windowMs?: number;
  /** Closes the stream (timer cancelled, pending events dropped) when it aborts: the client went away. */
  signal?: AbortSignal;
}

interface Pending {
  event: WatchEvent;
  /** Set for section events, so a `cleared` can drop the agent's pending ones. */
  agent?: string;
}

/**
 * Buffers one watcher's events and sends them in one batch per window,
 * keeping only what a client needs to reach the same final state:
 *
 * - a section upsert replaces a pending upsert of the same (agent, id), in its place;
 * - `removed` drops the pending upsert of that section and is sent;
 * - `cleared` drops every pending section event of that agent and is sent;
 * - a task record replaces a pending record of the same task; agent rows replace pending rows.
 *
 * Applying the sent events in order gives the same state as applying every
 * original event in order; only intermediate states are skipped.
 *
 * @example
 * ```ts
 * const stream = new WatchStream((events) => context.emitAll(events), { signal: context.signal });
 * const stop = sections.onChange((change) => stream.push({ section: change }));
 * ```
 */
export class WatchStream {
  readonly #send: (events: WatchEvent[]) => void;
  readonly #windowMs: number;
  // A Map keeps insertion order, and `set` on an existing key keeps the place:
  // a replaced upsert stays where the section first appeared, as the client would list it.
  readonly #pending = new Map<string, Pending>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #unkeyed = 0;

  /** `send` gets each batch, oldest first; it is never called with an empty batch nor after close. */
  constructor(send: (events: WatchEvent[]) => void, options: WatchStreamOptions = {}) {
    this.#send = send;
    this.#windowMs = options.windowMs ?? WATCH_WINDOW_MS;
    const { signal } = options;
    if (signal?.aborted) this.close();
    else signal?.addEventListener('abort', () => this.close(), { once: true });
  }

  /** Events waiting for the window to end. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Queues an event; the first one of a window starts its timer. Ignored once closed. */
  push(event: WatchEvent): void {
    if (this.#closed) return;
    if ('agents' in event) this.#pending.set('agents', { event });
    else if ('task' in event) this.#pending.set(JSON.stringify(['task', event.task.id]), { event });
    else this.#pushSection(event.section);
    this.#timer ??= setTimeout(() => this.flush(), this.#windowMs);
  }

  /** Sends what is pending now and ends the window. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const events = [...this.#pending.values()].map((pending) => pending.event);
    this.#pending.clear();
    this.#send(events);
  }

  /** Cancels the timer and drops what is pending; later pushes are ignored. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }

  #pushSection(change: SectionChange): void {
    const { agent } = change;
    if ('section' in change) {
      this.#pending.set(sectionKey(agent, change.section.id), { event: { section: change }, agent });
      return;
    }
    if ('removed' in change) {
      this.#pending.delete(sectionKey(agent, change.removed));
    } else {
      for (const [key, pending] of this.#pending) if (pending.agent === agent) this.#pending.delete(key);
    }
    // Removals and clears are never merged: each one must land after what came before it.
    this.#pending.set(`#${this.#unkeyed++}`, { event: { section: change }, agent });
  }
}

// JSON keeps agent and id apart whatever characters they hold.
function sectionKey(agent: string, id: string): string {
  return JSON.stringify(['section', agent, id]);
}

/** Where the changes of a `watch` stream come from; each `on…` returns its unsubscribe. */
export interface WatchSources<Row = unknown> {
  agentRows(): readonly Row[];
  onAgentsChange(listener: () => void): () => void;
  onSectionChange(listener: (change: SectionChange) => void): () => void;
  onTaskChange(listener: (task: TaskRecord) => void): () => void;
}

/**
 * Serves one `watch` request: `{agents}` at once, then every change a UI
 * shows (agent states, `{section}` upserted, removed or cleared, `{task}`)
 * until the client goes away (`signal`). After the first message, changes
 * are coalesced per window by a {@link WatchStream}: an agent updating a
 * section a thousand times a second must not cost every watcher a thousand
 * messages.
 *
 * @example
 * ```ts
 * watch: async (_params, context) => serveWatch(context, sources),
 * ```
 */
export async function serveWatch(context: { emit(event: WatchEvent): void; emitAll(events: readonly WatchEvent[]): void; signal: AbortSignal }, sources: WatchSources): Promise<{ watched: true }> {
  context.emit({ agents: sources.agentRows() });
  const stream = new WatchStream((events) => context.emitAll(events), { signal: context.signal });
  const unsubscribe = [
    sources.onAgentsChange(() => stream.push({ agents: sources.agentRows() })),
    sources.onSectionChange((change) => stream.push({ section: change })),
    sources.onTaskChange((task) => stream.push({ task })),
  ];
  if (!context.signal.aborted) await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
  for (const stop of unsubscribe) stop();
  return { watched: true };
}
