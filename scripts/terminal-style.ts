/**
 * Colour for the scripts' own output (the demo's step headings), only where
 * a person reads it: on a terminal, never with `NO_COLOR` (no-color.org: set
 * and not empty), and forced on by `FORCE_COLOR` (the convention of chalk
 * and Node: set and not `0`/`false`), e.g. for `npm run demo | less -R`.
 * A log written through a pipe gets plain text, no escape sequences.
 */

/** What decides colour: the stream's `isTTY` and the environment. */
export interface ColorContext {
  isTTY?: boolean;
}

/**
 * Whether to write colour and other control sequences to `stream`.
 *
 * @example
 * ```ts
 * wantsColor(process.stdout); // false in `npm run demo > log`
 * wantsColor({ isTTY: true }, { NO_COLOR: '1' }); // false
 * ```
 */
export function wantsColor(stream: ColorContext, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return !['0', 'false'].includes(env.FORCE_COLOR.toLowerCase());
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** SGR codes the demo uses, as [on, off]. */
const STYLES = { bold: [1, 22], green: [32, 39] } as const;

/**
 * `text` in `style` when `color` is true, else `text` unchanged.
 *
 * @example
 * ```ts
 * const color = wantsColor(process.stdout);
 * console.log(styled('bold', '1. Starting', color));
 * ```
 */
export function styled(style: keyof typeof STYLES, text: string, color: boolean): string {
  if (!color) return text;
  const [on, off] = STYLES[style];
  return `\u001b[${on}m${text}\u001b[${off}m`;
}
