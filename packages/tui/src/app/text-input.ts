import type { Key } from 'ink';

/**
 * One key applied to a one-line text field: printable input appends,
 * Backspace/Delete removes the last character; other keys leave it.
 *
 * @example
 * ```ts
 * editText('ab', '', { backspace: true } as Key); // 'a'
 * ```
 */
export function editText(text: string, input: string, key: Key): string {
  if (key.backspace || key.delete) return text.slice(0, -1);
  if (key.ctrl || key.meta || key.escape || key.return || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return text;
  // Pasted text arrives as one input; control characters never belong in a field.
  return text + [...input].filter((char) => char >= ' ' && char !== '\u007f').join('');
}

/**
 * Typed or pasted input may arrive together with the Enter that ends it
 * ("value\r" in one read); this splits it into the text and whether it was
 * submitted, so the value is saved rather than the newline dropped.
 *
 * @example
 * ```ts
 * splitSubmit('abc\r'); // { text: 'abc', submit: true }
 * ```
 */
export function splitSubmit(input: string): { text: string; submit: boolean } {
  const end = input.search(/[\r\n]/);
  return end < 0 ? { text: input, submit: false } : { text: input.slice(0, end), submit: true };
}

/**
 * One key typed into a one-line field: {@link splitSubmit} then
 * {@link editText}, so text and Enter in one read both count. `submit` is
 * true for Enter, typed or arriving with the text.
 *
 * @example
 * ```ts
 * typeInto('ab', 'c\r', key); // { text: 'abc', submit: true }
 * ```
 */
export function typeInto(text: string, input: string, key: Key): { text: string; submit: boolean } {
  const typed = splitSubmit(input);
  return { text: editText(text, typed.text, key), submit: typed.submit || key.return };
}
