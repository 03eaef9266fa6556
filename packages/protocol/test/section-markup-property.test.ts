import { describe, expect, it } from 'vitest';
import { MARKUP_COLOR_NAMES } from '../src/section-markup-colors.js';
import { markupToPlainText, parseMarkup } from '../src/section-markup.js';

// No property-testing library is in the workspace; a seeded generator keeps
// these reproducible (a failure names its seed and input).
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;

// Text pieces hold no ASCII letter, so no `<` in them can start a tag (a tag
// name starts with one), yet they are full of tag-like characters.
const TEXT_CHARS = [...'<>/="\' #\n123é✓‹-_!?'];
const TAGS = ['<b>', '</b>', '<i>', '</i>', '<c fg="red">', "<c bg='#0f0'>", '<c fg=blue bg="nope">', '</c>', '<u>', '</u>', '<b/>', '<span a="1">', '</x>'];

function randomText(next: () => number): string {
  return Array.from({ length: Math.floor(next() * 8) }, () => pick(next, TEXT_CHARS)).join('');
}

describe('parseMarkup on random input', () => {
  it('keeps every piece of text between well-formed tags, in order', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const next = random(seed);
      let markup = '';
      let expected = '';
      for (let piece = 0; piece < 12; piece++) {
        const text = randomText(next);
        markup += text + pick(next, TAGS);
        expected += text;
      }
      expect(markupToPlainText(markup), `seed ${seed}: ${JSON.stringify(markup)}`).toBe(expected);
    }
  });

  it('never throws on arbitrary strings, keeps text in order and emits only valid styles', () => {
    const alphabet = [...'<>/="\' \n#bicfgxyz0f9-'];
    const valid = new Set<string>(MARKUP_COLOR_NAMES);
    for (let seed = 1; seed <= 500; seed++) {
      const next = random(seed);
      const markup = Array.from({ length: Math.floor(next() * 60) }, () => pick(next, alphabet)).join('');
      const lines = parseMarkup(markup);
      const text = lines.map((line) => line.map((r) => r.text).join('')).join('\n');
      expect(isSubsequence(text, markup), `seed ${seed}: ${JSON.stringify(markup)}`).toBe(true);
      // With no `<`, nothing may be dropped.
      if (!markup.includes('<')) expect(text).toBe(markup);
      for (const r of lines.flat()) {
        expect(r.text).not.toBe('');
        expect(r.text).not.toContain('\n');
        for (const color of [r.fg, r.bg]) if (color !== undefined) expect(valid.has(color) || /^#[0-9a-f]{6}$/.test(color)).toBe(true);
      }
    }
  });
});

function isSubsequence(needle: string, haystack: string): boolean {
  let at = 0;
  for (const ch of haystack) if (at < needle.length && needle[at] === ch) at++;
  return at === needle.length;
}
