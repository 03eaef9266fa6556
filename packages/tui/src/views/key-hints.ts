import { textColumns } from './text-fit.js';

/**
 * One key binding as the views show it.
 *
 * @example
 * ```ts
 * const quit: KeyHint = { key: 'q', label: 'quit' };
 * ```
 */
export interface KeyHint {
  /** The key(s) as drawn: `q`, `Enter`, `↑↓`, `Ctrl+C`. */
  key: string;
  /** What it does, short: `quit`, `logs/tasks`. */
  label: string;
}

/** Columns between two hints. */
export const HINT_GAP = 2;

/**
 * Columns a hint takes: `key label`.
 *
 * @example
 * ```ts
 * hintColumns({ key: 'q', label: 'quit' }); // 6
 * ```
 */
export function hintColumns(hint: KeyHint): number {
  return textColumns(hint.key) + 1 + textColumns(hint.label);
}

/**
 * The leading hints that fit in `width` columns, gaps included: hints are
 * given most important first, so the ones dropped are from the end.
 *
 * @example
 * ```ts
 * fitHints([{ key: 'q', label: 'quit' }, { key: '?', label: 'help' }], 10); // [{ key: 'q', label: 'quit' }]
 * ```
 */
export function fitHints(hints: readonly KeyHint[], width: number): KeyHint[] {
  const fitted: KeyHint[] = [];
  let used = 0;
  for (const hint of hints) {
    const columns = hintColumns(hint) + (fitted.length > 0 ? HINT_GAP : 0);
    if (used + columns > width) break;
    fitted.push(hint);
    used += columns;
  }
  return fitted;
}
