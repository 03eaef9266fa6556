import type { AgentRow, SectionRow, TaskRow } from './types.js';

/** Tasks kept per snapshot; older finished ones drop off (the daemon keeps its own history). */
export const MAX_TASKS_KEPT = 200;

/**
 * Everything the daemon has told the TUI so far: agents, every agent's
 * sections, and tasks. Immutable: each change returns a new snapshot, so
 * React sees it, and unchanged parts keep their identity.
 */
export interface DaemonSnapshot {
  agents: readonly AgentRow[];
  /** Sections per agent name, in the order the agent registered them. */
  sections: Readonly<Record<string, readonly SectionRow[]>>;
  /** Newest first. */
  tasks: readonly TaskRow[];
}

/** The snapshot before anything arrived. */
export const EMPTY_SNAPSHOT: DaemonSnapshot = Object.freeze({ agents: [], sections: {}, tasks: [] });

/** One event of the daemon's `watch` stream (docs/protocol.md). */
export type WatchEvent =
  | { agents: AgentRow[] }
  | { section: { agent: string; section: SectionRow } | { agent: string; removed: string } | { agent: string; cleared: true } }
  | { task: TaskRow };

/**
 * Applies one `watch` event. Unknown event shapes are ignored, so a newer
 * daemon that streams more does not break an older TUI.
 *
 * @example
 * ```ts
 * snapshot = applyWatchEvent(snapshot, { task: record });
 * ```
 */
export function applyWatchEvent(snapshot: DaemonSnapshot, event: Record<string, unknown>): DaemonSnapshot {
  if (Array.isArray(event.agents)) return { ...snapshot, agents: event.agents as AgentRow[] };
  if (event.section && typeof event.section === 'object') return applySectionChange(snapshot, event.section as Extract<WatchEvent, { section: unknown }>['section']);
  if (event.task && typeof event.task === 'object') return applyTask(snapshot, event.task as TaskRow);
  return snapshot;
}

/**
 * Puts the sections of `agent` as listed by `agent.sections` (the state
 * before the watch started) unless the watch already delivered newer ones.
 *
 * @example
 * ```ts
 * snapshot = withSections(snapshot, 'invoice-monitor', await client.request('agent.sections', { name }));
 * ```
 */
export function withSections(snapshot: DaemonSnapshot, agent: string, listed: readonly SectionRow[]): DaemonSnapshot {
  const known = new Map((snapshot.sections[agent] ?? []).map((s) => [s.id, s]));
  const merged = listed.map((s) => {
    const seen = known.get(s.id);
    return seen && seen.updatedAt >= s.updatedAt ? seen : s;
  });
  for (const [id, section] of known) if (!listed.some((s) => s.id === id)) merged.push(section);
  return { ...snapshot, sections: { ...snapshot.sections, [agent]: merged } };
}

/**
 * Puts tasks listed by `task.list`, keeping any newer record the watch
 * already delivered.
 *
 * @example
 * ```ts
 * snapshot = withTasks(snapshot, await client.request('task.list'));
 * ```
 */
export function withTasks(snapshot: DaemonSnapshot, listed: readonly TaskRow[]): DaemonSnapshot {
  let next = snapshot;
  for (const task of [...listed].reverse()) {
    const seen = next.tasks.find((t) => t.id === task.id);
    if (!seen || seen.updatedAt < task.updatedAt) next = applyTask(next, task);
  }
  return next;
}

function applySectionChange(snapshot: DaemonSnapshot, change: Extract<WatchEvent, { section: unknown }>['section']): DaemonSnapshot {
  const current = snapshot.sections[change.agent] ?? [];
  let next: SectionRow[];
  if ('section' in change) {
    const index = current.findIndex((s) => s.id === change.section.id);
    next = index < 0 ? [...current, change.section] : current.map((s, i) => (i === index ? change.section : s));
  } else if ('removed' in change) {
    next = current.filter((s) => s.id !== change.removed);
  } else {
    next = [];
  }
  return { ...snapshot, sections: { ...snapshot.sections, [change.agent]: next } };
}

function applyTask(snapshot: DaemonSnapshot, task: TaskRow): DaemonSnapshot {
  // An ended task never runs again: a late record of it while running (an
  // older watch event, a listing taken before it ended) would bring back its
  // last progress ("Waiting for you to finish…") as if it still waited.
  const kept = snapshot.tasks.find((t) => t.id === task.id);
  if (kept && kept.state !== 'running' && (task.state === 'running' || task.updatedAt < kept.updatedAt)) return snapshot;
  const others = snapshot.tasks.filter((t) => t.id !== task.id);
  const tasks = [task, ...others].sort((a, b) => b.createdAt - a.createdAt);
  return { ...snapshot, tasks: tasks.slice(0, MAX_TASKS_KEPT) };
}
