import { parseMarkupColor, type MarkupColor } from './section-markup-colors.js';

/**
 * A stretch of text with one style. Colours are already validated and
 * normalised (see {@link MarkupColor}); an absent colour means "the
 * terminal's own".
 *
 * @example
 * ```ts
 * const run: StyledRun = { text: 'Configured', fg: 'green', bold: false, italic: false };
 * ```
 */
export interface StyledRun {
  /** The text, shown as is: never contains a line break. */
  text: string;
  /** Foreground colour, when a `<c fg>` is open. */
  fg?: MarkupColor;
  /** Background colour, when a `<c bg>` is open. */
  bg?: MarkupColor;
  /** True inside `<b>`. */
  bold: boolean;
  /** True inside `<i>`. */
  italic: boolean;
}

/** One line of parsed markup: its runs, in order (empty for a blank line). */
export type MarkupLine = StyledRun[];

/**
 * The tags open at some point. A closing tag removes the latest open tag of
 * its own name, so the style depends only on how many `<b>` and `<i>` are
 * open and on the latest `<c>`: counters and one stack whose entries carry
 * the colours in effect (inherited from the `<c>` below), which keeps every
 * step constant-time however deep the input nests.
 */
interface OpenTags {
  bold: number;
  italic: number;
  colors: Array<{ fg?: MarkupColor; bg?: MarkupColor }>;
}

// A tag is `<name attrs>`, `</name>` or `<name/>`, where the name starts with an
// ASCII letter. Anything else after a `<` (`a < b`, `<3`, `<user@host>`,
// `<https://…>`) is not a tag and stays literal text. Quoted values may not
// hold `<`, `>` or a line break: that keeps every match attempt from running
// past the next `<`, so scanning is linear even on hostile input.
const TAG_PATTERN =
  /<(\/?)([A-Za-z][A-Za-z0-9_-]*)((?:\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"<>\n]*"|'[^'<>\n]*'|[^\s"'<>=`]+))?)*)\s*(\/?)>/y;
const ATTRIBUTE_PATTERN = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>=`]+)))?/g;

/**
 * Parses section markup (SPEC §4) into lines of styled runs. Never throws:
 *
 * - `<b>`, `<i>` and `<c fg="…" bg="…">` (quotes single, double or none; names
 *   case-insensitive) style the text until their closing tag or the end;
 * - tags nest: the innermost colour wins, and a closing tag removes exactly
 *   the latest open tag of its name, so misnested input still restores the
 *   style that was in effect before it;
 * - invalid colours are ignored; unknown tags, stray closing tags and
 *   self-closing tags are dropped, their surrounding text kept;
 * - everything else, including a `<` that does not start a tag, is literal
 *   text: nothing is decoded, no escape sequence is interpreted;
 * - a line feed (or CR LF) breaks the line; styles continue across it.
 *
 * @example
 * ```ts
 * const lines = parseMarkup("<b>Credentials:</b> <c fg='green'>Configured</c>\nnext");
 * // lines[0] = [{ text: 'Credentials:', bold: true, … }, { text: ' ', … }, { text: 'Configured', fg: 'green', … }]
 * // lines[1] = [{ text: 'next', bold: false, italic: false }]
 * ```
 */
export function parseMarkup(markup: string): MarkupLine[] {
  const input = markup.replace(/\r\n/g, '\n');
  const lines: MarkupLine[] = [[]];
  const open: OpenTags = { bold: 0, italic: 0, colors: [] };

  const emit = (text: string): void => {
    const style = styleOf(open);
    text.split('\n').forEach((piece, index) => {
      if (index > 0) lines.push([]);
      if (piece !== '') appendRun(lines[lines.length - 1] as MarkupLine, piece, style);
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
    applyTag(open, match[1] === '/', (match[2] ?? '').toLowerCase(), match[3] ?? '', match[4] === '/');
  }
  return lines;
}

/**
 * The text of some markup with every tag removed: what {@link parseMarkup}
 * shows, without styles. Useful for widths, search and plain output.
 *
 * @example
 * ```ts
 * markupToPlainText('<b>a</b> < b'); // 'a < b'
 * ```
 */
export function markupToPlainText(markup: string): string {
  return parseMarkup(markup)
    .map((line) => line.map((run) => run.text).join(''))
    .join('\n');
}

function applyTag(open: OpenTags, closing: boolean, name: string, attributes: string, selfClosing: boolean): void {
  if (name !== 'b' && name !== 'i' && name !== 'c') return;
  // A closing tag with nothing of its name open is stray; it changes nothing.
  if (closing) {
    if (name === 'b') open.bold = Math.max(0, open.bold - 1);
    else if (name === 'i') open.italic = Math.max(0, open.italic - 1);
    else open.colors.pop();
    return;
  }
  // `<b/>` styles nothing; treating it as an opening tag would bold the rest.
  if (selfClosing) return;
  if (name === 'b') open.bold++;
  else if (name === 'i') open.italic++;
  else open.colors.push({ ...open.colors[open.colors.length - 1], ...colorsOf(attributes) });
}

function colorsOf(attributes: string): { fg?: MarkupColor; bg?: MarkupColor } {
  const colors: { fg?: MarkupColor; bg?: MarkupColor } = {};
  for (const [, key, ...values] of attributes.matchAll(ATTRIBUTE_PATTERN)) {
    const value = values.find((v) => v !== undefined);
    const color = value === undefined ? undefined : parseMarkupColor(value);
    if (color === undefined) continue;
    const attribute = (key ?? '').toLowerCase();
    if (attribute === 'fg') colors.fg = color;
    else if (attribute === 'bg') colors.bg = color;
  }
  return colors;
}

function styleOf(open: OpenTags): Omit<StyledRun, 'text'> {
  const style: Omit<StyledRun, 'text'> = { bold: open.bold > 0, italic: open.italic > 0 };
  const colors = open.colors[open.colors.length - 1];
  if (colors?.fg) style.fg = colors.fg;
  if (colors?.bg) style.bg = colors.bg;
  return style;
}

function appendRun(line: MarkupLine, text: string, style: Omit<StyledRun, 'text'>): void {
  const last = line[line.length - 1];
  // Tags that change nothing (`<c fg="nope">`) should not split a run.
  if (last && last.fg === style.fg && last.bg === style.bg && last.bold === style.bold && last.italic === style.italic) {
    last.text += text;
  } else {
    line.push({ text, ...style });
  }
}
