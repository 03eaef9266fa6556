import { Box, Text } from 'ink';
import { memo, useMemo, type ReactNode } from 'react';
import { parseMarkup } from '../markup.js';
import { CONTENT_INDENT, SectionView } from '../section-view.js';
import { wrapMarkupLines } from '../wrap-markup.js';
import type { SectionRow } from '../state/types.js';
import { scrollWindow } from './scroll-window.js';

/** Memoised: one section's update re-renders that section only. */
const MemoSectionView = memo(SectionView);

/** Content rows a section gets when the caller does not say. */
export const DEFAULT_SECTION_CONTENT_LINES = 8;

/** Props of {@link Sidebar}. */
export interface SidebarProps {
  /** The selected agent's sections, in the agent's order. */
  sections: readonly SectionRow[];
  /** Rows the sidebar may take. */
  height: number;
  /** Columns the sidebar may take. */
  width: number;
  /** Collapse state the user chose, by section id; overrides `section.collapsed`. */
  collapsed?: Readonly<Record<string, boolean>>;
  /** Id of the focused section: highlighted, and always whole on screen. */
  focusedId?: string;
  /**
   * The most content rows any one section takes (its "… N more lines" hint
   * included), so one long section cannot push the others out. Default
   * {@link DEFAULT_SECTION_CONTENT_LINES}, and never more than fits. Rows
   * left over when everything fits go to the focused section.
   */
  maxContentLines?: number;
  /** Text when there are no sections. Default "No sections." */
  emptyText?: string;
}

/**
 * The selected agent's sections, each through {@link SectionView}, within a
 * fixed height. Every section's content is height-limited; when they still
 * do not all fit, the list scrolls so the focused section is whole on screen
 * and "↑ N more" / "↓ N more" rows say what is hidden.
 *
 * @example
 * ```tsx
 * <Sidebar sections={sections} collapsed={{ logs: true }} focusedId="stats" width={30} height={12} />
 * ```
 */
export function Sidebar({
  sections,
  height,
  width,
  collapsed = {},
  focusedId,
  maxContentLines = DEFAULT_SECTION_CONTENT_LINES,
  emptyText = 'No sections.',
}: SidebarProps): ReactNode {
  // A section never takes more than the sidebar minus its title and the two hint rows.
  const contentCap = Math.max(1, Math.min(maxContentLines, height - 3));
  const lineCounts = useMemo(() => sections.map((section) => wrapMarkupLines(parseMarkup(section.content), width - CONTENT_INDENT).length), [sections, width]);
  if (sections.length === 0) {
    return (
      <Box width={width} height={height} overflow="hidden">
        <Text dimColor wrap="truncate-end">
          {emptyText}
        </Text>
      </Box>
    );
  }
  const isCollapsed = (section: SectionRow): boolean => collapsed[section.id] ?? section.collapsed;
  const caps = sections.map(() => contentCap);
  const rowsOf = (index: number): number => (isCollapsed(sections[index] as SectionRow) ? 0 : Math.min(lineCounts[index] ?? 0, caps[index] ?? 0));
  const focusIndex = sections.findIndex((section) => section.id === focusedId);
  // Rows nobody uses go to the focused section, so reading a long section
  // needs no scrolling when the others are short.
  const spare = height - sections.reduce((sum, _, index) => sum + 1 + rowsOf(index), 0);
  if (focusIndex !== -1 && spare > 0) caps[focusIndex] = contentCap + spare;
  const heights = sections.map((_, index) => 1 + rowsOf(index));
  const window = scrollWindow(heights, Math.max(0, focusIndex), height);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {window.hiddenAbove > 0 && <Text dimColor>↑ {window.hiddenAbove} more</Text>}
      {sections.slice(window.start, window.end).map((section, offset) => (
        <MemoSectionView
          key={section.id}
          title={section.title}
          content={section.content}
          collapsed={isCollapsed(section)}
          maxContentLines={caps[window.start + offset] ?? contentCap}
          selected={section.id === focusedId}
          width={width}
        />
      ))}
      {window.hiddenBelow > 0 && <Text dimColor>↓ {window.hiddenBelow} more</Text>}
    </Box>
  );
}
