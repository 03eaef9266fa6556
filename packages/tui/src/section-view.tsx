import { Box, Text } from 'ink';
import { useMemo, type ReactNode } from 'react';
import { wrapMarkupLines } from './wrap-markup.js';
import { parseMarkup } from './markup.js';
import { MarkupLineText, toDisplayText } from './markup-text.js';

/** Marker before an expanded section's title. */
export const EXPANDED_MARKER = '▾';
/** Marker before a collapsed section's title. */
export const COLLAPSED_MARKER = '▸';

/** Props of {@link SectionView}. */
export interface SectionViewProps {
  /** The section's title, shown as plain text (titles are not markup). */
  title: string;
  /** The section's content in section markup (SPEC §4). */
  content: string;
  /** Collapsed sections show their title line only. */
  collapsed: boolean;
  /**
   * The most rows the content may take, the "… N more lines" hint included.
   * Counted in content lines; each line is truncated to the width, so that
   * is also the height on screen. Default: no limit (lines wrap instead).
   */
  maxContentLines?: number;
  /** Columns available: content lines are wrapped to them (counted as rows by maxContentLines). */
  width?: number;
  /** Draws the title highlighted (the sidebar's selection). */
  selected?: boolean;
}

/**
 * One sidebar section: a title line with a collapse marker, and, when
 * expanded, its content rendered from the markup. Presentational: the
 * caller decides collapse, selection and height.
 *
 * @example
 * ```tsx
 * <SectionView title="Gmail" content={"<c fg='green'>✓ Authenticated</c>\n<b>Account:</b> me@example.com"} collapsed={false} maxContentLines={8} />
 * ```
 */
export function SectionView({ title, content, collapsed, maxContentLines, selected = false, width }: SectionViewProps): ReactNode {
  // Content is indented by two columns under the title.
  const lines = useMemo(() => (width === undefined ? parseMarkup(content) : wrapMarkupLines(parseMarkup(content), width - CONTENT_INDENT)), [content, width]);
  const limited = maxContentLines !== undefined;
  const { shown, hidden } = fitLines(lines.length, maxContentLines);
  return (
    <Box flexDirection="column">
      <Text bold inverse={selected} wrap="truncate-end">
        {collapsed ? COLLAPSED_MARKER : EXPANDED_MARKER} {toDisplayText(title)}
      </Text>
      {!collapsed && (
        <Box flexDirection="column" paddingLeft={CONTENT_INDENT}>
          {lines.slice(0, shown).map((line, index) => (
            <MarkupLineText key={index} line={line} wrap={limited ? 'truncate-end' : 'wrap'} />
          ))}
          {hidden > 0 && <Text dimColor>… {hidden} more {hidden === 1 ? 'line' : 'lines'}</Text>}
        </Box>
      )}
    </Box>
  );
}

/** Columns the content is indented under the title. */
export const CONTENT_INDENT = 2;

/**
 * How many content lines fit in `maxLines` rows, and how many are left for
 * the hint: when they do not all fit, one row goes to the hint.
 *
 * @example
 * ```ts
 * fitLines(10, 4); // { shown: 3, hidden: 7 }
 * fitLines(3, 4);  // { shown: 3, hidden: 0 }
 * ```
 */
export function fitLines(total: number, maxLines: number | undefined): { shown: number; hidden: number } {
  if (maxLines === undefined || total <= maxLines) return { shown: total, hidden: 0 };
  const shown = Math.max(0, Math.floor(maxLines) - 1);
  return { shown, hidden: total - shown };
}
