import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useDisplaySettings } from '../display-context.js';
import { toDisplayText } from '../markup-text.js';

/** Props of {@link ConfirmDialog}. */
export interface ConfirmDialogProps {
  /** The question, such as `Stop invoice-monitor?`. */
  question: string;
  /** Columns the box takes, border included. */
  width: number;
}

/**
 * A bordered yes/no question: `Stop invoice-monitor? y/n`, the answer keys
 * bold. The caller handles `y`, `n` and Esc.
 *
 * @example
 * ```tsx
 * <ConfirmDialog question="Stop invoice-monitor?" width={40} />
 * ```
 */
export function ConfirmDialog({ question, width }: ConfirmDialogProps): ReactNode {
  const { color } = useDisplaySettings();
  return (
    <Box width={width} borderStyle="round" borderColor={color ? 'yellow' : undefined} paddingX={1}>
      <Text>
        {toDisplayText(question)} <Text bold>y</Text>/<Text bold>n</Text>
      </Text>
    </Box>
  );
}
