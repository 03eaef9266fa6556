import type { MarkupColor, MarkupColorName } from '@opperator/protocol';

// chalk (under Ink) has no orange, purple, pink or brown. These are entries
// of the xterm 256-colour palette, so a terminal without true colour (where
// chalk rounds hex to that palette) shows exactly the same shade.
const HEX_FOR_MISSING_NAMES: Partial<Record<MarkupColorName, string>> = {
  orange: '#ffaf00',
  purple: '#af5fff',
  pink: '#ff87d7',
  brown: '#af5f00',
};

/**
 * The value for Ink's `color`/`backgroundColor` props for a markup colour:
 * chalk's own name where it has one, a hex colour otherwise.
 *
 * @example
 * ```ts
 * toInkColor('green');   // 'green'
 * toInkColor('orange');  // '#ffaf00'
 * toInkColor('#123456'); // '#123456'
 * ```
 */
export function toInkColor(color: MarkupColor): string {
  if (color.startsWith('#')) return color;
  return HEX_FOR_MISSING_NAMES[color as MarkupColorName] ?? color;
}
