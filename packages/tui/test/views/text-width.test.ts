// The views' column arithmetic against string-width, the library Ink lays
// out with: emoji (ZWJ sequences, flags, skin tones, presentation
// selectors), CJK, fullwidth forms and combining characters. Our old
// hand-written table disagreed with Ink ("🚀 deploy" 8 columns vs 9,
// "👩‍💻" 5 vs 2), which misaligned the layout.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { parseMarkup } from '@opperator/protocol';
import { graphemes, padText, textColumns, truncateMiddle, truncateText, wrapText, wrapWords } from '../../src/views/text-fit.js';
import { wrapMarkupLines } from '../../src/wrap-markup.js';
import { WIDE_SAMPLES } from './wide-samples.js';


const widths = (text: string) => Array.from({ length: stringWidth(text) + 3 }, (_, i) => i);

/** `pieces` joined is made of whole grapheme clusters of `text`, none split. */
function expectWholeGraphemes(pieces: readonly string[]): void {
  expect(pieces.flatMap((piece) => graphemes(piece))).toEqual(graphemes(pieces.join('')));
}

describe('the width library is the one Ink lays out with', () => {
  it('resolves string-width, cli-truncate and wrap-ansi at the versions Ink resolves', () => {
    const fromTui = createRequire(import.meta.url);
    const fromInk = createRequire(fromTui.resolve('ink'));
    const version = (require: NodeRequire, name: string) => {
      let dir = require.resolve(name);
      while (!dir.endsWith(`/node_modules/${name}`)) dir = dir.slice(0, dir.lastIndexOf('/'));
      return (JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { version: string }).version;
    };
    for (const name of ['string-width', 'cli-truncate', 'wrap-ansi']) expect(version(fromTui, name), name).toBe(version(fromInk, name));
  });

  it('measures what the old table got wrong as Ink does', () => {
    expect(textColumns('🚀 deploy')).toBe(9); // the table said 8
    expect(textColumns('👩‍💻')).toBe(2); // the table said 5
    expect(textColumns('🇫🇷')).toBe(2);
    expect(textColumns('👍🏽')).toBe(2);
    expect(textColumns('cafe\u0301')).toBe(4);
    expect(textColumns('日本a')).toBe(5);
  });

  it.each(WIDE_SAMPLES)('textColumns(%j) is string-width’s count', (text) => {
    expect(textColumns(text)).toBe(stringWidth(text));
  });
});

describe('truncateText', () => {
  it.each(WIDE_SAMPLES)('cuts %j to at most the width, whole characters, and as much as fits', (text) => {
    for (const width of widths(text)) {
      const cut = truncateText(text, width);
      expect(stringWidth(cut), `${width}: ${cut}`).toBeLessThanOrEqual(width);
      if (stringWidth(text) <= width) {
        expect(cut).toBe(text);
        continue;
      }
      if (width === 0) continue;
      expect(cut.endsWith('…')).toBe(true);
      const kept = cut.slice(0, -1);
      expect(text.startsWith(kept)).toBe(true);
      expectWholeGraphemes([kept]);
      // One column short at most: only when the next character is wide.
      expect(stringWidth(cut), `${width}: ${cut}`).toBeGreaterThanOrEqual(width - 1);
    }
  });

  it('never ends a cut inside a wide character, unlike cli-truncate alone (its issue #28)', () => {
    expect(truncateText('日本語日本語', 4)).toBe('日…');
    expect(truncateText('👩‍💻👩‍💻👩‍💻', 4)).toBe('👩‍💻…');
    expect(truncateText('🚀 deploy', 2)).toBe('…');
    expect(truncateText('Watches Gmail for invoices', 10)).toBe('Watches G…');
  });
});

describe('truncateMiddle', () => {
  it.each(WIDE_SAMPLES)('keeps %j’s start and end within the width', (text) => {
    for (const width of widths(text)) {
      const cut = truncateMiddle(text, width);
      expect(stringWidth(cut), `${width}: ${cut}`).toBeLessThanOrEqual(width);
      if (stringWidth(text) <= width) expect(cut).toBe(text);
      else if (width > 0) {
        const [head = '', tail = ''] = cut.split('…');
        expect(text.startsWith(head) && text.endsWith(tail)).toBe(true);
        expectWholeGraphemes([head, tail]);
      }
    }
  });
});

describe('padText', () => {
  it.each(WIDE_SAMPLES)('pads or cuts %j to exactly the width', (text) => {
    for (const width of widths(text)) expect(stringWidth(padText(text, width)), String(width)).toBe(width);
  });
});

describe('wrapText and wrapWords', () => {
  it.each(WIDE_SAMPLES)('wrap %j in rows no wider than the width, no character split or lost', (text) => {
    for (const width of widths(text).slice(2)) {
      const hard = wrapText(text, width);
      expect(hard.join('')).toBe(text);
      expectWholeGraphemes(hard);
      for (const row of hard) expect(stringWidth(row), `${width}: ${row}`).toBeLessThanOrEqual(width);
      const words = wrapWords(text, width);
      expectWholeGraphemes(words);
      expect(words.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
      for (const row of words) expect(stringWidth(row), `${width}: ${row}`).toBeLessThanOrEqual(width);
    }
  });

  it('gives a character wider than the row a row of its own', () => {
    expect(wrapText('👩‍💻👩‍💻', 1)).toEqual(['👩‍💻', '👩‍💻']);
    expect(wrapText('👩‍💻👩‍💻👩‍💻', 5)).toEqual(['👩‍💻👩‍💻', '👩‍💻']);
  });
});

describe('wrapMarkupLines (sidebar sections)', () => {
  it.each(WIDE_SAMPLES)('wraps %j by columns, keeping every character whole', (text) => {
    for (const width of widths(text).slice(2)) {
      const rows = wrapMarkupLines(parseMarkup(`<b>${text}</b>`), width).map((line) => line.map((run) => run.text).join(''));
      expect(rows.join('')).toBe(text);
      expectWholeGraphemes(rows);
      for (const row of rows) expect(stringWidth(row), `${width}: ${row}`).toBeLessThanOrEqual(width);
    }
  });
});
