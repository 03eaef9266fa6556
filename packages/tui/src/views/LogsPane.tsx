import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useDisplaySettings } from '../display-context.js';
import { toDisplayText } from '../markup-text.js';
import type { LogEntry } from '../state/types.js';
import { filterLogs, formatLogTime, levelRank, logText, splitMatches, type LogLevelFilter } from './log-lines.js';
import { clampScrollTop } from './scroll-window.js';
import { padText } from './text-fit.js';

/** Props of {@link LogsPane}. */
export interface LogsPaneProps {
  /** The selected agent's log entries, oldest first. */
  entries: readonly LogEntry[];
  /** Columns the pane may take. */
  width: number;
  /** Rows the pane may take, its header included. */
  height: number;
  /** Hide entries below this level. Default `debug` (everything). */
  minLevel?: LogLevelFilter;
  /** Show only entries containing this text (case-insensitive), matches highlighted. Default none. */
  search?: string;
  /** True: stick to the newest lines. False: paused at `scrollTop`. */
  follow: boolean;
  /**
   * When paused: index, among the entries that pass the filter and search,
   * of the first one shown (clamped, so a large number means "the end").
   * Counting from the top keeps the view still while new lines arrive.
   */
  scrollTop?: number;
}

const LEVEL_LABELS = ['DEBUG', 'INFO ', 'WARN ', 'ERROR'] as const;
const LEVEL_COLORS = ['gray', undefined, 'yellow', 'red'] as const;

/**
 * The logs pane: a header (follow or paused with the position, the level
 * filter, the search and its match count), then one row per entry:
 * `HH:MM:SS LEVEL message {"field":"value"}`, levels coloured (error red,
 * warning yellow, debug gray), cut to the width. Search matches are drawn
 * inverse, which reads with and without colour.
 *
 * @example
 * ```tsx
 * <LogsPane entries={logs} width={60} height={20} minLevel="info" search="gmail" follow />
 * ```
 */
export function LogsPane({ entries, width, height, minLevel = 'debug', search = '', follow, scrollTop = 0 }: LogsPaneProps): ReactNode {
  const shown = filterLogs(entries, minLevel, search);
  const rows = Math.max(0, height - 1);
  const top = follow ? Math.max(0, shown.length - rows) : clampScrollTop(scrollTop, shown.length, rows);
  const visible = shown.slice(top, top + rows);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <LogsHeader follow={follow} minLevel={minLevel} search={search} matches={shown.length} range={[top, top + visible.length]} />
      {visible.length === 0 && (
        <Text dimColor wrap="truncate-end">
          {entries.length === 0 ? 'No logs yet.' : 'No lines match.'}
        </Text>
      )}
      {visible.map((entry, index) => (
        <LogLine key={top + index} entry={entry} search={search} />
      ))}
    </Box>
  );
}

interface LogsHeaderProps {
  follow: boolean;
  minLevel: LogLevelFilter;
  search: string;
  matches: number;
  range: [number, number];
}

function LogsHeader({ follow, minLevel, search, matches, range }: LogsHeaderProps): ReactNode {
  const { color } = useDisplaySettings();
  const position = follow ? '' : ` ${matches === 0 ? 0 : range[0] + 1}–${range[1]} of ${matches}`;
  return (
    <Text wrap="truncate-end">
      <Text bold>Logs</Text>
      {' · '}
      <Text color={color ? (follow ? 'green' : 'yellow') : undefined}>{follow ? 'follow' : 'paused'}</Text>
      {position}
      {` · ≥${minLevel}`}
      {search !== '' && ` · search "${toDisplayText(search)}" (${matches})`}
    </Text>
  );
}

function LogLine({ entry, search }: { entry: LogEntry; search: string }): ReactNode {
  const { color } = useDisplaySettings();
  const rank = levelRank(entry.level);
  const known = ['debug', 'info', 'warning', 'warn', 'error'].includes(entry.level.toLowerCase());
  const label = known ? LEVEL_LABELS[rank] : padText(entry.level.toUpperCase(), 5);
  const levelColor = color ? LEVEL_COLORS[rank] : undefined;
  return (
    <Text wrap="truncate-end">
      <Text dimColor>{formatLogTime(entry.time)}</Text> <Text color={levelColor}>{toDisplayText(label ?? '')}</Text>{' '}
      {splitMatches(logText(entry), search).map((piece, index) => (
        <Text key={index} inverse={piece.match} dimColor={rank === 0 && !piece.match}>
          {toDisplayText(piece.text)}
        </Text>
      ))}
    </Text>
  );
}
