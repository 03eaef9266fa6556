import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useDisplaySettings } from '../display-context.js';
import { toDisplayText } from '../markup-text.js';
import type { ConnectionState } from '../state/types.js';
import { fitHints, HINT_GAP, hintColumns, type KeyHint } from './key-hints.js';
import { textColumns, toOneLine, truncateText } from './text-fit.js';

const CONNECTION_COLORS: Readonly<Record<ConnectionState, string>> = {
  connecting: 'yellow',
  connected: 'green',
  disconnected: 'red',
};

/** Props of {@link StatusLine}. */
export interface StatusLineProps {
  /** The connection to the daemon. */
  connection: ConnectionState;
  /** Columns the line takes. */
  width: number;
  /** Key hints, most important first; those that do not fit are dropped from the end. */
  hints?: readonly KeyHint[];
  /** What went wrong, such as the daemon being unreachable and how to start it. */
  error?: string;
}

/**
 * How many leading hints the status line keeps however narrow it is: help
 * and quit (see the app's `STATUS_HINTS`), so a newcomer can always find the
 * rest and leave.
 */
export const KEPT_HINTS = 2;

/**
 * The bottom row: `● connected`, the error (red, when there is one), then
 * the key hints right-aligned. Always one row, adapted to the width: the
 * hints are dropped from the end, an error is cut with `…`, and the leading
 * {@link KEPT_HINTS} hints (help, quit) are never dropped: for them the error
 * gives up its room, then the state its word (its coloured `●` stays).
 * With an error and room to spare, the hints get what the whole error
 * leaves, but at least half the row.
 *
 * @example
 * ```tsx
 * <StatusLine connection="connected" width={80} hints={[{ key: '?', label: 'help' }, { key: 'q', label: 'quit' }]} />
 * ```
 */
export function StatusLine({ connection, width, hints = [], error }: StatusLineProps): ReactNode {
  const { color } = useDisplaySettings();
  const errorText = error === undefined || error === '' ? '' : toDisplayText(toOneLine(error));
  const { state, shown, errorRoom } = planStatusLine(connection, width, hints, errorText);
  return (
    <Box flexDirection="row" width={width} height={1} overflow="hidden">
      <Box flexShrink={0}>
        <Text color={color ? CONNECTION_COLORS[connection] : undefined}>{state}</Text>
      </Box>
      {errorText !== '' && errorRoom > 0 && (
        <Box flexShrink={0} marginLeft={HINT_GAP}>
          <Text color={color ? 'red' : undefined}>{truncateText(errorText, errorRoom)}</Text>
        </Box>
      )}
      <Box flexGrow={1} />
      {shown.map((hint, index) => (
        <Box key={index} flexShrink={0} marginLeft={index > 0 ? HINT_GAP : 0}>
          <Text>
            <Text bold>{toDisplayText(hint.key)}</Text> <Text dimColor>{toDisplayText(hint.label)}</Text>
          </Text>
        </Box>
      ))}
    </Box>
  );
}

/** What the status line shows at a width: the state's text, the hints, and the columns left for the error. */
function planStatusLine(connection: ConnectionState, width: number, hints: readonly KeyHint[], errorText: string): { state: string; shown: KeyHint[]; errorRoom: number } {
  const kept = Math.min(KEPT_HINTS, hints.length);
  const states = [`● ${connection}`, '●'];
  for (const [index, state] of states.entries()) {
    const afterState = width - textColumns(state) - HINT_GAP;
    // Hints leave room for the whole error when they can, and take at least
    // half the row when they cannot: a long error still leaves the keys usable.
    const shared = errorText === '' ? afterState : Math.min(afterState, Math.max(Math.floor(width / 2), afterState - textColumns(errorText) - HINT_GAP));
    const shown = fitHints(hints, fitHints(hints, shared).length >= kept ? shared : afterState);
    if (shown.length < kept && index < states.length - 1) continue;
    const hintsWidth = shown.reduce((sum, hint, at) => sum + hintColumns(hint) + (at > 0 ? HINT_GAP : 0), 0);
    return { state, shown, errorRoom: afterState - (hintsWidth > 0 ? hintsWidth + HINT_GAP : 0) };
  }
  return { state: '●', shown: [], errorRoom: 0 };
}
