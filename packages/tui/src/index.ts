/**
 * `@opperator/tui`: the terminal UI's building blocks (issue 7). So far: the
 * section-markup parser and the presentational components for a section and
 * a task's progress line. See packages/tui/README.md for what comes next.
 *
 * @packageDocumentation
 */
export { parseMarkup, markupToPlainText, type StyledRun, type MarkupLine } from './markup.js';
export { parseMarkupColor, MARKUP_COLOR_NAMES, type MarkupColor, type MarkupColorName } from './markup-colors.js';
export { toInkColor } from './ink-colors.js';
export { resolveDisplaySettings, type DisplaySettings, type ResolveDisplaySettingsOptions } from './display-settings.js';
export { DisplaySettingsContext, useDisplaySettings } from './display-context.js';
export { MarkupLineText, toDisplayText, type MarkupLineTextProps } from './markup-text.js';
export { SectionView, fitLines, EXPANDED_MARKER, COLLAPSED_MARKER, type SectionViewProps } from './section-view.js';
export {
  ProgressLine,
  toFraction,
  barColumns,
  splitBar,
  formatPercent,
  BAR_FILLED,
  BAR_EMPTY,
  MAX_BAR_COLUMNS,
  MIN_BAR_COLUMNS,
  type ProgressLineProps,
} from './progress-bar.js';
