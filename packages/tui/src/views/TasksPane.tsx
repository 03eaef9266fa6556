import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useDisplaySettings } from '../display-context.js';
import { toDisplayText } from '../markup-text.js';
import { ProgressLine } from '../progress-bar.js';
import type { TaskRow, TaskState } from '../state/types.js';
import { scrollWindow } from './scroll-window.js';
import { useSpinnerFrameOf } from './spinner-context.js';
import { outcomeText, taskLabel } from './task-text.js';
import { taskSignInPrompt, type SignInPrompt, type SignInPromptOptions } from './sign-in-prompt.js';
import { toOneLine, truncateText, textColumns, wrappedRows } from './text-fit.js';

/** The mark before a finished task, by outcome. */
export const TASK_MARKS: Readonly<Record<Exclude<TaskState, 'running'>, string>> = {
  succeeded: '✓',
  failed: '✗',
  cancelled: '⊘',
};

const MARK_COLORS: Readonly<Record<Exclude<TaskState, 'running'>, string>> = {
  succeeded: 'green',
  failed: 'red',
  cancelled: 'gray',
};

/** Props of {@link TasksPane}. */
export interface TasksPaneProps {
  /** The selected agent's tasks, in any order (shown newest first). */
  tasks: readonly TaskRow[];
  /** Columns the pane may take. */
  width: number;
  /** Rows the pane may take, its header included. */
  height: number;
  /** Id of the selected task (highlighted, kept in view). */
  selectedId?: string;
  /** The spinner frame for running tasks; default the one of `SpinnerFrameContext` (the app's clock). */
  spinnerFrame?: string;
  /**
   * Show sign-in URLs under their tasks. Default true; `AppLayout` turns it
   * off because it shows the URL on full-width rows of its own instead.
   */
  showUrls?: boolean;
  /** Redirect URIs of sign-ins whose pasted address was accepted (see `SignInPromptOptions`): their tasks no longer ask to paste. */
  settledPasteBacks?: ReadonlySet<string> | undefined;
}

/**
 * The tasks of the selected agent, newest first, under a header counting
 * running and finished ones. A running task is a {@link ProgressLine}; when
 * its latest progress asks the user something (a sign-in's page to open, a
 * device code to enter, an address to paste back), its line says so, code
 * first, and the URL follows on its own rows, whole and unindented, so it
 * can be copied. A finished task is one line: `✓` with its result as compact JSON,
 * `✗` with the error message, or `⊘ cancelled`.
 *
 * @example
 * ```tsx
 * <TasksPane tasks={tasks} selectedId={tasks[0]?.id} spinnerFrame="⠋" width={60} height={10} />
 * ```
 */
export function TasksPane({ tasks, width, height, selectedId, spinnerFrame, showUrls = true, settledPasteBacks }: TasksPaneProps): ReactNode {
  const ordered = [...tasks].sort((a, b) => b.createdAt - a.createdAt);
  const running = ordered.filter((task) => task.state === 'running').length;
  const prompts: SignInPromptOptions = settledPasteBacks ? { settledPasteBacks } : {};
  const heights = ordered.map((task) => (showUrls ? taskRows(task, width, prompts) : 1));
  const selectedIndex = ordered.findIndex((task) => task.id === selectedId);
  const window = scrollWindow(heights, Math.max(0, selectedIndex), height - 1);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold wrap="truncate-end">
        Tasks{ordered.length > 0 ? ` · ${running} running · ${ordered.length - running} done` : ''}
      </Text>
      {ordered.length === 0 && (
        <Text dimColor wrap="truncate-end">
          No tasks yet. Commands you run appear here.
        </Text>
      )}
      {window.hiddenAbove > 0 && <Text dimColor>↑ {window.hiddenAbove} more</Text>}
      {ordered.slice(window.start, window.end).map((task) =>
        task.state === 'running' ? (
          <RunningTask key={task.id} task={task} width={width} selected={task.id === selectedId} spinnerFrame={spinnerFrame} showUrl={showUrls} prompts={prompts} />
        ) : (
          <FinishedTask key={task.id} task={task} width={width} selected={task.id === selectedId} />
        ),
      )}
      {window.hiddenBelow > 0 && <Text dimColor>↓ {window.hiddenBelow} more</Text>}
    </Box>
  );
}

/**
 * Rows a task takes in {@link TasksPane} at a width: one, plus the rows of
 * its sign-in URL when a running task reports one.
 *
 * @example
 * ```ts
 * taskRows(task, 60); // 1, or 1 + the URL's wrapped rows
 * ```
 */
export function taskRows(task: TaskRow, width: number, options: SignInPromptOptions = {}): number {
  const url = taskSignInPrompt(task, options)?.url;
  return 1 + (url === undefined ? 0 : wrappedRows(toDisplayText(url), width));
}

interface TaskLineProps {
  task: TaskRow;
  width: number;
  selected: boolean;
}

function RunningTask({ task, width, selected, spinnerFrame, showUrl, prompts }: TaskLineProps & { spinnerFrame: string | undefined; showUrl: boolean; prompts: SignInPromptOptions }): ReactNode {
  const { color } = useDisplaySettings();
  const frame = useSpinnerFrameOf(spinnerFrame);
  const prompt = taskSignInPrompt(task, prompts);
  const url = showUrl ? prompt?.url : undefined;
  const text = promptText(prompt) ?? task.progress.text ?? task.progress.status;
  return (
    <Box flexDirection="column" width={width}>
      <Box flexDirection="row" width={width}>
        <Box flexShrink={0} width={2}>
          <Text bold>{selected ? '›' : ' '}</Text>
        </Box>
        <ProgressLine
          label={prompt?.kind === 'device' ? `${taskLabel(task)} · code ${prompt.userCode}` : taskLabel(task)}
          width={width - 2}
          text={text === undefined ? undefined : toOneLine(text)}
          progress={task.progress.progress}
          spinnerFrame={frame}
        />
      </Box>
      {url !== undefined && (
        <Text color={color ? 'cyan' : undefined} underline>
          {toDisplayText(url)}
        </Text>
      )}
    </Box>
  );
}

/**
 * A sign-in's request in a few words that fit its one line (a device code
 * goes in the label, which is never cut first); its page is shown in full
 * below (under the task, or in the sign-in strip at the bottom of the screen).
 */
function promptText(prompt: SignInPrompt | undefined): string | undefined {
  if (prompt?.kind === 'device') return `Enter the code at the page below${prompt.validUntil ? ` (valid until ${prompt.validUntil})` : ''}`;
  if (prompt?.kind === 'paste') return 'Open the page below in a browser on any machine, then press p and paste the address it ends on';
  return undefined;
}

function FinishedTask({ task, width, selected }: TaskLineProps): ReactNode {
  const { color } = useDisplaySettings();
  const state = task.state as Exclude<TaskState, 'running'>;
  const label = toDisplayText(taskLabel(task));
  const head = `${selected ? '›' : ' '} ${TASK_MARKS[state]} ${label}`;
  const outcome = toDisplayText(toOneLine(outcomeText(task)));
  const room = width - textColumns(head) - 2;
  return (
    <Text wrap="truncate-end" inverse={selected}>
      {selected ? '›' : ' '} <Text color={color ? MARK_COLORS[state] : undefined}>{TASK_MARKS[state]}</Text> {label}
      {outcome !== '' && room > 0 && (
        <Text dimColor={state !== 'failed'} color={color && state === 'failed' ? 'red' : undefined}>
          {`  ${truncateText(outcome, room)}`}
        </Text>
      )}
    </Text>
  );
}
