/**
 * `@opperator/tui`: the terminal UI's building blocks (issue 7). So far: the
 * section-markup parser and the presentational components for a section and
 * a task's progress line. See packages/tui/README.md for what comes next.
 *
 * @packageDocumentation
 */
export { parseMarkup, markupToPlainText, parseMarkupColor, MARKUP_COLOR_NAMES, type StyledRun, type MarkupLine, type MarkupColor, type MarkupColorName } from '@opperator/protocol';
export { toInkColor } from './ink-colors.js';
export { resolveDisplaySettings, type DisplaySettings, type ResolveDisplaySettingsOptions } from './display-settings.js';
export { DisplaySettingsContext, useDisplaySettings } from './display-context.js';
export { MarkupLineText, toDisplayText, type MarkupLineTextProps } from './markup-text.js';
export { SectionView, fitLines, maxScrollTop, EXPANDED_MARKER, COLLAPSED_MARKER, type SectionViewProps } from './section-view.js';
export {
  ProgressLine,
  toFraction,
  barColumns,
  splitBar,
  formatPercent,
  BAR_FILLED,
  BAR_EMPTY,
  MAX_BAR_COLUMNS,
  MIN_BAR_COLUMNS,
  type ProgressLineProps,
} from './progress-bar.js';
// Views (issue 7): presentational, props only; keys and data come from the app's hooks.
export { AppLayout, type AppLayoutProps, type AppOverlay, type AppFocus, type LogView } from './views/AppLayout.js';
export { AgentList, NO_AGENTS_TEXT, SELECTED_MARKER, type AgentListProps } from './views/AgentList.js';
export { agentStateColor } from './views/agent-state.js';
export { Sidebar, DEFAULT_SECTION_CONTENT_LINES, type SidebarProps } from './views/Sidebar.js';
export { planSidebar, sectionLineCounts, focusedScrollLimit, type SidebarInput, type SidebarPlan } from './views/sidebar-plan.js';
export { TasksPane, TASK_MARKS, taskRows, type TasksPaneProps } from './views/TasksPane.js';
export { TaskDetail, taskDetailMaxTop, type TaskDetailProps } from './views/TaskDetail.js';
export { taskDetailLines, type TaskDetailLine } from './views/task-detail.js';
export { findUrl, taskLabel, outcomeText, toCompactJson } from './views/task-text.js';
export { signInUrl, signInPrompt, taskSignInPrompt, parseDeviceCode, type SignInPrompt, type SignInPromptOptions, type DeviceCode, type PasteBackRequest } from './views/sign-in-prompt.js';
export { LogsPane, type LogsPaneProps } from './views/LogsPane.js';
export { LOG_LEVELS, levelRank, formatLogTime, logText, filterLogs, splitMatches, type LogLevelFilter } from './views/log-lines.js';
export { StatusLine, KEPT_HINTS, type StatusLineProps } from './views/StatusLine.js';
export { fitHints, hintColumns, HINT_GAP, type KeyHint } from './views/key-hints.js';
export { HelpOverlay, type HelpOverlayProps } from './views/HelpOverlay.js';
export { ConfirmDialog, type ConfirmDialogProps } from './views/ConfirmDialog.js';
export { CommandPalette, type CommandPaletteProps } from './views/CommandPalette.js';
export { filterCommands, commandQuery, argumentHints } from './views/command-filter.js';
export { SecretForm, mask, MASK_CHAR, type SecretFormProps, type SecretFormStatus } from './views/SecretForm.js';
export { layoutSizes, MIN_LEFT_COLUMNS, MIN_MAIN_COLUMNS, LEFT_SHARE, AGENT_LIST_SHARE, type LayoutSizes } from './views/layout-sizes.js';
export { scrollWindow, clampScrollTop, type ScrollWindow } from './views/scroll-window.js';
export { textColumns, graphemes, truncateText, truncateMiddle, padText, wrappedRows, toOneLine, wrapText, wrapWords } from './views/text-fit.js';
export { SignInStrip, type SignInStripProps } from './views/SignInStrip.js';
export { signInStripLines, MIN_BODY_ROWS_UNDER_STRIP, type StripLine, type PasteFieldView, type PasteFieldStatus, type SignInStripInput } from './views/sign-in-strip.js';
export { runTui } from './app/run-tui.js';
export { App, type AppProps } from './app/App.js';
export type { TuiClient, ConnectClient } from './state/client.js';
