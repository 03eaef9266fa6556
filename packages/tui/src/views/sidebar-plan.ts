import { parseMarkup } from '@opperator/protocol';
import { CONTENT_INDENT, maxScrollTop } from '../section-view.js';
import type { SectionRow } from '../state/types.js';
import { wrapMarkupLines } from '../wrap-markup.js';
import { scrollWindow, type ScrollWindow } from './scroll-window.js';

/** Content rows a section gets when the caller does not say. */
export const DEFAULT_SECTION_CONTENT_LINES = 8;

/** What {@link planSidebar} needs: the sections and the room they have. */
export interface SidebarInput {
  sections: readonly SectionRow[];
  /** Content lines of each section at the sidebar's width (see {@link sectionLineCounts}). */
  lineCounts: readonly number[];
  /** Collapse state the user chose, by section id; overrides `section.collapsed`. */
  collapsed: Readonly<Record<string, boolean>>;
  focusedId: string | undefined;
  height: number;
  /** The most content rows any one section takes, before spare rows go to the focused one. */
  maxContentLines: number;
}

/** Where each section goes: its content rows and which sections are on screen. */
export interface SidebarPlan {
  /** Content rows each section may take (its hint rows included). */
  caps: number[];
  window: ScrollWindow;
  /** Index of the focused section, -1 for none. */
  focusIndex: number;
}

/**
 * Content lines of each section once wrapped to the sidebar's width.
 *
 * @example
 * ```ts
 * sectionLineCounts([{ content: 'a\nb', ...rest }], 30); // [2]
 * ```
 */
export function sectionLineCounts(sections: readonly SectionRow[], width: number): number[] {
  return sections.map((section) => wrapMarkupLines(parseMarkup(section.content), width - CONTENT_INDENT).length);
}

/**
 * Lays the sections out in `height` rows: every section's content is capped
 * (so one long section cannot push the others out), rows nobody uses go to
 * the focused section, and the list scrolls so the focused one is whole.
 *
 * @example
 * ```ts
 * const { caps, window } = planSidebar({ sections, lineCounts, collapsed: {}, focusedId: 'auth', height: 12, maxContentLines: 8 });
 * ```
 */
export function planSidebar({ sections, lineCounts, collapsed, focusedId, height, maxContentLines }: SidebarInput): SidebarPlan {
  // A section never takes more than the sidebar minus its title and the two hint rows.
  const contentCap = Math.max(1, Math.min(maxContentLines, height - 3));
  const isCollapsed = (index: number): boolean => {
    const section = sections[index] as SectionRow;
    return collapsed[section.id] ?? section.collapsed;
  };
  const caps = sections.map(() => contentCap);
  const rowsOf = (index: number): number => (isCollapsed(index) ? 0 : Math.min(lineCounts[index] ?? 0, caps[index] ?? 0));
  const focusIndex = sections.findIndex((section) => section.id === focusedId);
  // Rows nobody uses go to the focused section, so reading a long section
  // needs no scrolling when the others are short.
  const spare = height - sections.reduce((sum, _, index) => sum + 1 + rowsOf(index), 0);
  if (focusIndex !== -1 && spare > 0) caps[focusIndex] = contentCap + spare;
  const heights = sections.map((_, index) => 1 + rowsOf(index));
  return { caps, window: scrollWindow(heights, Math.max(0, focusIndex), height), focusIndex };
}

/**
 * How far the focused section can scroll: 0 when it fits (or is collapsed),
 * else the first line of its last full page. Keys clamp to it, so PgUp after
 * reaching the end moves at once.
 *
 * @example
 * ```ts
 * focusedScrollLimit(input); // 42
 * ```
 */
export function focusedScrollLimit(input: SidebarInput): number {
  const { caps, focusIndex } = planSidebar(input);
  const focused = input.sections[focusIndex];
  if (!focused || (input.collapsed[focused.id] ?? focused.collapsed)) return 0;
  return maxScrollTop(input.lineCounts[focusIndex] ?? 0, caps[focusIndex] ?? 0);
}
