/** Options of {@link toTerminalText}. */
export interface TerminalTextOptions {
  /**
   * True for text whose line breaks are its structure (a section, a string
   * result, an error message): line feeds stay, CR LF becomes LF. Default
   * false, for one-line fields (a log message, a progress line, a table
   * cell): a line break there could fake a line of its own, so it is shown.
   */
  multiline?: boolean;
}

// What a terminal acts on instead of showing: C0 controls but tab and line
// feed (ESC starts CSI/OSC sequences such as clear screen or an OSC 52
// clipboard write, BEL ends OSC, BS and CR overwrite), DEL, C1 controls
// (U+009B is a one-character CSI), and the bidi controls that reorder what
// is shown (Trojan Source): ALM, LRM, RLM, the embeddings and overrides, the
// isolates.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- as above, line feed included
const UNSAFE_OR_LINE_FEED = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// In JSON text these can only occur inside strings (JSON.stringify already escapes C0 controls).
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text that came from an agent, a provider or any other remote side, made
 * safe to print on a terminal: every control character and bidi control is
 * shown as `\u{hex}` (ESC as `\u{1b}`), so nothing is interpreted (no cleared
 * screen, no clipboard write, no overwritten or reordered line) and nothing
 * is hidden. Tabs stay; line feeds stay only with `multiline`. Idempotent.
 * docs/cli.md ("Text from agents") describes it for users.
 *
 * @example
 * ```ts
 * toTerminalText('done\u001b[2J'); // 'done\\u{1b}[2J'
 * toTerminalText('a\nb'); // 'a\\u{a}b'
 * toTerminalText('a\r\nb', { multiline: true }); // 'a\nb'
 * ```
 */
export function toTerminalText(text: string, options: TerminalTextOptions = {}): string {
  if (options.multiline) return text.replace(/\r\n/g, '\n').replace(UNSAFE, showCodePoint);
  return text.replace(UNSAFE_OR_LINE_FEED, showCodePoint);
}

/**
 * `JSON.stringify(value, null, space)` that is also safe on a terminal: the
 * characters JSON leaves raw (DEL, C1 controls, bidi controls) are written
 * as `\uXXXX` escapes, so the output parses back to exactly the same value.
 * For `--json` output.
 *
 * @example
 * ```ts
 * toTerminalJson({ a: '\u009b' }); // '{"a":"\\u009b"}'
 * ```
 */
export function toTerminalJson(value: unknown, space?: number): string {
  const json = JSON.stringify(value, null, space) as string | undefined;
  if (json === undefined) return String(json);
  return json.replace(UNSAFE_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function showCodePoint(char: string): string {
  return `\\u{${char.charCodeAt(0).toString(16)}}`;
}
