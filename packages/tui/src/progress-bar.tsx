import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useDisplaySettings } from './display-context.js';
import { toDisplayText } from './markup-text.js';

/** Character of the done part of the bar. */
export const BAR_FILLED = '█';
/** Character of the part still to do. */
export const BAR_EMPTY = '░';
/** The widest the bar gets, however wide the line. */
export const MAX_BAR_COLUMNS = 30;
/** Below this many columns of bar, it says nothing a percentage does not; it is dropped. */
export const MIN_BAR_COLUMNS = 5;

/** Props of {@link ProgressLine}. */
export interface ProgressLineProps {
  /** What runs (the command's progress label or name). */
  label: string;
  /** Columns the line may take. */
  width: number;
  /** The latest progress text reported, if any. */
  text?: string;
  /** Fraction done, 0..1 (clamped); without it there is no bar and no percentage. */
  progress?: number;
  /** The spinner frame to draw before the label; the caller animates it (or not, see `DisplaySettings.animate`). */
  spinnerFrame?: string;
}

/**
 * One task's progress on a single row: `⠋ Label ████░░░░  50% latest text`.
 * The label and percentage stay whole; the bar takes about a quarter of the
 * width (none on narrow lines) and the text gets the rest, truncated with `…`.
 *
 * @example
 * ```tsx
 * <ProgressLine label="Checking Gmail" text="Listing unread messages" progress={0.5} spinnerFrame="⠋" width={80} />
 * ```
 */
export function ProgressLine({ label, width, text, progress, spinnerFrame }: ProgressLineProps): ReactNode {
  const { color } = useDisplaySettings();
  const fraction = toFraction(progress);
  const columns = fraction === undefined ? 0 : barColumns(width);
  const bar = fraction === undefined ? undefined : splitBar(fraction, columns);
  return (
    <Box width={width} flexDirection="row">
      {spinnerFrame !== undefined && spinnerFrame !== '' && (
        <Box flexShrink={0} marginRight={1}>
          <Text color={color ? 'cyan' : undefined}>{spinnerFrame}</Text>
        </Box>
      )}
      <Box flexShrink={1}>
        <Text bold wrap="truncate-end">
          {toDisplayText(label)}
        </Text>
      </Box>
      {bar !== undefined && columns > 0 && (
        <Box flexShrink={0} marginLeft={1}>
          <Text color={color ? 'green' : undefined}>{bar.filled}</Text>
          <Text dimColor={color}>{bar.empty}</Text>
        </Box>
      )}
      {fraction !== undefined && (
        <Box flexShrink={0} marginLeft={1}>
          <Text>{formatPercent(fraction).padStart(4)}</Text>
        </Box>
      )}
      {text !== undefined && text !== '' && (
        <Box flexGrow={1} flexShrink={1} flexBasis={0} marginLeft={1}>
          <Text wrap="truncate-end">{toDisplayText(text)}</Text>
        </Box>
      )}
    </Box>
  );
}

/**
 * A usable fraction, or `undefined` when there is none (absent, NaN,
 * infinite); out-of-range values are clamped to 0..1.
 *
 * @example
 * ```ts
 * toFraction(1.2); // 1
 * toFraction(NaN); // undefined
 * ```
 */
export function toFraction(progress: number | undefined): number | undefined {
  if (progress === undefined || !Number.isFinite(progress)) return undefined;
  return Math.min(1, Math.max(0, progress));
}

/**
 * Columns for the bar on a line `width` wide: a quarter of it, at most
 * {@link MAX_BAR_COLUMNS}, and 0 when that is under {@link MIN_BAR_COLUMNS}.
 *
 * @example
 * ```ts
 * barColumns(80); // 20
 * barColumns(16); // 0
 * ```
 */
export function barColumns(width: number): number {
  const columns = Math.min(MAX_BAR_COLUMNS, Math.floor(width / 4));
  return columns < MIN_BAR_COLUMNS ? 0 : columns;
}

/**
 * The bar's two parts for a fraction. Filled cells are rounded down, so the
 * bar is full only when the work is done.
 *
 * @example
 * ```ts
 * splitBar(0.5, 10); // { filled: '█████', empty: '░░░░░' }
 * ```
 */
export function splitBar(fraction: number, columns: number): { filled: string; empty: string } {
  const filled = Math.floor(fraction * columns);
  return { filled: BAR_FILLED.repeat(filled), empty: BAR_EMPTY.repeat(columns - filled) };
}

/**
 * The percentage shown, rounded down: 99.9% done reads `99%`, never `100%`.
 *
 * @example
 * ```ts
 * formatPercent(0.999); // '99%'
 * ```
 */
export function formatPercent(fraction: number): string {
  return `${Math.floor(fraction * 100 + 1e-9)}%`;
}
