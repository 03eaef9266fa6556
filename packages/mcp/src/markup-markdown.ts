import { markupToPlainText, parseMarkup, type StyledRun } from '@opperator/protocol';

/** A run as Markdown sees it: colours do not render there. */
type Run = Pick<StyledRun, 'text' | 'bold' | 'italic'>;

/**
 * Renders section markup as Markdown: `<b>` becomes `**…**`, `<i>` `_…_`,
 * colours are dropped (their text kept), unknown tags are dropped as the TUI
 * drops them, and everything else is escaped so an agent's text cannot
 * inject links, headings or HTML into the client's rendering. Line breaks
 * stay line breaks. Never throws.
 *
 * @example
 * ```ts
 * markupToMarkdown("<b>Auth:</b> <c fg='green'>✓ signed in</c> [x]");
 * // '**Auth:** ✓ signed in \\[x\\]'
 * ```
 */
export function markupToMarkdown(markup: string): string {
  // The TUI's parser (@opperator/protocol): the same tags dropped, the same text kept.
  return parseMarkup(markup)
    .map((line) => renderLine(line))
    .join('\n');
}

/**
 * Section markup as plain text: every tag removed, nothing escaped.
 *
 * @example
 * ```ts
 * markupToText('<b>a</b> < b'); // 'a < b'
 * ```
 */
export function markupToText(markup: string): string {
  return markupToPlainText(markup);
}

function renderLine(runs: readonly Run[]): string {
  // Neighbouring runs of one style (split by a colour change) render as one span.
  const merged: Run[] = [];
  for (const run of runs) {
    const last = merged[merged.length - 1];
    if (last && last.bold === run.bold && last.italic === run.italic) last.text += run.text;
    else merged.push({ text: run.text, bold: run.bold, italic: run.italic });
  }
  const text = merged.map((run) => emphasize(run)).join('');
  // Block syntax only counts at the start of a line: a list marker, an ordered list, a quote.
  return text.replace(/^(\s*)([-+]|\d+\.)(?=\s|$)/, (_all, space: string, marker: string) => `${space}${marker.replace(/([-+.])$/, '\\$1')}`);
}

function emphasize(run: Run): string {
  if (!run.bold && !run.italic) return escapeMarkdown(run.text);
  // CommonMark emphasis may not start or end with a space: keep the spaces outside the markers.
  const [, lead = '', core = '', trail = ''] = /^(\s*)([\s\S]*?)(\s*)$/.exec(run.text) ?? [];
  if (core === '') return run.text;
  const marker = `${run.bold ? '**' : ''}${run.italic ? '_' : ''}`;
  const closing = [...marker].reverse().join('');
  return `${lead}${marker}${escapeMarkdown(core)}${closing}${trail}`;
}

/** Backslash-escapes the ASCII punctuation Markdown gives a meaning inside a line. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>#|~!]/g, '\\$&');
}
