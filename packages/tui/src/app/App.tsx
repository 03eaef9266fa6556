import { useApp, useStdout } from 'ink';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { messageOf, type ConnectClient } from '../state/client.js';
import type { TaskRow } from '../state/types.js';
import { AppLayout, screenSizes, type AppOverlay } from '../views/AppLayout.js';
import { DEFAULT_SECTION_CONTENT_LINES, focusedScrollLimit, sectionLineCounts } from '../views/sidebar-plan.js';
import { staleNoteRows } from '../views/stale-sections.js';
import { taskDetailMaxTop } from '../views/TaskDetail.js';
import { useDisplaySettings } from '../display-context.js';
import { KEY_BINDINGS, keyIntent, OVERLAY_HINTS, STATUS_HINTS } from './keymap.js';
import { initialUi, reduceUi, type UiAction } from './ui-state.js';
import { useSyncState } from './useSyncState.js';
import { commandRunRow, keepCommandRun } from './command-runs.js';
import { useAgentLogs } from './useAgentLogs.js';
import { useDaemonSnapshot } from './useDaemonSnapshot.js';
import { type BrowserAccess, usePalette } from './usePalette.js';
import { agentCollapsed, agentSections, agentTasks, selectionOf } from './selection.js';
import { useKeys } from './useKeys.js';
import { useMissingSecrets } from './useMissingSecrets.js';
import { useSecretForm, type SecretAccess } from './useSecretForm.js';
import { usePasteField, type DeliverPastedAddress } from './usePasteField.js';
import { signInPrompt } from '../views/sign-in-prompt.js';
import { SpinnerClock } from './useSpinnerFrame.js';
import { typeInto } from './text-input.js';
import { useTerminalSize } from './useTerminalSize.js';

/** How long a notice ("started authorize_gmail") stays on the status line. */
export const NOTICE_MS = 4_000;

/** Log lines (or tasks) one PgUp/PgDn moves. */
export const LOG_PAGE_LINES = 10;

/** Props of {@link App}. */
export interface AppProps {
  connect: ConnectClient;
  /** Collapse choices from the last run, by `<agent>/<section id>`. */
  initialCollapsed?: Readonly<Record<string, boolean>>;
  /** Called when the user collapses or expands a section, to remember it. */
  onCollapsedChange?: (collapsed: Record<string, boolean>) => void;
  /** Reading and storing secrets (the CLI's secret store); without it the form is not offered. */
  secrets?: SecretAccess;
  /**
   * Opening pages in the user's browser with the TUI's environment (the CLI's
   * opener). With it, commands run attached: a sign-in page an agent hands
   * back opens here, not from the daemon's environment; over SSH its
   * `tunnelHint` puts the `ssh -L` command in the paste field.
   */
  browser?: BrowserAccess;
  /**
   * Delivers an address pasted into the paste field to the sign-in waiting
   * for it. Default `deliverPastedAddress` of `@opperator/oauth/paste-back`.
   */
  deliverPastedAddress?: DeliverPastedAddress;
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
export function App({ connect, initialCollapsed, onCollapsedChange, secrets, browser, deliverPastedAddress }: AppProps): ReactNode {
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
  const sections = agentSections(snapshot, ui.selectedAgent);
  // Commands without a task (sync) show in the tasks pane too, from this session's runs: the daemon keeps no record of them.
  const [commandRuns, setCommandRuns] = useState<readonly TaskRow[]>([]);
  const tasks = useMemo(() => agentTasks([...snapshot.tasks, ...commandRuns], ui.selectedAgent), [snapshot.tasks, commandRuns, ui.selectedAgent]);
  const { focused, selectedTask, openedTask } = selectionOf(ui, tasks, sections);
  const selectedRow = snapshot.agents.find((a) => a.name === ui.selectedAgent);
  const missingSecrets = useMissingSecrets(secrets, selectedRow?.name, selectedRow?.secrets);
  const pasteField = usePasteField({ deliver: deliverPastedAddress, onOutcome: setNotice, tunnelHint: browser?.tunnelHint });
  const screen = screenSizes(width, height, snapshot.agents.length, tasks, { pasteField: pasteField.field, settledPasteBacks: pasteField.settled });
  const showNewestTask = () => {
    dispatch({ type: 'select-newest-task' });
    if (currentUi().mainPane !== 'tasks') dispatch({ type: 'switch-pane' });
  };
  const palette = usePalette(client, browser, {
    onStarted: (command) => {
      setNotice(`Started ${command}; its progress is in the tasks pane.`);
      showNewestTask();
    },
    onRan: (run) => {
      setCommandRuns((runs) => keepCommandRun(runs, commandRunRow(run)));
      showNewestTask();
    },
    onError: setNotice,
    onDone: (command, outcome) => setNotice(`${command} ${outcome}`),
    onPasteBack: pasteField.offer,
    onEnded: (redirectUris) => redirectUris.forEach(pasteField.end),
  });
  // A sign-in whose task ended (cancelled, failed, done through an ssh -L tunnel) waits for nothing more.
  const pasteTask = pasteField.field?.taskId === undefined ? undefined : snapshot.tasks.find((t) => t.id === pasteField.field?.taskId);
  useEffect(() => {
    if (pasteTask && pasteTask.state !== 'running' && pasteField.field) pasteField.end(pasteField.field.redirectUri);
  }, [pasteTask, pasteField]);
  const secretForm = useSecretForm(secrets, { onDone: (saved, note) => setNotice(`Saved ${saved.length} secret${saved.length === 1 ? '' : 's'}.${note ? ` ${note}` : ''}`), onError: setNotice });

  const request = (method: 'agent.start' | 'agent.stop' | 'agent.restart', agent: string, done: string) => {
    if (!client) return setNotice('Not connected to the daemon.');
    setNotice(undefined);
    client.request(method, { name: agent }).then(
      () => setNotice(done),
      (err: unknown) => setNotice(messageOf(err)),
    );
  };

  // Details of a task that is gone (another agent selected, the daemon restarted) would be an invisible overlay taking the keys.
  useEffect(() => {
    if (ui.overlay.kind === 'task' && !openedTask) dispatch({ type: 'close-overlay' });
  }, [ui.overlay, openedTask]);
  const collapsedSections = useMemo(() => agentCollapsed(ui.collapsed, ui.selectedAgent), [ui.collapsed, ui.selectedAgent]);

  useKeys((input, key, typedAhead) => {
    // Ctrl-C quits from anywhere, fields and overlays included.
    if (key.ctrl && input === 'c') return exit();
    if (palette.handleKey(input, key) || secretForm.handleKey(input, key) || pasteField.handleKey(input, key)) return;
    // Everything below from the latest UI state: keys of one chunk act on what the keys before them chose.
    const ui = currentUi();
    if (ui.searchingLogs) {
      if (key.escape) return dispatch({ type: 'clear-search' });
      const { text, submit } = typeInto(ui.logSearch, input, key);
      return dispatch({ type: 'edit-search', text, done: submit });
    }
    const intent = keyIntent(input, key, ui);
    const agent = ui.selectedAgent;
    const tasks = agentTasks(snapshot.tasks, agent);
    const sections = agentSections(snapshot, agent);
    const { focused, selectedTask, openedTask } = selectionOf(ui, tasks, sections);
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
      case 'page-up':
      case 'page-down': {
        // ↑↓ move by one, PgUp/PgDn by a page of whatever has the focus.
        const paging = intent === 'page-up' || intent === 'page-down';
        const by = (page: number) => step * (paging ? Math.max(1, page) : 1);
        // Scroll limits come from the same layout the views draw, so a key past the end does nothing.
        if (ui.overlay.kind === 'task') return openedTask && dispatch({ type: 'scroll-task', delta: by(screen.sizes.bodyRows - 4), maxTop: taskDetailMaxTop(openedTask, screen.sizes.mainColumns, screen.sizes.bodyRows, { settledPasteBacks: pasteField.settled }) });
        if (ui.focus === 'sections' && !paging) return dispatch({ type: 'focus-section', delta: step, count: sections.length });
        if (ui.focus === 'sections') {
          const maxTop = focusedScrollLimit({
            sections,
            lineCounts: sectionLineCounts(sections, screen.sizes.leftColumns),
            collapsed: agentCollapsed(ui.collapsed, agent),
            focusedId: focused?.id,
            height: screen.sizes.sidebarRows - staleNoteRows(snapshot.agents.find((a) => a.name === agent), sections, screen.sizes.leftColumns).length,
            maxContentLines: DEFAULT_SECTION_CONTENT_LINES,
          });
          return dispatch({ type: 'scroll-section', delta: by(screen.sizes.sidebarRows - 3), maxTop });
        }
        if (ui.focus === 'main' && ui.mainPane === 'tasks') return dispatch({ type: 'select-task', delta: by(LOG_PAGE_LINES), taskIds });
        // PgUp/PgDn scroll the logs from the agent list too, as before there was a focus.
        if (ui.focus === 'main' || paging) return dispatch({ type: 'scroll-logs', delta: by(LOG_PAGE_LINES), lines: logs.length });
        return dispatch({ type: 'select-agent', delta: step, agents: agentNames });
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
        // A stop is confirmed by a key of its own, never by a `y` that came in one chunk with the `x`.
        if (typedAhead) return;
        if (ui.overlay.kind === 'confirm-stop') request('agent.stop', ui.overlay.agent, `${ui.overlay.agent}: stopped`);
        return dispatch({ type: 'close-overlay' });
      case 'palette':
        if (agent) palette.open(agent);
        return;
      case 'secrets': {
        const row = snapshot.agents.find((a) => a.name === agent);
        if (row) secretForm.open(row.name, row.secrets ?? []);
        return;
      }
      case 'paste-address': {
        // Any sign-in of this machine waiting for an address, the newest first: the field hidden with Esc comes back.
        const waiting = signInPrompt(snapshot.tasks, 'paste', { settledPasteBacks: pasteField.settled });
        const task = snapshot.tasks.find((t) => t.id === waiting?.taskId);
        if (!waiting || !pasteField.open({ url: waiting.url, redirectUri: waiting.redirectUri, taskId: waiting.taskId, ...(task ? { label: `${task.agent} ${task.command}` } : {}) })) {
          setNotice('No sign-in waits for an address.');
        }
        return;
      }
      case 'cancel-task': {
        // On the focused tasks pane, the selected task only; elsewhere the newest running one.
        const onTasks = ui.focus === 'main' && ui.mainPane === 'tasks';
        const running = onTasks ? (selectedTask?.state === 'running' ? selectedTask : undefined) : tasks.find((t) => t.state === 'running');
        if (!running || !client) return setNotice(onTasks ? 'The selected task is not running.' : 'No running task to cancel.');
        client.request('task.cancel', { id: running.id }).then(
          () => setNotice(`Cancelling ${running.command}.`),
          (err: unknown) => setNotice(messageOf(err)),
        );
        return;
      }
      case 'none':
        return;
    }
  }, () => palette.isOpen() || secretForm.isOpen() || pasteField.isOpen() || currentUi().searchingLogs);

  const overlay: AppOverlay = palette.palette
    ? { kind: 'palette', commands: palette.palette.commands, input: palette.palette.input, selectedIndex: palette.palette.selectedIndex, agent: palette.palette.agent, loading: palette.palette.loading === true, ...(palette.palette.error ? { error: palette.palette.error } : {}) }
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
  // The spinner ticks in a clock of its own: a tick re-renders the running tasks' spinners, not this whole screen.
  return (
    <SpinnerClock active={animate && tasks.some((t) => t.state === 'running')}>
      <AppLayout
        width={width}
        height={height}
        connection={connection}
        {...(statusText ? { error: statusText } : {})}
        hints={overlay.kind === 'none' && !pasteField.field && !ui.searchingLogs ? STATUS_HINTS : OVERLAY_HINTS}
        agents={snapshot.agents}
        {...(ui.selectedAgent ? { selectedAgent: ui.selectedAgent } : {})}
        sections={sections}
        collapsedSections={collapsedSections}
        {...(focused ? { focusedSectionId: focused.id, focusedSectionScrollTop: ui.sectionScrollTop } : {})}
        focus={ui.focus}
        tasks={tasks}
        {...(selectedTask ? { selectedTaskId: selectedTask.id } : {})}
        logs={logs}
        logView={{ follow: ui.followLogs, minLevel: ui.logLevel, scrollTop: ui.logScrollTop, ...(ui.logSearch || ui.searchingLogs ? { search: ui.logSearch } : {}) }}
        mainPane={ui.mainPane}
        overlay={overlay}
        {...(pasteField.field ? { pasteField: pasteField.field } : {})}
        settledPasteBacks={pasteField.settled}
      />
    </SpinnerClock>
  );
}
