import type { MarkupLine, StyledRun } from '@opperator/protocol';
import { graphemes, textColumns } from './views/text-fit.js';

/**
 * Breaks parsed markup lines into rows of at most `columns` columns (as Ink
 * measures them: 日 and 🚀 take two), keeping each character's style,
 * preferring to break after a space, never inside a grapheme cluster (👩‍💻,
 * 🇫🇷, 👍🏽 stay whole, unlike Ink's own wrap). The
 * sidebar is narrow and sections hold commands to copy (`opperator secret
 * set …`): wrapped, they stay readable where truncation would cut them.
 *
 * @example
 * ```ts
 * wrapMarkupLines(parseMarkup('<b>Next:</b> opperator secret set a_long_name'), 20).length; // 3
 * ```
 */
export function wrapMarkupLines(lines: readonly MarkupLine[], columns: number): MarkupLine[] {
  const width = Math.max(1, Math.floor(columns));
  return lines.flatMap((line) => wrapLine(line, width));
}

// Printable ASCII: one column per character, no clusters; most section text, measured without segmenting.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function wrapLine(line: MarkupLine, width: number): MarkupLine[] {
  if (line.reduce((sum, run) => sum + textColumns(run.text), 0) <= width) return [line];
  // One entry per character drawn, so a break can fall inside a run.
  const chars = line.flatMap((run) =>
    PRINTABLE_ASCII.test(run.text) ? Array.from(run.text, (char) => ({ char, run, columns: 1 })) : graphemes(run.text).map((char) => ({ char, run, columns: textColumns(char) })),
  );
  const rows: MarkupLine[] = [];
  let start = 0;
  while (start < chars.length) {
    // As many characters as fit, at least one (a wide one in a one-column row).
    let end = start;
    let used = 0;
    while (end < chars.length && (end === start || used + chars[end]!.columns <= width)) used += chars[end++]!.columns;
    if (end < chars.length) {
      const space = chars.slice(start, end).map((c) => c.char).lastIndexOf(' ');
      if (space > 0) end = start + space + 1;
    }
    rows.push(toRuns(chars.slice(start, end)));
    start = end;
  }
  return rows;
}

function toRuns(chars: ReadonlyArray<{ char: string; run: StyledRun }>): MarkupLine {
  const runs: StyledRun[] = [];
  for (const { char, run } of chars) {
    const last = runs.at(-1);
    if (last && sameStyle(last, run)) last.text += char;
    else runs.push({ ...run, text: char });
  }
  return runs;
}

function sameStyle(a: StyledRun, b: StyledRun): boolean {
  return a.fg === b.fg && a.bg === b.bg && a.bold === b.bold && a.italic === b.italic;
}
