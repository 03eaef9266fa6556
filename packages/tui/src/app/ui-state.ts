/**
 * What the user has chosen on screen, apart from the daemon's data: the
 * selected agent, the main pane, open overlays, collapsed sections, log
 * filter. Changed only through {@link reduceUi}, so every key's effect is a
 * pure, testable step.
 */
export interface UiState {
  selectedAgent?: string;
  mainPane: 'logs' | 'tasks';
  /** The part of the screen ↑↓ and PgUp/PgDn act on: the agent list, the sidebar's focused section, or the main pane. */
  focus: UiFocus;
  /** The task selected in the tasks pane; none means the newest. */
  selectedTaskId?: string;
  /** First content line shown of the focused section (when it is longer than its rows). */
  sectionScrollTop: number;
  overlay: { kind: 'none' } | { kind: 'help' } | { kind: 'confirm-stop'; agent: string } | { kind: 'task'; taskId: string; scrollTop: number };
  /** Collapse choices by `<agent>/<section id>`; remembered across runs by the caller. */
  collapsed: Readonly<Record<string, boolean>>;
  /** Index of the focused section of the selected agent. */
  focusedSection: number;
  logLevel: 'debug' | 'info' | 'warning' | 'error';
  followLogs: boolean;
  /** Only log lines containing this (case-insensitive); empty for all. */
  logSearch: string;
  /** True while the search text is being typed. */
  searchingLogs: boolean;
  /** First log line shown while not following. */
  logScrollTop: number;
}

/** Where ↑↓ and PgUp/PgDn act, left to right on screen. */
export type UiFocus = 'agents' | 'sections' | 'main';

/** The focus order ←/→ move through. */
export const FOCUS_ORDER: readonly UiFocus[] = ['agents', 'sections', 'main'];

/** A user intent, as keys produce it. */
export type UiAction =
  | { type: 'select-agent'; delta: 1 | -1; agents: readonly string[] }
  | { type: 'ensure-selection'; agents: readonly string[] }
  | { type: 'switch-pane' }
  | { type: 'focus-section'; delta: 1 | -1; count: number }
  | { type: 'move-focus'; delta: 1 | -1 }
  | { type: 'set-focus'; focus: UiFocus }
  | { type: 'select-task'; delta: number; taskIds: readonly string[] }
  | { type: 'select-newest-task' }
  | { type: 'scroll-section'; delta: number; maxTop: number }
  | { type: 'open-task'; taskId: string }
  | { type: 'scroll-task'; delta: number; maxTop: number }
  | { type: 'toggle-section'; sectionId: string | undefined; collapsedByAgent: boolean }
  | { type: 'cycle-log-level' }
  | { type: 'toggle-follow' }
  | { type: 'start-search' }
  | { type: 'edit-search'; text: string; done?: boolean }
  | { type: 'clear-search' }
  | { type: 'scroll-logs'; delta: number; lines: number }
  | { type: 'open-help' }
  | { type: 'ask-stop' }
  | { type: 'close-overlay' };

/** Log levels in the order the filter cycles through them. */
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;

/** The UI before any key. */
export function initialUi(collapsed: Readonly<Record<string, boolean>> = {}): UiState {
  return {
    mainPane: 'logs',
    focus: 'agents',
    sectionScrollTop: 0,
    overlay: { kind: 'none' },
    collapsed,
    focusedSection: 0,
    logLevel: 'info',
    followLogs: true,
    logSearch: '',
    searchingLogs: false,
    logScrollTop: 0,
  };
}

/**
 * One step of the UI state.
 *
 * @example
 * ```ts
 * ui = reduceUi(ui, { type: 'switch-pane' }); // logs -> tasks
 * ```
 */
export function reduceUi(ui: UiState, action: UiAction): UiState {
  switch (action.type) {
    case 'ensure-selection':
      if (ui.selectedAgent && action.agents.includes(ui.selectedAgent)) return ui;
      return { ...ui, selectedAgent: action.agents[0], focusedSection: 0, sectionScrollTop: 0, selectedTaskId: undefined };
    case 'select-agent': {
      if (action.agents.length === 0) return ui;
      const index = Math.max(0, action.agents.indexOf(ui.selectedAgent ?? ''));
      const next = Math.min(action.agents.length - 1, Math.max(0, index + action.delta));
      if (action.agents[next] === ui.selectedAgent) return ui;
      return { ...ui, selectedAgent: action.agents[next], focusedSection: 0, sectionScrollTop: 0, selectedTaskId: undefined };
    }
    case 'switch-pane':
      return { ...ui, mainPane: ui.mainPane === 'logs' ? 'tasks' : 'logs' };
    case 'focus-section': {
      const focusedSection = action.count === 0 ? 0 : Math.min(action.count - 1, Math.max(0, ui.focusedSection + action.delta));
      return focusedSection === ui.focusedSection ? ui : { ...ui, focusedSection, sectionScrollTop: 0 };
    }
    case 'move-focus': {
      const index = FOCUS_ORDER.indexOf(ui.focus) + action.delta;
      return { ...ui, focus: FOCUS_ORDER[Math.min(FOCUS_ORDER.length - 1, Math.max(0, index))]! };
    }
    case 'set-focus':
      return { ...ui, focus: action.focus };
    case 'select-task': {
      // Ids come newest first; no selection stands for the newest.
      if (action.taskIds.length === 0) return ui;
      const index = Math.max(0, action.taskIds.indexOf(ui.selectedTaskId ?? ''));
      const next = Math.min(action.taskIds.length - 1, Math.max(0, index + action.delta));
      return { ...ui, selectedTaskId: action.taskIds[next] };
    }
    case 'select-newest-task':
      return { ...ui, selectedTaskId: undefined };
    case 'scroll-section':
      // From where the view is: content may have shrunk (or the terminal) since the offset was stored.
      return { ...ui, sectionScrollTop: clampTop(clampTop(ui.sectionScrollTop, action.maxTop) + action.delta, action.maxTop) };
    case 'open-task':
      return { ...ui, selectedTaskId: action.taskId, overlay: { kind: 'task', taskId: action.taskId, scrollTop: 0 } };
    case 'scroll-task':
      return ui.overlay.kind === 'task' ? { ...ui, overlay: { ...ui.overlay, scrollTop: clampTop(clampTop(ui.overlay.scrollTop, action.maxTop) + action.delta, action.maxTop) } } : ui;
    case 'toggle-section': {
      if (!ui.selectedAgent || !action.sectionId) return ui;
      const key = `${ui.selectedAgent}/${action.sectionId}`;
      return { ...ui, sectionScrollTop: 0, collapsed: { ...ui.collapsed, [key]: !(ui.collapsed[key] ?? action.collapsedByAgent) } };
    }
    case 'cycle-log-level':
      return { ...ui, logLevel: LOG_LEVELS[(LOG_LEVELS.indexOf(ui.logLevel) + 1) % LOG_LEVELS.length]! };
    case 'toggle-follow':
      return { ...ui, followLogs: !ui.followLogs };
    case 'start-search':
      return { ...ui, searchingLogs: true, mainPane: 'logs' };
    case 'edit-search':
      return { ...ui, logSearch: action.text, searchingLogs: action.done !== true };
    case 'clear-search':
      return { ...ui, logSearch: '', searchingLogs: false };
    case 'scroll-logs': {
      // Scrolling up leaves follow mode from where the view was; scrolling past the end resumes it.
      const from = ui.followLogs ? Math.max(0, action.lines - 1) : ui.logScrollTop;
      const top = Math.max(0, from + action.delta);
      return top >= action.lines ? { ...ui, followLogs: true, logScrollTop: 0 } : { ...ui, followLogs: false, logScrollTop: top };
    }
    case 'open-help':
      return { ...ui, overlay: { kind: 'help' } };
    case 'ask-stop':
      return ui.selectedAgent ? { ...ui, overlay: { kind: 'confirm-stop', agent: ui.selectedAgent } } : ui;
    case 'close-overlay':
      return { ...ui, overlay: { kind: 'none' } };
  }
}

/** A scroll offset kept within `[0, maxTop]`. */
function clampTop(top: number, maxTop: number): number {
  return Math.max(0, Math.min(Math.max(0, maxTop), top));
}
