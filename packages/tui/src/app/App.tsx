import { useApp, useInput, useStdout } from 'ink';
import { useEffect, useMemo, useReducer, useState, type ReactNode } from 'react';
import { messageOf, type ConnectClient } from '../state/client.js';
import { AppLayout, type AppOverlay } from '../views/AppLayout.js';
import { useDisplaySettings } from '../display-context.js';
import { KEY_BINDINGS, keyIntent } from './keymap.js';
import { initialUi, reduceUi } from './ui-state.js';
import { useAgentLogs } from './useAgentLogs.js';
import { useDaemonSnapshot } from './useDaemonSnapshot.js';
import { useSpinnerFrame } from './useSpinnerFrame.js';
import { useTerminalSize } from './useTerminalSize.js';

/** Props of {@link App}. */
export interface AppProps {
  connect: ConnectClient;
  /** Collapse choices from the last run, by `<agent>/<section id>`. */
  initialCollapsed?: Readonly<Record<string, boolean>>;
  /** Called when the user collapses or expands a section, to remember it. */
  onCollapsedChange?: (collapsed: Record<string, boolean>) => void;
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
export function App({ connect, initialCollapsed, onCollapsedChange }: AppProps): ReactNode {
  const { exit } = useApp();
  const { width, height } = useTerminalSize(useStdout().stdout);
  const { animate } = useDisplaySettings();
  const { snapshot, connection, error, client } = useDaemonSnapshot(connect);
  const [ui, dispatch] = useReducer(reduceUi, initialCollapsed, initialUi);
  const [notice, setNotice] = useState<string | undefined>();
  const agentNames = useMemo(() => snapshot.agents.map((a) => a.name), [snapshot.agents]);
  useEffect(() => dispatch({ type: 'ensure-selection', agents: agentNames }), [agentNames]);
  useEffect(() => onCollapsedChange?.({ ...ui.collapsed }), [ui.collapsed, onCollapsedChange]);
  const logs = useAgentLogs(connect, ui.selectedAgent);
  const sections = (ui.selectedAgent && snapshot.sections[ui.selectedAgent]) || [];
  const tasks = useMemo(() => snapshot.tasks.filter((t) => t.agent === ui.selectedAgent), [snapshot.tasks, ui.selectedAgent]);
  const spinnerFrame = useSpinnerFrame(animate && tasks.some((t) => t.state === 'running'));
  const focused = sections[Math.min(ui.focusedSection, Math.max(0, sections.length - 1))];

  const request = (method: string, agent: string, done: string) => {
    if (!client) return setNotice('Not connected to the daemon.');
    setNotice(undefined);
    client.request(method, { name: agent }).then(
      () => setNotice(done),
      (err: unknown) => setNotice(messageOf(err)),
    );
  };

  useInput((input, key) => {
    const intent = keyIntent(input, key, ui);
    const agent = ui.selectedAgent;
    switch (intent) {
      case 'quit':
        return exit();
      case 'help':
        return dispatch({ type: 'open-help' });
      case 'close':
        return dispatch({ type: 'close-overlay' });
      case 'up':
      case 'down':
        return dispatch({ type: 'select-agent', delta: intent === 'up' ? -1 : 1, agents: agentNames });
      case 'switch-pane':
        return dispatch({ type: 'switch-pane' });
      case 'previous-section':
      case 'next-section':
        return dispatch({ type: 'focus-section', delta: intent === 'previous-section' ? -1 : 1, count: sections.length });
      case 'toggle-section':
        return dispatch({ type: 'toggle-section', sectionId: focused?.id, collapsedByAgent: focused?.collapsed ?? false });
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
      case 'none':
        return;
    }
  });

  const overlay: AppOverlay =
    ui.overlay.kind === 'help'
      ? { kind: 'help', bindings: KEY_BINDINGS }
      : ui.overlay.kind === 'confirm-stop'
        ? { kind: 'confirm', question: `Stop ${ui.overlay.agent}?` }
        : { kind: 'none' };
  const collapsedSections = Object.fromEntries(
    Object.entries(ui.collapsed).flatMap(([key, value]) => (key.startsWith(`${ui.selectedAgent}/`) ? [[key.slice(ui.selectedAgent!.length + 1), value]] : [])),
  );
  return (
    <AppLayout
      width={width}
      height={height}
      connection={connection}
      {...(notice ?? error ? { error: notice ?? error } : {})}
      hints={KEY_BINDINGS}
      agents={snapshot.agents}
      {...(ui.selectedAgent ? { selectedAgent: ui.selectedAgent } : {})}
      sections={sections}
      collapsedSections={collapsedSections}
      {...(focused ? { focusedSectionId: focused.id } : {})}
      tasks={tasks}
      {...(spinnerFrame ? { spinnerFrame } : {})}
      logs={logs}
      logView={{ follow: ui.followLogs, minLevel: ui.logLevel }}
      mainPane={ui.mainPane}
      overlay={overlay}
    />
  );
}
