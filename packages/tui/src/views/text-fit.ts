/**
 * Column arithmetic for the views, in Ink's own units. Ink measures text
 * with string-width, truncates with cli-truncate and wraps with wrap-ansi;
 * this package depends on the same majors (see package.json), so a width
 * computed here is the width Ink lays out and draws. These are for the places
 * that must decide *before* drawing what fits (status hints, padded columns,
 * the secret mask, rows of a URL, wrapped section lines).
 */
import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';

// Grapheme clusters: what a terminal draws as one character (👩‍💻, 🇫🇷, 👍🏽, é as e + U+0301).
const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

// Printable ASCII: one column per character, each its own cluster.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * The columns a string takes on a terminal, as Ink counts them (string-width).
 *
 * @example
 * ```ts
 * textColumns('q quit');    // 6
 * textColumns('日本');      // 4
 * textColumns('🚀 deploy'); // 9
 * textColumns('👩‍💻');       // 2 (one ZWJ sequence)
 * ```
 */
export function textColumns(text: string): number {
  return stringWidth(text);
}

/**
 * The string split into what the terminal draws as single characters
 * (grapheme clusters): an emoji ZWJ sequence, a flag, an emoji with its skin
 * tone or a letter with its combining accents stays whole.
 *
 * @example
 * ```ts
 * graphemes('a👩‍💻é'); // ['a', '👩‍💻', 'é']
 * ```
 */
export function graphemes(text: string): string[] {
  return Array.from(GRAPHEMES.segment(text), (part) => part.segment);
}

/**
 * The string cut to at most `width` columns, ending in `…` when something
 * was cut (cli-truncate, as Ink's `wrap="truncate-end"`).
 *
 * @example
 * ```ts
 * truncateText('Watches Gmail for invoices', 10); // 'Watches G…'
 * truncateText('日本語日本語', 4);                // '日…' (3 columns: 本 would need 5)
 * truncateText('short', 10);                      // 'short'
 * ```
 */
export function truncateText(text: string, width: number): string {
  return fitTruncate(text, width, 'end');
}

/**
 * Text cut to at most `width` columns in the middle, keeping its beginning
 * and its end (a pasted address: where it goes, and whether it arrived whole).
 *
 * @example
 * ```ts
 * truncateMiddle('http://127.0.0.1:8765/callback?code=abc&state=xyz', 24); // 'http://127.0…c&state=xyz'
 * ```
 */
export function truncateMiddle(text: string, width: number): string {
  return fitTruncate(text, width, 'middle');
}

function fitTruncate(text: string, width: number, position: 'end' | 'middle'): string {
  const columns = Math.floor(width);
  if (columns <= 0) return '';
  if (stringWidth(text) <= columns) return text;
  // cli-truncate 5 returns one column too many when its cut falls inside a
  // wide character (its issue #28; Ink then clips the `…` off): asking for
  // one column less gives the widest cut that fits.
  for (let asked = columns; asked > 0; asked--) {
    const cut = cliTruncate(text, asked, { position });
    if (stringWidth(cut) <= columns) return cut;
  }
  return '';
}

/**
 * The string cut (see {@link truncateText}) and padded with spaces to exactly
 * `width` columns: a column of keys or names that lines up whatever they hold.
 *
 * @example
 * ```ts
 * padText('q', 3);   // 'q  '
 * padText('日本', 5); // '日本 '
 * ```
 */
export function padText(text: string, width: number): string {
  const cut = truncateText(text, width);
  return cut + ' '.repeat(Math.max(0, Math.floor(width) - stringWidth(cut)));
}

/**
 * Rows Ink draws a `<Text>` in when its box is `width` columns wide (its
 * default `wrap`): the text's own lines when they fit, else what wrap-ansi
 * makes of them, as Ink does.
 *
 * @example
 * ```ts
 * wrappedRows('x'.repeat(100), 40); // 3
 * wrappedRows('日本語', 4);          // 2
 * ```
 */
export function wrappedRows(text: string, width: number): number {
  const columns = Math.max(1, Math.floor(width));
  const lines = text.split('\n');
  if (lines.every((line) => stringWidth(line) <= columns)) return lines.length;
  return wrapAnsi(text, columns, { hard: true, trim: false }).split('\n').length;
}

/**
 * One line of any text: line breaks become ` ↵ ` so a multi-line message
 * keeps its single row in a list.
 *
 * @example
 * ```ts
 * toOneLine('first\nsecond'); // 'first ↵ second'
 * ```
 */
export function toOneLine(text: string): string {
  return text.replace(/\r?\n/g, ' ↵ ');
}

/**
 * Text hard-wrapped at `width` columns, each line break kept: the rows a
 * pre-laid-out view (a task's full result, a URL) draws one by one. Breaks
 * fall between grapheme clusters, never inside one (wrap-ansi 9, which Ink
 * uses, splits 👩‍💻 and 👍🏽 in two), and each row measures at most `width`
 * by string-width, so Ink draws it as it is. A character wider than the
 * row (an emoji in one column) gets a row of its own.
 *
 * @example
 * ```ts
 * wrapText('abcdef\ngh', 4); // ['abcd', 'ef', 'gh']
 * wrapText('👩‍💻👩‍💻👩‍💻', 5); // ['👩‍💻👩‍💻', '👩‍💻']
 * ```
 */
export function wrapText(text: string, width: number): string[] {
  const columns = Math.max(1, Math.floor(width));
  const rows: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (PRINTABLE_ASCII.test(line)) {
      // One column per character: rows are slices, no segmenting (a task's whole JSON result can be large).
      for (let at = 0; at < line.length || at === 0; at += columns) rows.push(line.slice(at, at + columns));
      continue;
    }
    let row = '';
    let used = 0;
    for (const char of graphemes(line)) {
      const size = stringWidth(char);
      if (used + size > columns && row !== '') {
        rows.push(row);
        row = '';
        used = 0;
      }
      row += char;
      used += size;
    }
    rows.push(row);
  }
  return rows;
}

/**
 * Prose wrapped at `width` columns between words, as a terminal reader
 * expects; a word longer than a row (a URL) is broken where the row ends
 * (see {@link wrapText}). The rows a pre-laid-out view draws one by one, so
 * it knows their count.
 *
 * @example
 * ```ts
 * wrapWords('Paste the address here', 10); // ['Paste the', 'address', 'here']
 * wrapWords('code     ABCD-EFGH', 40);      // ['code     ABCD-EFGH'] (spaces within a row kept)
 * ```
 */
export function wrapWords(text: string, width: number): string[] {
  const columns = Math.max(1, Math.floor(width));
  const rows: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    // undefined: nothing on this row yet, so the space before the next word is the break.
    let row: string | undefined;
    for (const word of line.split(' ')) {
      const joined = row === undefined ? word : `${row} ${word}`;
      if (stringWidth(joined) <= columns) {
        row = joined;
        continue;
      }
      if (row !== undefined && row.trim() !== '') rows.push(row);
      // A word wider than a row fills rows of its own; its last piece starts the next row.
      const pieces = wrapText(word, columns);
      rows.push(...pieces.slice(0, -1));
      row = pieces.at(-1) || undefined;
    }
    rows.push(row ?? '');
  }
  return rows;
}
