import { useApp, useStdout } from 'ink';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { messageOf, type ConnectClient } from '../state/client.js';
import type { SectionRow, TaskRow } from '../state/types.js';
import { AppLayout, screenSizes, type AppOverlay } from '../views/AppLayout.js';
import { DEFAULT_SECTION_CONTENT_LINES, focusedScrollLimit, sectionLineCounts } from '../views/sidebar-plan.js';
import { taskDetailMaxTop } from '../views/TaskDetail.js';
import { useDisplaySettings } from '../display-context.js';
import { KEY_BINDINGS, keyIntent } from './keymap.js';
import { initialUi, reduceUi, type UiAction } from './ui-state.js';
import { useSyncState } from './useSyncState.js';
import { useAgentLogs } from './useAgentLogs.js';
import { useDaemonSnapshot } from './useDaemonSnapshot.js';
import { usePalette } from './usePalette.js';
import { useKeys } from './useKeys.js';
import { useMissingSecrets } from './useMissingSecrets.js';
import { useSecretForm, type SecretAccess } from './useSecretForm.js';
import { useSpinnerFrame } from './useSpinnerFrame.js';
import { typeInto } from './text-input.js';
import { useTerminalSize } from './useTerminalSize.js';

/** How long a notice ("started authorize_gmail") stays on the status line. */
export const NOTICE_MS = 4_000;

/** One value for "no sections", so the memoised sidebar is not re-rendered by a fresh empty array. */
const NO_SECTIONS: readonly SectionRow[] = [];

/** Log lines (or tasks) one PgUp/PgDn moves. */
export const LOG_PAGE_LINES = 10;

/** Newest first, as the tasks pane lists them. */
const newestFirst = (a: TaskRow, b: TaskRow): number => b.createdAt - a.createdAt;

/** Props of {@link App}. */
export interface AppProps {
  connect: ConnectClient;
  /** Collapse choices from the last run, by `<agent>/<section id>`. */
  initialCollapsed?: Readonly<Record<string, boolean>>;
  /** Called when the user collapses or expands a section, to remember it. */
  onCollapsedChange?: (collapsed: Record<string, boolean>) => void;
  /** Reading and storing secrets (the CLI's secret store); without it the form is not offered. */
  secrets?: SecretAccess;
}

/**
 * The TUI: daemon state from `watch`, the selected agent's logs, keys
 * turned into UI steps or daemon requests, drawn by `AppLayout`.
 *
 * @example
 * ```tsx
 * render(<App connect={connect} />);
 * ```
 */
export function App({ connect, initialCollapsed, onCollapsedChange, secrets }: AppProps): ReactNode {
  const { exit } = useApp();
  const { width, height } = useTerminalSize(useStdout().stdout);
  const { animate } = useDisplaySettings();
  const { snapshot, connection, error, client } = useDaemonSnapshot(connect);
  const [ui, setUi, currentUi] = useSyncState(() => initialUi(initialCollapsed));
  const dispatch = (action: UiAction) => setUi((previous) => reduceUi(previous, action));
  const [notice, setNotice] = useState<string | undefined>();
  // A notice says what just happened; after a while the standing hints (missing secrets) show again.
  useEffect(() => {
    if (notice === undefined) return;
    const timer = setTimeout(() => setNotice(undefined), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);
  const agentNames = useMemo(() => snapshot.agents.map((a) => a.name), [snapshot.agents]);
  useEffect(() => dispatch({ type: 'ensure-selection', agents: agentNames }), [agentNames]);
  useEffect(() => onCollapsedChange?.({ ...ui.collapsed }), [ui.collapsed, onCollapsedChange]);
  const logs = useAgentLogs(connect, ui.selectedAgent);
  const sections = (ui.selectedAgent && snapshot.sections[ui.selectedAgent]) || NO_SECTIONS;
  const tasks = useMemo(() => snapshot.tasks.filter((t) => t.agent === ui.selectedAgent).sort(newestFirst), [snapshot.tasks, ui.selectedAgent]);
  // No choice (or a task that is gone) means the newest, so a task just started is the selected one.
  const selectedTask = tasks.find((t) => t.id === ui.selectedTaskId) ?? tasks[0];
  const screen = screenSizes(width, height, snapshot.agents.length, tasks);
  const spinnerFrame = useSpinnerFrame(animate && tasks.some((t) => t.state === 'running'));
  const focused = sections[Math.min(ui.focusedSection, Math.max(0, sections.length - 1))];
  const selectedRow = snapshot.agents.find((a) => a.name === ui.selectedAgent);
  const missingSecrets = useMissingSecrets(secrets, selectedRow?.name, selectedRow?.secrets);
  const palette = usePalette(client, {
    onStarted: (command) => {
      setNotice(`Started ${command}; its progress is in the tasks pane.`);
      dispatch({ type: 'select-newest-task' });
      if (currentUi().mainPane !== 'tasks') dispatch({ type: 'switch-pane' });
    },
    onError: setNotice,
  });
  const secretForm = useSecretForm(secrets, { onDone: (saved, note) => setNotice(`Saved ${saved.length} secret${saved.length === 1 ? '' : 's'}.${note ? ` ${note}` : ''}`), onError: setNotice });

  const request = (method: string, agent: string, done: string) => {
    if (!client) return setNotice('Not connected to the daemon.');
    setNotice(undefined);
    client.request(method, { name: agent }).then(
      () => setNotice(done),
      (err: unknown) => setNotice(messageOf(err)),
    );
  };

  const collapsedSections = useMemo(
    () => Object.fromEntries(Object.entries(ui.collapsed).flatMap(([key, value]) => (key.startsWith(`${ui.selectedAgent}/`) ? [[key.slice(ui.selectedAgent!.length + 1), value]] : []))),
    [ui.collapsed, ui.selectedAgent],
  );
  // Scroll limits come from the same layout the views draw, so a key past the end does nothing.
  const sectionScrollLimit = () =>
    focusedScrollLimit({
      sections,
      lineCounts: sectionLineCounts(sections, screen.sizes.leftColumns),
      collapsed: collapsedSections,
      focusedId: focused?.id,
      height: screen.sizes.sidebarRows,
      maxContentLines: DEFAULT_SECTION_CONTENT_LINES,
    });
  const openedTask = ui.overlay.kind === 'task' ? tasks.find((t) => t.id === (ui.overlay as { taskId: string }).taskId) : undefined;

  useKeys((input, key) => {
    if (palette.handleKey(input, key) || secretForm.handleKey(input, key)) return;
    const ui = currentUi();
    if (ui.searchingLogs) {
      if (key.escape) return dispatch({ type: 'clear-search' });
      const { text, submit } = typeInto(ui.logSearch, input, key);
      return dispatch({ type: 'edit-search', text, done: submit });
    }
    const intent = keyIntent(input, key, ui);
    const agent = ui.selectedAgent;
    const taskIds = tasks.map((t) => t.id);
    const step = intent === 'up' || intent === 'page-up' ? -1 : 1;
    switch (intent) {
      case 'quit':
        return exit();
      case 'help':
        return dispatch({ type: 'open-help' });
      case 'close':
        return dispatch({ type: 'close-overlay' });
      case 'up':
      case 'down':
        if (ui.overlay.kind === 'task') return openedTask && dispatch({ type: 'scroll-task', delta: step, maxTop: taskDetailMaxTop(openedTask, screen.sizes.mainColumns, screen.sizes.bodyRows) });
        if (ui.focus === 'sections') return dispatch({ type: 'focus-section', delta: step, count: sections.length });
        if (ui.focus === 'main' && ui.mainPane === 'tasks') return dispatch({ type: 'select-task', delta: step, taskIds });
        if (ui.focus === 'main') return dispatch({ type: 'scroll-logs', delta: step, lines: logs.length });
        return dispatch({ type: 'select-agent', delta: step, agents: agentNames });
      case 'page-up':
      case 'page-down': {
        if (ui.overlay.kind === 'task') {
          const rows = Math.max(1, screen.sizes.bodyRows - 4);
          return openedTask && dispatch({ type: 'scroll-task', delta: step * rows, maxTop: taskDetailMaxTop(openedTask, screen.sizes.mainColumns, screen.sizes.bodyRows) });
        }
        if (ui.focus === 'sections') return dispatch({ type: 'scroll-section', delta: step * Math.max(1, screen.sizes.sidebarRows - 3), maxTop: sectionScrollLimit() });
        if (ui.focus === 'main' && ui.mainPane === 'tasks') return dispatch({ type: 'select-task', delta: step * LOG_PAGE_LINES, taskIds });
        return dispatch({ type: 'scroll-logs', delta: step * LOG_PAGE_LINES, lines: logs.length });
      }
      case 'focus-left':
      case 'focus-right':
        return dispatch({ type: 'move-focus', delta: intent === 'focus-left' ? -1 : 1 });
      case 'focus-agents':
      case 'focus-sections':
      case 'focus-main':
        return dispatch({ type: 'set-focus', focus: intent === 'focus-agents' ? 'agents' : intent === 'focus-sections' ? 'sections' : 'main' });
      case 'open-task':
        return selectedTask ? dispatch({ type: 'open-task', taskId: selectedTask.id }) : setNotice('No task to show: run one with /.');
      case 'switch-pane':
        return dispatch({ type: 'switch-pane' });
      case 'previous-section':
      case 'next-section':
        return dispatch({ type: 'focus-section', delta: intent === 'previous-section' ? -1 : 1, count: sections.length });
      case 'toggle-section':
        return dispatch({ type: 'toggle-section', sectionId: focused?.id, collapsedByAgent: focused?.collapsed ?? false });
      case 'search-logs':
        return dispatch({ type: 'start-search' });
      case 'cycle-log-level':
        return dispatch({ type: 'cycle-log-level' });
      case 'toggle-follow':
        return dispatch({ type: 'toggle-follow' });
      case 'start':
      case 'restart':
        if (agent) request(`agent.${intent}`, agent, `${agent}: ${intent === 'start' ? 'started' : 'restarted'}`);
        return;
      case 'ask-stop':
        return dispatch({ type: 'ask-stop' });
      case 'confirm-stop':
        if (ui.overlay.kind === 'confirm-stop') request('agent.stop', ui.overlay.agent, `${ui.overlay.agent}: stopped`);
        return dispatch({ type: 'close-overlay' });
      case 'palette':
        if (agent) palette.open(agent);
        return;
      case 'secrets':
        if (selectedRow) secretForm.open(selectedRow.name, selectedRow.secrets ?? []);
        return;
      case 'cancel-task': {
        // The selected task when it runs, else the newest running one.
        const running = selectedTask?.state === 'running' ? selectedTask : tasks.find((t) => t.state === 'running');
        if (!running || !client) return setNotice('No running task to cancel.');
        client.request('task.cancel', { id: running.id }).then(
          () => setNotice(`Cancelling ${running.command}.`),
          (err: unknown) => setNotice(messageOf(err)),
        );
        return;
      }
      case 'none':
        return;
    }
  });

  const overlay: AppOverlay = palette.palette
    ? { kind: 'palette', commands: palette.palette.commands, input: palette.palette.input, selectedIndex: palette.palette.selectedIndex, agent: palette.palette.agent, ...(palette.palette.error ? { error: palette.palette.error } : {}) }
    : secretForm.form
      ? { kind: 'secrets', ...secretForm.form }
      : ui.overlay.kind === 'help'
        ? { kind: 'help', bindings: KEY_BINDINGS }
        : ui.overlay.kind === 'confirm-stop'
          ? { kind: 'confirm', question: `Stop ${ui.overlay.agent}?` }
          : ui.overlay.kind === 'task' && openedTask
            ? { kind: 'task', task: openedTask, scrollTop: ui.overlay.scrollTop }
            : { kind: 'none' };
  const statusText = (ui.searchingLogs ? `search logs: ${ui.logSearch}▏ (Enter keeps it, Esc clears)` : undefined) ?? notice ?? error ?? (missingSecrets.length > 0 ? `${missingSecrets.length} secret${missingSecrets.length === 1 ? '' : 's'} missing: press e` : undefined);
  return (
    <AppLayout
      width={width}
      height={height}
      connection={connection}
      {...(statusText ? { error: statusText } : {})}
      hints={KEY_BINDINGS}
      agents={snapshot.agents}
      {...(ui.selectedAgent ? { selectedAgent: ui.selectedAgent } : {})}
      sections={sections}
      collapsedSections={collapsedSections}
      {...(focused ? { focusedSectionId: focused.id, focusedSectionScrollTop: ui.sectionScrollTop } : {})}
      focus={ui.focus}
      tasks={tasks}
      {...(selectedTask ? { selectedTaskId: selectedTask.id } : {})}
      {...(spinnerFrame ? { spinnerFrame } : {})}
      logs={logs}
      logView={{ follow: ui.followLogs, minLevel: ui.logLevel, scrollTop: ui.logScrollTop, ...(ui.logSearch || ui.searchingLogs ? { search: ui.logSearch } : {}) }}
      mainPane={ui.mainPane}
      overlay={overlay}
    />
  );
}
