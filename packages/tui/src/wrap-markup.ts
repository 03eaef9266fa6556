import type { MarkupLine, StyledRun } from './markup.js';

/**
 * Breaks parsed markup lines into rows of at most `columns` characters,
 * keeping each character's style, preferring to break after a space. The
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

function wrapLine(line: MarkupLine, width: number): MarkupLine[] {
  // One entry per character, so a break can fall inside a run.
  const chars = line.flatMap((run) => [...run.text].map((char) => ({ char, run })));
  if (chars.length <= width) return [line];
  const rows: MarkupLine[] = [];
  let start = 0;
  while (start < chars.length) {
    let end = Math.min(chars.length, start + width);
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
