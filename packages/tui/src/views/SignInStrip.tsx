import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useDisplaySettings } from '../display-context.js';
import type { StripLine } from './sign-in-strip.js';

/** Props of {@link SignInStrip}. */
export interface SignInStripProps {
  /** The rows, from `signInStripLines` (which also tells the layout how many there are). */
  lines: readonly StripLine[];
  /** Columns the strip takes: the whole width of the screen. */
  width: number;
}

/**
 * The sign-in strip above the status line, one row per line and nothing
 * else on those rows (no border, no other column), so a wrapped URL is
 * selected and copied on its own. The paste field's input row ends in a
 * cursor.
 *
 * @example
 * ```tsx
 * <SignInStrip lines={signInStripLines({ field }, 100, 20)} width={100} />
 * ```
 */
export function SignInStrip({ lines, width }: SignInStripProps): ReactNode {
  const { color } = useDisplaySettings();
  const colorOf = (style: StripLine['style']): string | undefined => {
    if (!color) return undefined;
    return style === 'url' || style === 'command' ? 'cyan' : style === 'busy' ? 'yellow' : style === 'refused' ? 'red' : style === 'title' ? 'magenta' : undefined;
  };
  return (
    <Box flexDirection="column" width={width} height={lines.length} flexShrink={0} overflow="hidden">
      {lines.map((line, index) => (
        <Text key={index} wrap="truncate-end" bold={line.style === 'title'} dimColor={line.style === 'dim'} underline={line.style === 'url'} color={colorOf(line.style)}>
          {line.text === '' ? ' ' : line.text}
          {line.style === 'input' && <Text inverse> </Text>}
        </Text>
      ))}
    </Box>
  );
}
