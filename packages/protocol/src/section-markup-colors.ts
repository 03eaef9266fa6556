/**
 * The colour names section markup accepts (SPEC §4). `grey` is read as
 * `gray`, so only one spelling ever leaves the parser.
 */
export const MARKUP_COLOR_NAMES = [
  'red',
  'green',
  'blue',
  'yellow',
  'cyan',
  'magenta',
  'white',
  'black',
  'orange',
  'purple',
  'pink',
  'brown',
  'gray',
] as const;

/** One of {@link MARKUP_COLOR_NAMES}. */
export type MarkupColorName = (typeof MARKUP_COLOR_NAMES)[number];

/**
 * A colour as the parser hands it on: a named colour, or `#rrggbb` in lower
 * case (`#RGB` is expanded), so renderers compare and map one form only.
 *
 * @example
 * ```ts
 * const accent: MarkupColor = '#ff8800';
 * const warning: MarkupColor = 'yellow';
 * ```
 */
export type MarkupColor = MarkupColorName | `#${string}`;

const names: ReadonlySet<string> = new Set(MARKUP_COLOR_NAMES);

/**
 * Reads a colour attribute value. Names are case-insensitive and may carry
 * surrounding spaces; anything that is not a known name or a 3/6-digit hex
 * colour gives `undefined`, so an invalid colour is ignored rather than
 * guessed at.
 *
 * @example
 * ```ts
 * parseMarkupColor(' Grey ');  // 'gray'
 * parseMarkupColor('#F80');    // '#ff8800'
 * parseMarkupColor('teal');    // undefined
 * ```
 */
export function parseMarkupColor(value: string): MarkupColor | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'grey') return 'gray';
  if (names.has(v)) return v as MarkupColorName;
  if (/^#[0-9a-f]{6}$/.test(v)) return v as MarkupColor;
  if (/^#[0-9a-f]{3}$/.test(v)) return `#${[...v.slice(1)].map((d) => d + d).join('')}`;
  return undefined;
}
