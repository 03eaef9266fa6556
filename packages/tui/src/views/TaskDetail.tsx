import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useDisplaySettings } from '../display-context.js';
import type { TaskRow } from '../state/types.js';
import type { SignInPromptOptions } from './sign-in-prompt.js';
import { taskDetailLines } from './task-detail.js';

/** Rows of the box that are not details: two border rows and the footer. */
const FRAME_ROWS = 3;
/** Columns of the box that are not details: two border columns and the padding. */
const FRAME_COLUMNS = 4;

/** Props of {@link TaskDetail}. */
export interface TaskDetailProps {
  task: TaskRow;
  /** Columns the box takes, border included. */
  width: number;
  /** Rows the box takes, border included. */
  height: number;
  /** First detail row shown (clamped to the last full page). */
  scrollTop: number;
  /** Redirect URIs of sign-ins whose pasted address was accepted (see `SignInPromptOptions`): no request to paste for them. */
  settledPasteBacks?: ReadonlySet<string> | undefined;
}

/**
 * The largest useful `scrollTop` of {@link TaskDetail} at a size: keys clamp
 * to it, so scrolling back up after the end moves at once.
 *
 * @example
 * ```ts
 * taskDetailMaxTop(task, 60, 20); // 0 when everything fits
 * ```
 */
export function taskDetailMaxTop(task: TaskRow, width: number, height: number, options: SignInPromptOptions = {}): number {
  return Math.max(0, taskDetailLines(task, width - FRAME_COLUMNS, options).length - Math.max(1, height - FRAME_ROWS));
}

/**
 * One task in full, over the main pane: command, arguments, times, and the
 * whole result (indented JSON) or error message, scrolled with ↑↓/PgUp/PgDn.
 *
 * @example
 * ```tsx
 * <TaskDetail task={task} width={60} height={20} scrollTop={0} />
 * ```
 */
export function TaskDetail({ task, width, height, scrollTop, settledPasteBacks }: TaskDetailProps): ReactNode {
  const { color } = useDisplaySettings();
  const lines = taskDetailLines(task, width - FRAME_COLUMNS, settledPasteBacks ? { settledPasteBacks } : {});
  const rows = Math.max(1, height - FRAME_ROWS);
  const top = Math.min(Math.max(0, Math.floor(scrollTop)), Math.max(0, lines.length - rows));
  const shown = lines.slice(top, top + rows);
  const position = lines.length > rows ? `lines ${top + 1}–${top + shown.length} of ${lines.length} · ` : '';
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor={color ? 'cyan' : undefined} paddingX={1} overflow="hidden">
      <Box flexDirection="column" height={rows} overflow="hidden">
        {shown.map((line, index) => (
          <Text
            key={top + index}
            wrap="truncate-end"
            bold={line.style === 'heading'}
            dimColor={line.style === 'dim'}
            color={color && line.style === 'error' ? 'red' : undefined}
          >
            {line.text === '' ? ' ' : line.text}
          </Text>
        ))}
      </Box>
      <Text dimColor wrap="truncate-end">
        {position}↑↓ PgUp/PgDn scroll · Esc close
      </Text>
    </Box>
  );
}
