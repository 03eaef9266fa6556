import { Text } from 'ink';
import type { ReactNode } from 'react';
import { useDisplaySettings } from './display-context.js';
import { toInkColor } from './ink-colors.js';
import type { MarkupLine } from '@opperator/protocol';

/** Props of {@link MarkupLineText}. */
export interface MarkupLineTextProps {
  /** One parsed line (see `parseMarkup`). */
  line: MarkupLine;
  /** Ink's wrap mode for the line. Default `wrap`. */
  wrap?: 'wrap' | 'truncate-end';
  /** Drawn dim and without its colours: text that is no longer current (a stopped agent's section). */
  dim?: boolean;
}

// C0 and C1 controls and DEL (ESC above all: CSI, OSC 52 clipboard writes;
// U+009B is a one-character CSI), and the bidi controls that reorder what is
// drawn (ALM, LRM, RLM, embeddings and overrides, isolates).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNDRAWABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Makes agent-supplied text safe to draw: control characters (ESC above all)
 * would otherwise be interpreted by the terminal, and bidi controls would
 * reorder the screen, so they become U+FFFD; a tab becomes two spaces, since
 * Ink measures it as zero columns. Every view passes agent text through it
 * where the text enters (see docs/cli.md, "Text from agents on the terminal").
 *
 * @example
 * ```ts
 * toDisplayText('a\u001b[2Jb'); // 'a\uFFFD[2Jb'
 * toDisplayText('\u202eexe.txt'); // '\uFFFDexe.txt'
 * ```
 */
export function toDisplayText(text: string): string {
  return text.replace(/\t/g, '  ').replace(UNDRAWABLE, '\uFFFD');
}

/**
 * One line of section markup as an Ink `<Text>`: each run a nested `<Text>`
 * with its colours (only when colour is on), bold and italic. A blank line
 * keeps its row.
 *
 * @example
 * ```tsx
 * <MarkupLineText line={parseMarkup("<c fg='green'>OK</c>")[0]!} />
 * ```
 */
export function MarkupLineText({ line, wrap = 'wrap', dim = false }: MarkupLineTextProps): ReactNode {
  const { color: colorOn } = useDisplaySettings();
  // A stale green "✓ Running" must not read as current: dim, and no colours.
  const color = colorOn && !dim;
  if (line.length === 0) return <Text> </Text>;
  return (
    <Text wrap={wrap} dimColor={dim}>
      {line.map((run, index) => (
        <Text
          key={index}
          bold={run.bold}
          italic={run.italic}
          color={color && run.fg ? toInkColor(run.fg) : undefined}
          backgroundColor={color && run.bg ? toInkColor(run.bg) : undefined}
        >
          {toDisplayText(run.text)}
        </Text>
      ))}
    </Text>
  );
}
