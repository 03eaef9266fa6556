import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { splitEscapedKey } from '../../src/app/useKeys.js';

const none: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

describe('splitEscapedKey', () => {
  it('splits ESC + a key in one chunk (read by Ink as Alt+key, or as the bare key for punctuation) into Esc, then the key', () => {
    expect(splitEscapedKey('\u001Bx', 'x', { ...none, meta: true })).toEqual([
      ['', { ...none, escape: true }],
      ['x', none],
    ]);
    expect(splitEscapedKey('\u001B/', '/', none).map(([input, key]) => [input, key.escape])).toEqual([
      ['', true],
      ['/', false],
    ]);
    expect(splitEscapedKey('\u001BX', 'X', { ...none, meta: true, shift: true })[1]).toEqual(['X', { ...none, shift: true }]);
  });

  it('leaves plain keys, a lone Esc, escape sequences and pastes as Ink read them', () => {
    const arrow = { ...none, upArrow: true };
    expect(splitEscapedKey('\u001B[A', '', arrow)).toEqual([['', arrow]]);
    expect(splitEscapedKey('\u001B', '', { ...none, escape: true })).toEqual([['', { ...none, escape: true }]]);
    expect(splitEscapedKey('\u001B\u001B', '', { ...none, escape: true, meta: true })).toHaveLength(1);
    expect(splitEscapedKey('x', 'x', none)).toEqual([['x', none]]);
    expect(splitEscapedKey('hello', 'hello', none)).toEqual([['hello', none]]);
    expect(splitEscapedKey(undefined, 'x', none)).toEqual([['x', none]]);
  });
});
