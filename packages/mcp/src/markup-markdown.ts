/**
 * Section markup (SPEC §4: `<b>`, `<i>`, `<c fg bg>`) as Markdown for MCP
 * clients. The tag grammar is the TUI's (packages/tui/src/markup.ts): a `<`
 * that does not start a well-formed tag is literal text, quoted attribute
 * values hold no `<`, `>` or line break, so a scan is linear on any input.
 */
const TAG_PATTERN =
  /<(\/?)([A-Za-z][A-Za-z0-9_-]*)((?:\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"<>\n]*"|'[^'<>\n]*'|[^\s"'<>=`]+))?)*)\s*(\/?)>/y;

interface Run {
  text: string;
  bold: boolean;
  italic: boolean;
}

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
  return parseRuns(markup.replace(/\r\n/g, '\n'))
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
  return parseRuns(markup.replace(/\r\n/g, '\n'))
    .map((line) => line.map((run) => run.text).join(''))
    .join('\n');
}

function parseRuns(input: string): Run[][] {
  const lines: Run[][] = [[]];
  // Counters, not stacks: a closing tag undoes its latest opening, so misnested input still ends unstyled.
  let bold = 0;
  let italic = 0;
  const emit = (text: string): void => {
    text.split('\n').forEach((piece, index) => {
      if (index > 0) lines.push([]);
      if (piece !== '') lines[lines.length - 1]!.push({ text: piece, bold: bold > 0, italic: italic > 0 });
    });
  };
  let position = 0;
  while (position < input.length) {
    const lt = input.indexOf('<', position);
    if (lt === -1) {
      emit(input.slice(position));
      break;
    }
    if (lt > position) emit(input.slice(position, lt));
    TAG_PATTERN.lastIndex = lt;
    const match = TAG_PATTERN.exec(input);
    if (!match) {
      emit('<');
      position = lt + 1;
      continue;
    }
    position = TAG_PATTERN.lastIndex;
    const [, closing, rawName, , selfClosing] = match;
    const name = (rawName ?? '').toLowerCase();
    if (selfClosing === '/') continue;
    const step = closing === '/' ? -1 : 1;
    if (name === 'b') bold = Math.max(0, bold + step);
    else if (name === 'i') italic = Math.max(0, italic + step);
  }
  return lines;
}

function renderLine(runs: Run[]): string {
  // Neighbouring runs of one style (split by a colour change) render as one span.
  const merged: Run[] = [];
  for (const run of runs) {
    const last = merged[merged.length - 1];
    if (last && last.bold === run.bold && last.italic === run.italic) last.text += run.text;
    else merged.push({ ...run });
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
