import { Box, Text } from 'ink';
import { memo, useMemo, type ReactNode } from 'react';
import { SectionView } from '../section-view.js';
import type { SectionRow } from '../state/types.js';
import { DEFAULT_SECTION_CONTENT_LINES, planSidebar, sectionLineCounts } from './sidebar-plan.js';

export { DEFAULT_SECTION_CONTENT_LINES } from './sidebar-plan.js';

/** Memoised: one section's update re-renders that section only. */
const MemoSectionView = memo(SectionView);

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
  /** First content line shown of the focused section, when it is longer than its rows. Default 0. */
  focusedScrollTop?: number;
  /** The sections are what a stopped agent last wrote: drawn dim, colours off (see `SectionView`). Default false. */
  stale?: boolean;
}

/**
 * The selected agent's sections, each through {@link SectionView}, within a
 * fixed height. Every section's content is height-limited; when they still
 * do not all fit, the list scrolls so the focused section is whole on screen
 * and "↑ N more" / "↓ N more" rows say what is hidden. The focused section
 * scrolls within its rows (`focusedScrollTop`); the layout is
 * {@link planSidebar}'s, which the app uses to know how far it can scroll.
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
  focusedScrollTop = 0,
  stale = false,
}: SidebarProps): ReactNode {
  const lineCounts = useMemo(() => sectionLineCounts(sections, width), [sections, width]);
  if (sections.length === 0) {
    return (
      <Box width={width} height={height} overflow="hidden">
        <Text dimColor wrap="truncate-end">
          {emptyText}
        </Text>
      </Box>
    );
  }
  const { caps, window } = planSidebar({ sections, lineCounts, collapsed, focusedId, height, maxContentLines });
  const isCollapsed = (section: SectionRow): boolean => collapsed[section.id] ?? section.collapsed;
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {window.hiddenAbove > 0 && <Text dimColor>↑ {window.hiddenAbove} more</Text>}
      {sections.slice(window.start, window.end).map((section, offset) => (
        <MemoSectionView
          key={section.id}
          title={section.title}
          content={section.content}
          collapsed={isCollapsed(section)}
          maxContentLines={caps[window.start + offset]}
          selected={section.id === focusedId}
          scrollTop={section.id === focusedId ? focusedScrollTop : 0}
          width={width}
          stale={stale}
        />
      ))}
      {window.hiddenBelow > 0 && <Text dimColor>↓ {window.hiddenBelow} more</Text>}
    </Box>
  );
}
