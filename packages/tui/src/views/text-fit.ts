/**
 * Column arithmetic for the views. Ink truncates and wraps by itself; these
 * are for the few places that must decide *before* drawing what fits (status
 * hints, the secret mask, wrapped URL rows).
 */

// Wide (two-column) code points: CJK, Hangul, fullwidth forms and emoji. A
// rough table, but agent names, keys and hints are nearly always narrow; it
// only has to keep the budget honest for the odd wide character.
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;

/**
 * The columns a string takes on a terminal (no escape sequences expected).
 *
 * @example
 * ```ts
 * textColumns('q quit'); // 6
 * textColumns('日本');   // 4
 * ```
 */
export function textColumns(text: string): number {
  let columns = 0;
  for (const char of text) columns += WIDE.test(char) ? 2 : 1;
  return columns;
}

/**
 * The string cut to `width` columns, ending in `…` when something was cut.
 *
 * @example
 * ```ts
 * truncateText('Watches Gmail for invoices', 10); // 'Watches G…'
 * truncateText('short', 10);                      // 'short'
 * ```
 */
export function truncateText(text: string, width: number): string {
  if (width <= 0) return '';
  if (textColumns(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const char of text) {
    const columns = WIDE.test(char) ? 2 : 1;
    if (used + columns > width - 1) break;
    out += char;
    used += columns;
  }
  return `${out}…`;
}

/**
 * Rows a string takes when hard-wrapped at `width` columns (what Ink does
 * with a word that has no spaces, such as a URL).
 *
 * @example
 * ```ts
 * wrappedRows('x'.repeat(100), 40); // 3
 * ```
 */
export function wrappedRows(text: string, width: number): number {
  return Math.max(1, Math.ceil(textColumns(text) / Math.max(1, width)));
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
 * pre-laid-out view (a task's full result) draws one by one.
 *
 * @example
 * ```ts
 * wrapText('abcdef\ngh', 4); // ['abcd', 'ef', 'gh']
 * ```
 */
export function wrapText(text: string, width: number): string[] {
  const columns = Math.max(1, Math.floor(width));
  const rows: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    let row = '';
    let used = 0;
    for (const char of line) {
      const size = WIDE.test(char) ? 2 : 1;
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
 * expects; a word longer than a row (a URL) is broken where the row ends.
 * The rows a pre-laid-out view draws one by one, so it knows their count.
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
      if (textColumns(joined) <= columns) {
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

/**
 * Text cut to `width` columns in the middle, keeping its beginning and its
 * end (a pasted address: where it goes, and whether it arrived whole).
 *
 * @example
 * ```ts
 * truncateMiddle('http://127.0.0.1:8765/callback?code=abc&state=xyz', 24); // 'http://127.0…c&state=xyz'
 * ```
 */
export function truncateMiddle(text: string, width: number): string {
  if (width <= 0) return '';
  if (textColumns(text) <= width) return text;
  const chars = [...text];
  const tail = Math.floor((width - 1) / 2);
  let end = '';
  for (let i = chars.length - 1; i >= 0 && textColumns(chars[i]! + end) <= tail; i--) end = chars[i]! + end;
  return `${truncateText(text, width - textColumns(end))}${end}`;
}
