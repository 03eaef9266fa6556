import { Box, Text } from 'ink';
import { memo, type ReactNode } from 'react';
import { useDisplaySettings } from '../display-context.js';
import { toDisplayText } from '../markup-text.js';
import type { AgentRow, ConnectionState, LogEntry, SectionRow, TaskRow } from '../state/types.js';
import { AgentList } from './AgentList.js';
import { CommandPalette, type CommandPaletteProps } from './CommandPalette.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { HelpOverlay } from './HelpOverlay.js';
import type { KeyHint } from './key-hints.js';
import { layoutSizes, type LayoutSizes } from './layout-sizes.js';
import type { LogLevelFilter } from './log-lines.js';
import { LogsPane } from './LogsPane.js';
import { SecretForm, type SecretFormProps } from './SecretForm.js';
import { Sidebar } from './Sidebar.js';
import { StatusLine } from './StatusLine.js';
import { TaskDetail } from './TaskDetail.js';
import { TasksPane } from './TasksPane.js';
import { signInPrompt } from './sign-in-prompt.js';
import { MIN_BODY_ROWS_UNDER_STRIP, signInStripLines, type PasteFieldView, type StripLine } from './sign-in-strip.js';
import { SignInStrip } from './SignInStrip.js';
import { staleNoteRows } from './stale-sections.js';
import { truncateText } from './text-fit.js';

// Memoised: a spinner tick or one section update re-renders only the part
// whose props changed, not the whole screen (each full Ink render costs ~20 ms
// on a loaded 2-core machine; see bench/tui.ts).
const MemoAgentList = memo(AgentList);
const MemoSidebar = memo(Sidebar);
const MemoStatusLine = memo(StatusLine);
const MemoTasksPane = memo(TasksPane);
const MemoLogsPane = memo(LogsPane);

/** Rows a confirm dialog takes above the main pane (a bordered single line). */
const CONFIRM_ROWS = 3;

/**
 * What is drawn over the main pane, if anything, with what it needs.
 *
 * @example
 * ```ts
 * const overlay: AppOverlay = { kind: 'confirm', question: 'Stop invoice-monitor?' };
 * ```
 */
export type AppOverlay =
  | { kind: 'none' }
  | { kind: 'help'; bindings: readonly KeyHint[] }
  | { kind: 'confirm'; question: string }
  | ({ kind: 'palette' } & Omit<CommandPaletteProps, 'width' | 'height'>)
  | ({ kind: 'secrets' } & Omit<SecretFormProps, 'width'>)
  | { kind: 'task'; task: TaskRow; scrollTop: number };

/** Which part of the screen keys act on; its header is highlighted. */
export type AppFocus = 'agents' | 'sections' | 'main';

/** How the logs pane is looking at the logs (see `LogsPaneProps`). */
export interface LogView {
  /** Hide entries below this level. Default `debug`. */
  minLevel?: LogLevelFilter;
  /** Only entries containing this text, highlighted. */
  search?: string;
  /** Stick to the newest lines. */
  follow: boolean;
  /** When paused: the first entry shown, among those that pass the filter. */
  scrollTop?: number;
}

/** Props of {@link AppLayout}: the whole screen's data and view state. */
export interface AppLayoutProps {
  /** Terminal columns. */
  width: number;
  /** Terminal rows. */
  height: number;
  /** The connection to the daemon. */
  connection: ConnectionState;
  /** What went wrong (daemon unreachable and how to fix it), shown on the status line. */
  error?: string;
  /** Key hints for the status line, most important first. */
  hints?: readonly KeyHint[];
  /** All agents. */
  agents: readonly AgentRow[];
  /** Name of the selected agent. */
  selectedAgent?: string;
  /** The selected agent's sections. */
  sections: readonly SectionRow[];
  /** Collapse state chosen by the user, by section id. */
  collapsedSections?: Readonly<Record<string, boolean>>;
  /** Id of the focused section. */
  focusedSectionId?: string;
  /** First content line shown of the focused section. */
  focusedSectionScrollTop?: number;
  /** The selected agent's tasks. */
  tasks: readonly TaskRow[];
  /** Id of the selected task. */
  selectedTaskId?: string;
  /** Spinner frame for running tasks; default the one of `SpinnerFrameContext`. */
  spinnerFrame?: string;
  /** The selected agent's logs, oldest first. */
  logs: readonly LogEntry[];
  /** Filter, search and scrolling of the logs pane. */
  logView: LogView;
  /** Which pane fills the right column. */
  mainPane: 'logs' | 'tasks';
  /** Where keys act; its header is highlighted. */
  focus?: AppFocus;
  /** What is drawn over the main pane. Default none. */
  overlay?: AppOverlay;
  /** The paste field (paste-back), when open: drawn full width above the status line, in place of the sign-in prompt. */
  pasteField?: PasteFieldView;
  /** Redirect URIs of sign-ins whose pasted address was accepted (or finally refused): the strip, the task's line and its details no longer ask to paste for them. */
  settledPasteBacks?: ReadonlySet<string>;
}

/**
 * The whole screen, from props alone: on the left the agent list above the
 * selected agent's sections, on the right the logs or tasks pane (or an
 * overlay: help, palette, secret form; a confirm dialog sits above the pane),
 * the status line at the bottom, and above it the sign-in strip: when a
 * running task asks the user to open a URL, enter a code or paste an address
 * (a sign-in), or the paste field is open, that on full-width rows (see
 * `signInStripLines`). Every part gets an exact share of
 * `width` × `height`, so no line is longer than the width and the frame is
 * never taller than the height. Colour follows `DisplaySettingsContext`.
 *
 * @example
 * ```tsx
 * <AppLayout width={80} height={24} connection="connected" agents={agents} selectedAgent="invoice-monitor"
 *   sections={sections} tasks={tasks} logs={logs} logView={{ follow: true }} mainPane="logs" />
 * ```
 */
export function AppLayout(props: AppLayoutProps): ReactNode {
  const { width, height, agents, selectedAgent, focus } = props;
  const { color } = useDisplaySettings();
  const { sizes, strip } = screenSizes(width, height, agents.length, props.tasks, props);
  const accent = (active: boolean): string | undefined => (color && active ? 'cyan' : undefined);
  // A stopped agent's sections are what it last wrote: a dim note over them says so, in rows taken from the sidebar, and they are drawn dim.
  const staleRows = staleNoteRows(agents.find((agent) => agent.name === selectedAgent), props.sections, sizes.leftColumns).slice(0, sizes.sidebarRows);
  const sidebarRows = sizes.sidebarRows - staleRows.length;
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Box flexDirection="row" height={sizes.bodyRows} overflow="hidden">
        <Box flexDirection="column" width={sizes.leftColumns} flexShrink={0} overflow="hidden">
          <Text bold color={accent(focus === 'agents')} inverse={focus === 'agents'} wrap="truncate-end">
            Agents ({agents.length})
          </Text>
          <MemoAgentList agents={agents} selectedName={selectedAgent} width={sizes.leftColumns} height={sizes.agentRows} />
          <Text bold color={accent(focus === 'sections')} inverse={focus === 'sections'} wrap="truncate-end">
            {truncateText(`Sections${selectedAgent === undefined ? '' : ` · ${toDisplayText(selectedAgent)}`}`, sizes.leftColumns)}
          </Text>
          {staleRows.map((row, index) => (
            <Text key={index} dimColor wrap="truncate-end">
              {row}
            </Text>
          ))}
          {sidebarRows > 0 && (
            <MemoSidebar
              sections={props.sections}
              collapsed={props.collapsedSections}
              focusedId={props.focusedSectionId}
              focusedScrollTop={props.focusedSectionScrollTop}
              width={sizes.leftColumns}
              height={sidebarRows}
              emptyText={selectedAgent === undefined ? 'No agent selected.' : 'No sections.'}
              stale={staleRows.length > 0}
            />
          )}
        </Box>
        <Box
          flexDirection="column"
          width={sizes.mainColumns + 1}
          flexShrink={0}
          borderStyle="single"
          borderTop={false}
          borderBottom={false}
          borderRight={false}
          borderColor={accent(focus === 'main')}
          borderDimColor={focus !== 'main'}
          overflow="hidden"
        >
          <MainArea {...props} columns={sizes.mainColumns} rows={sizes.bodyRows} />
        </Box>
      </Box>
      {strip.length > 0 && <SignInStrip lines={strip} width={width} />}
      <MemoStatusLine connection={props.connection} error={props.error} hints={props.hints} width={width} />
    </Box>
  );
}

/** {@link layoutSizes} of the screen once the sign-in strip has its rows, and those rows. */
export interface ScreenSizes {
  sizes: LayoutSizes;
  /** The sign-in strip's rows (none when no sign-in asks anything). */
  strip: StripLine[];
}

/** What the sign-in strip of {@link screenSizes} shows besides the tasks' prompts (see {@link AppLayoutProps}). */
export interface ScreenSizesOptions {
  pasteField?: PasteFieldView | undefined;
  settledPasteBacks?: ReadonlySet<string> | undefined;
}

/**
 * Where {@link AppLayout} puts everything: the app uses the same numbers to
 * know how far the sidebar or a task's details can scroll.
 *
 * @example
 * ```ts
 * screenSizes(80, 24, 2, tasks).sizes.sidebarRows; // 17
 * screenSizes(80, 24, 2, tasks, { pasteField }).strip; // the paste field's rows
 * ```
 */
export function screenSizes(width: number, height: number, agentCount: number, tasks: readonly TaskRow[], options: ScreenSizesOptions = {}): ScreenSizes {
  const { pasteField, settledPasteBacks } = options;
  // The sign-in strip gets full-width rows of its own above the status line:
  // inside a pane, a wrapped URL would be copied with the other column's
  // text between its pieces.
  const prompt = signInPrompt(tasks, undefined, settledPasteBacks ? { settledPasteBacks } : {});
  const strip = signInStripLines({ prompt, field: pasteField }, width, height - 1 - MIN_BODY_ROWS_UNDER_STRIP);
  return { sizes: layoutSizes(width, height - strip.length, agentCount), strip };
}

function MainArea(props: AppLayoutProps & { columns: number; rows: number }): ReactNode {
  const { overlay = { kind: 'none' }, columns, rows } = props;
  switch (overlay.kind) {
    case 'help':
      return <HelpOverlay bindings={overlay.bindings} width={columns} height={rows} />;
    case 'palette': {
      const { kind: _kind, ...palette } = overlay;
      return <CommandPalette {...palette} width={columns} height={rows} />;
    }
    case 'secrets': {
      const { kind: _kind, ...form } = overlay;
      return <SecretForm {...form} width={columns} />;
    }
    case 'task':
      return <TaskDetail task={overlay.task} scrollTop={overlay.scrollTop} width={columns} height={rows} settledPasteBacks={props.settledPasteBacks} />;
    case 'confirm':
      return (
        <>
          <ConfirmDialog question={overlay.question} width={columns} />
          <MainPane {...props} rows={Math.max(0, rows - CONFIRM_ROWS)} />
        </>
      );
    default:
      return <MainPane {...props} />;
  }
}

function MainPane(props: AppLayoutProps & { columns: number; rows: number }): ReactNode {
  const { columns, rows } = props;
  if (rows <= 0) return null;
  if (props.mainPane === 'tasks') {
    return (
      <MemoTasksPane
        tasks={props.tasks}
        selectedId={props.selectedTaskId}
        spinnerFrame={props.spinnerFrame}
        width={columns}
        height={rows}
        showUrls={false}
        settledPasteBacks={props.settledPasteBacks}
      />
    );
  }
  return <MemoLogsPane entries={props.logs} width={columns} height={rows} {...props.logView} />;
}
