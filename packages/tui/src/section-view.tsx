import { Box, Text } from 'ink';
import { useMemo, type ReactNode } from 'react';
import { wrapMarkupLines } from './wrap-markup.js';
import { parseMarkup } from '@opperator/protocol';
import { MarkupLineText, toDisplayText } from './markup-text.js';
import { truncateText } from './views/text-fit.js';

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
  /** First content line shown when the content is longer than `maxContentLines` (clamped so the last page is full). Default 0. */
  scrollTop?: number;
  /** Draws the section dim, its colours off: what a stopped agent last wrote, no longer current. Default false. */
  stale?: boolean;
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
export function SectionView({ title, content, collapsed, maxContentLines, selected = false, width, scrollTop = 0, stale = false }: SectionViewProps): ReactNode {
  // Content is indented by two columns under the title.
  const lines = useMemo(() => (width === undefined ? parseMarkup(content) : wrapMarkupLines(parseMarkup(content), width - CONTENT_INDENT)), [content, width]);
  const limited = maxContentLines !== undefined;
  const { start, shown, above, hidden } = fitLines(lines.length, maxContentLines, scrollTop);
  // Cut here rather than by Ink: its cut can end inside a wide character (日, 🚀) and then loses the `…`.
  const heading = `${collapsed ? COLLAPSED_MARKER : EXPANDED_MARKER} ${toDisplayText(title)}`;
  return (
    <Box flexDirection="column">
      <Text bold inverse={selected} dimColor={stale} wrap="truncate-end">
        {width === undefined ? heading : truncateText(heading, width)}
      </Text>
      {!collapsed && (
        <Box flexDirection="column" paddingLeft={CONTENT_INDENT}>
          {above > 0 && <Text dimColor>… {above} {above === 1 ? 'line' : 'lines'} above</Text>}
          {lines.slice(start, start + shown).map((line, index) => (
            <MarkupLineText key={start + index} line={line} wrap={limited ? 'truncate-end' : 'wrap'} dim={stale} />
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
 * Which content lines fit in `maxLines` rows when the view starts at line
 * `scrollTop`: a row goes to "… N lines above" when scrolled, and one to
 * "… N more lines" when lines are left below. `scrollTop` is clamped so the
 * last page is full (see {@link maxScrollTop}).
 *
 * @example
 * ```ts
 * fitLines(10, 4);    // { start: 0, shown: 3, above: 0, hidden: 7 }
 * fitLines(10, 4, 3); // { start: 3, shown: 2, above: 3, hidden: 5 }
 * fitLines(10, 4, 9); // { start: 7, shown: 3, above: 7, hidden: 0 }
 * fitLines(3, 4);     // { start: 0, shown: 3, above: 0, hidden: 0 }
 * ```
 */
export function fitLines(total: number, maxLines: number | undefined, scrollTop = 0): { start: number; shown: number; above: number; hidden: number } {
  if (maxLines === undefined || total <= maxLines) return { start: 0, shown: total, above: 0, hidden: 0 };
  const rows = Math.max(0, Math.floor(maxLines));
  const start = Math.min(maxScrollTop(total, rows), Math.max(0, Math.floor(scrollTop)));
  if (start === 0) {
    const shown = Math.max(0, rows - 1);
    return { start, shown, above: 0, hidden: total - shown };
  }
  // Scrolled: the "above" row, then lines, then the "more" row unless this is the last page.
  const lastPage = start + rows - 1 >= total;
  const shown = Math.max(0, lastPage ? total - start : rows - 2);
  return { start, shown, above: start, hidden: total - start - shown };
}

/**
 * The largest useful `scrollTop` for {@link fitLines}: the one that shows the
 * last lines on a full page (under the "… N lines above" row).
 *
 * @example
 * ```ts
 * maxScrollTop(10, 4); // 7: "… 7 lines above", lines 8–10
 * maxScrollTop(3, 4);  // 0: everything fits
 * ```
 */
export function maxScrollTop(total: number, maxLines: number): number {
  // Under two rows there is no room for a line below the "above" row.
  return total <= maxLines || maxLines < 2 ? 0 : total - Math.floor(maxLines) + 1;
}
