import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useDisplaySettings } from '../display-context.js';
import { toDisplayText } from '../markup-text.js';
import type { CommandRow } from '../state/types.js';
import { argumentHints, filterCommands } from './command-filter.js';
import { scrollWindow } from './scroll-window.js';
import { toOneLine } from './text-fit.js';

/** Props of {@link CommandPalette}. */
export interface CommandPaletteProps {
  /** The selected agent's commands. */
  commands: readonly CommandRow[];
  /** What was typed so far (a leading `/` is optional); filters the list by its first word. */
  input: string;
  /** Index of the selected row in `filterCommands(commands, input)`. */
  selectedIndex: number;
  /** Columns the box takes, border included. */
  width: number;
  /** The most rows the box may take, border included. Default: as many as the list needs. */
  height?: number;
  /** Why the typed arguments are invalid, or why invoking failed. */
  error?: string;
  /** The agent the commands belong to, for the title. */
  agent?: string;
  /** The commands are still on their way from the daemon. */
  loading?: boolean;
}

/** Rows that are not commands: two borders, title, input, and the footer hint. */
const FRAME_ROWS = 5;

/**
 * The slash-command palette: the typed input with a cursor, the matching
 * commands (name, argument hints such as `<name:string>` and
 * `[device:boolean]`, title and description; the selected one inverse),
 * an error line when the arguments are invalid, and the keys.
 *
 * @example
 * ```tsx
 * <CommandPalette commands={commands} input="/check" selectedIndex={0} width={60} />
 * ```
 */
export function CommandPalette({ commands, input, selectedIndex, width, height, error, agent, loading = false }: CommandPaletteProps): ReactNode {
  const { color } = useDisplaySettings();
  const matches = filterCommands(commands, input);
  const errorRows = error === undefined || error === '' ? 0 : 1;
  const listRows = height === undefined ? Math.max(1, matches.length) : Math.max(1, height - FRAME_ROWS - errorRows);
  const window = scrollWindow(matches.map(() => 1), selectedIndex, listRows);
  const typed = toDisplayText(input.startsWith('/') ? input : `/${input}`);
  return (
    <Box flexDirection="column" width={width} borderStyle="round" borderColor={color ? 'cyan' : undefined} paddingX={1}>
      <Text bold wrap="truncate-end">
        Commands{agent === undefined ? '' : ` of ${toDisplayText(agent)}`}
      </Text>
      <Text wrap="truncate-start">
        {typed}
        <Text inverse> </Text>
      </Text>
      {matches.length === 0 && <Text dimColor>{loading ? 'Loading commands…' : 'No matching commands.'}</Text>}
      {window.hiddenAbove > 0 && <Text dimColor>↑ {window.hiddenAbove} more</Text>}
      {matches.slice(window.start, window.end).map((command, offset) => (
        <CommandLine key={command.name} command={command} selected={window.start + offset === selectedIndex} />
      ))}
      {window.hiddenBelow > 0 && <Text dimColor>↓ {window.hiddenBelow} more</Text>}
      {errorRows > 0 && (
        <Text color={color ? 'red' : undefined} wrap="truncate-end">
          ✗ {toDisplayText(toOneLine(error ?? ''))}
        </Text>
      )}
      <Text dimColor wrap="truncate-end">
        ↑↓ select · Enter run · Esc close
      </Text>
    </Box>
  );
}

function CommandLine({ command, selected }: { command: CommandRow; selected: boolean }): ReactNode {
  const hints = argumentHints(command);
  const about = [command.title, command.description].filter((text): text is string => text !== undefined && text !== '').join(' — ');
  return (
    <Text wrap="truncate-end" inverse={selected}>
      {selected ? '›' : ' '} <Text bold>{toDisplayText(command.name)}</Text>
      {hints !== '' && ` ${toDisplayText(hints)}`}
      {about !== '' && <Text dimColor={!selected}>{`  ${toDisplayText(toOneLine(about))}`}</Text>}
    </Text>
  );
}
