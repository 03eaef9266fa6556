import { describe, expect, it } from 'vitest';
import { toTerminalJson, toTerminalText } from '../src/terminal-text.js';

// Bytes a terminal acts on: clear screen, a clipboard write (OSC 52), the
// one-byte CSI (C1), a right-to-left override, a backspace, a carriage return.
const HOSTILE = 'a\u001b[2Jb\u001b]52;c;aGk=\u0007c\u009b31md\u202eevil\u2066e\bf\rg';
// eslint-disable-next-line no-control-regex -- finding raw control characters is the point
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('toTerminalText', () => {
  it('shows every control character and bidi control as \\u{hex}, leaving the rest as it is', () => {
    const shown = toTerminalText(HOSTILE);
    expect(shown).toBe('a\\u{1b}[2Jb\\u{1b}]52;c;aGk=\\u{7}c\\u{9b}31md\\u{202e}evil\\u{2066}e\\u{8}f\\u{d}g');
    expect(shown).not.toMatch(RAW);
  });

  it('keeps text without control characters unchanged, tabs and non-ASCII included', () => {
    expect(toTerminalText('naïve\tcafé ✓ 日本 😀 a\\b')).toBe('naïve\tcafé ✓ 日本 😀 a\\b');
  });

  it('shows line breaks in a one-line field, and keeps them (CR LF as LF) in multi-line text', () => {
    expect(toTerminalText('one\ntwo\r\nthree')).toBe('one\\u{a}two\\u{d}\\u{a}three');
    expect(toTerminalText('one\ntwo\r\nthree\rover', { multiline: true })).toBe('one\ntwo\nthree\\u{d}over');
  });

  it('is idempotent: neutralised text passes through again unchanged', () => {
    const once = toTerminalText(HOSTILE, { multiline: true });
    expect(toTerminalText(once, { multiline: true })).toBe(once);
  });
});

describe('toTerminalJson', () => {
  it('is JSON that parses back to the exact value, with no raw control or bidi character in it', () => {
    const value = { text: HOSTILE, nested: [{ 'k\u009b': '\u202e\u0085' }], n: 1, none: null };
    for (const space of [undefined, 2]) {
      const json = toTerminalJson(value, space);
      expect(json).not.toMatch(RAW);
      expect(JSON.parse(json)).toEqual(value);
    }
    expect(toTerminalJson({ a: '\u009b' })).toBe('{"a":"\\u009b"}');
  });

  it('matches JSON.stringify where there is nothing to escape', () => {
    expect(toTerminalJson({ a: [1, 'x'] }, 2)).toBe(JSON.stringify({ a: [1, 'x'] }, null, 2));
    expect(toTerminalJson('plain')).toBe('"plain"');
  });
});
