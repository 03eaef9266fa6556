import type { DaemonSnapshot } from '../state/daemon-snapshot.js';
import type { SectionRow, TaskRow } from '../state/types.js';
import type { UiState } from './ui-state.js';

/** One value for "no sections", so the memoised sidebar is not re-rendered by a fresh empty array. */
export const NO_SECTIONS: readonly SectionRow[] = [];

/** What the UI state points at among the selected agent's sections and tasks. */
export interface Selection {
  /** The focused section (the index clamped to the sections there are). */
  focused: SectionRow | undefined;
  /** The selected task; none chosen (or one that is gone) means the newest. */
  selectedTask: TaskRow | undefined;
  /** The task whose details are open. */
  openedTask: TaskRow | undefined;
}

/**
 * An agent's tasks, newest first, as the tasks pane lists them.
 *
 * @example
 * ```ts
 * agentTasks(snapshot.tasks, 'invoice-monitor')[0]; // the newest task
 * ```
 */
export function agentTasks(tasks: readonly TaskRow[], agent: string | undefined): TaskRow[] {
  return tasks.filter((task) => task.agent === agent).sort((a, b) => b.createdAt - a.createdAt);
}

/**
 * An agent's sections from the snapshot.
 *
 * @example
 * ```ts
 * agentSections(snapshot, 'invoice-monitor'); // [{ id: 'gmail_auth', ... }]
 * ```
 */
export function agentSections(snapshot: DaemonSnapshot, agent: string | undefined): readonly SectionRow[] {
  return (agent && snapshot.sections[agent]) || NO_SECTIONS;
}

/**
 * The collapse choices of one agent, by section id (the UI keeps them by `<agent>/<id>`).
 *
 * @example
 * ```ts
 * agentCollapsed({ 'mail/inbox': true, 'other/x': true }, 'mail'); // { inbox: true }
 * ```
 */
export function agentCollapsed(collapsed: Readonly<Record<string, boolean>>, agent: string | undefined): Record<string, boolean> {
  const prefix = `${agent}/`;
  return Object.fromEntries(Object.entries(collapsed).flatMap(([key, value]) => (key.startsWith(prefix) ? [[key.slice(prefix.length), value]] : [])));
}

/**
 * What `ui` points at among `sections` and `tasks`. Key handlers call it with
 * the latest UI state, not the rendered one: keys typed ahead in one chunk
 * (`j` then `c`) must act on what the keys before them chose.
 *
 * @example
 * ```ts
 * const { selectedTask } = selectionOf(currentUi(), tasks, sections);
 * ```
 */
export function selectionOf(ui: UiState, tasks: readonly TaskRow[], sections: readonly SectionRow[]): Selection {
  const openedId = ui.overlay.kind === 'task' ? ui.overlay.taskId : undefined;
  return {
    focused: sections[Math.min(ui.focusedSection, Math.max(0, sections.length - 1))],
    selectedTask: tasks.find((task) => task.id === ui.selectedTaskId) ?? tasks[0],
    openedTask: openedId === undefined ? undefined : tasks.find((task) => task.id === openedId),
  };
}
