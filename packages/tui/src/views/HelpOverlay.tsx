import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useDisplaySettings } from '../display-context.js';
import { toDisplayText } from '../markup-text.js';
import type { KeyHint } from './key-hints.js';
import { padText, textColumns } from './text-fit.js';

/** Props of {@link HelpOverlay}. */
export interface HelpOverlayProps {
  /** Every key binding, in the order to list them. */
  bindings: readonly KeyHint[];
  /** Columns the box takes, border included. */
  width: number;
  /** The most rows the box may take, border included. Default: as many as the bindings need. */
  height?: number;
}

/** Rows of the help box that are not bindings: two border rows, the title and the footer. */
const FRAME_ROWS = 4;

/**
 * A bordered box listing every key binding, keys aligned in a column. When
 * the bindings outnumber the rows, they flow into as many columns as needed,
 * so none is ever left out.
 *
 * @example
 * ```tsx
 * <HelpOverlay bindings={[{ key: '?', label: 'help' }, { key: 'q', label: 'quit' }]} width={50} />
 * ```
 */
export function HelpOverlay({ bindings, width, height }: HelpOverlayProps): ReactNode {
  const { color } = useDisplaySettings();
  const rows = Math.max(1, height === undefined ? bindings.length : Math.min(bindings.length, height - FRAME_ROWS));
  const columnCount = Math.max(1, Math.ceil(bindings.length / rows));
  const inner = Math.max(1, width - 4);
  const columnWidth = Math.floor((inner - (columnCount - 1) * 2) / columnCount);
  const keyWidth = Math.min(Math.max(0, ...bindings.map((binding) => textColumns(toDisplayText(binding.key)))), Math.floor(columnWidth / 2));
  const columns = Array.from({ length: columnCount }, (_, index) => bindings.slice(index * rows, (index + 1) * rows));
  return (
    <Box flexDirection="column" width={width} borderStyle="round" borderColor={color ? 'cyan' : undefined} paddingX={1}>
      <Text bold wrap="truncate-end">
        Keys
      </Text>
      <Box flexDirection="row" gap={2}>
        {columns.map((column, index) => (
          <Box key={index} flexDirection="column" width={columnWidth}>
            {column.map((binding, row) => (
              <Text key={row} wrap="truncate-end">
                <Text bold color={color ? 'cyan' : undefined}>
                  {padText(toDisplayText(binding.key), keyWidth)}
                </Text>{' '}
                {toDisplayText(binding.label)}
              </Text>
            ))}
          </Box>
        ))}
      </Box>
      <Text dimColor wrap="truncate-end">
        Esc or ? to close
      </Text>
    </Box>
  );
}
