/**
 * Which items of a list are on screen, and the rows the scroll hints take.
 *
 * @example
 * ```ts
 * const window: ScrollWindow = { start: 2, end: 5, hiddenAbove: 2, hiddenBelow: 1 };
 * ```
 */
export interface ScrollWindow {
  /** Index of the first item shown. */
  start: number;
  /** Index after the last item shown. */
  end: number;
  /** Items above the window (an "↑ N more" row is drawn when > 0). */
  hiddenAbove: number;
  /** Items below the window (a "↓ N more" row is drawn when > 0). */
  hiddenBelow: number;
}

/**
 * Picks the items to draw in `height` rows so the focused one is whole on
 * screen. Items have their own heights (a section is its title plus its
 * content); each hint row ("↑ N more", "↓ N more") costs one row, and is
 * only paid for when items are actually hidden on that side.
 *
 * Views are stateless, so there is no remembered scroll position: the
 * window starts at the top while the focused item fits from there, and
 * otherwise ends at the focused item; then it takes as many items below as
 * fit. Moving the focus down therefore scrolls one item at a time.
 *
 * An item taller than the whole height still gets a window of its own (the
 * caller clips it); heights are expected to be at least 1.
 *
 * @example
 * ```ts
 * scrollWindow([1, 1, 1, 1, 1], 4, 3); // { start: 3, end: 5, hiddenAbove: 3, hiddenBelow: 0 }: the ↑ hint, then items 3 and 4
 * scrollWindow([1, 1, 1, 1, 1], 0, 3); // { start: 0, end: 2, hiddenAbove: 0, hiddenBelow: 3 }
 * ```
 */
export function scrollWindow(heights: readonly number[], focusIndex: number, height: number): ScrollWindow {
  const count = heights.length;
  if (count === 0) return { start: 0, end: 0, hiddenAbove: 0, hiddenBelow: 0 };
  const focus = Math.min(count - 1, Math.max(0, Math.floor(focusIndex)));
  const fits = (start: number, end: number): boolean => {
    let rows = (start > 0 ? 1 : 0) + (end < count ? 1 : 0);
    for (let i = start; i < end; i++) rows += heights[i] ?? 0;
    return rows <= height;
  };
  let start = 0;
  while (start < focus && !fits(start, focus + 1)) start++;
  let end = focus + 1;
  while (end < count && fits(start, end + 1)) end++;
  return { start, end, hiddenAbove: start, hiddenBelow: count - end };
}

/**
 * Where a plain (one row per item) list starts when scrolled by hand: the
 * offset clamped so the last page is full and never past the end.
 *
 * @example
 * ```ts
 * clampScrollTop(500, 100, 20); // 80
 * clampScrollTop(-3, 100, 20);  // 0
 * ```
 */
export function clampScrollTop(scrollTop: number, total: number, rows: number): number {
  const last = Math.max(0, total - Math.max(0, rows));
  if (!Number.isFinite(scrollTop)) return last;
  return Math.min(last, Math.max(0, Math.floor(scrollTop)));
}
