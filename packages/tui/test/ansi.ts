// Helpers for reading rendered frames. Matching escape sequences is the
// point here, hence the control characters in these patterns.
/* eslint-disable no-control-regex */

/** The escape character that starts every SGR sequence. */
export const ESC = '\u001b';

/** A frame's text without its SGR (style) sequences. */
export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** True when the frame sets any foreground or background colour (16, 256 or true colour). */
export function hasColor(text: string): boolean {
  return /\u001b\[(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9]+)*m/.test(text);
}
