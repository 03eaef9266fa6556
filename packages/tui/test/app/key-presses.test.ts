import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { keyPresses } from '../../src/app/useKeys.js';

const none: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

describe('keyPresses', () => {
  it('splits ESC + a key in one chunk (read by Ink as Alt+key, or as the bare key for punctuation) into Esc, then the key', () => {
    expect(keyPresses('\u001Bx', 'x', { ...none, meta: true })).toEqual([
      ['', { ...none, escape: true }],
      ['x', none],
    ]);
    expect(keyPresses('\u001B/', '/', none).map(([input, key]) => [input, key.escape])).toEqual([
      ['', true],
      ['/', false],
    ]);
    expect(keyPresses('\u001BX', 'X', { ...none, meta: true, shift: true })[1]).toEqual(['X', { ...none, shift: true }]);
  });

  it('splits keys typed ahead into one chunk (Ink reads them as a paste) into a press each, \\r\\n as one Enter', () => {
    expect(keyPresses('3\t', '3\t', none)).toEqual([
      ['3', none],
      ['', { ...none, tab: true }],
    ]);
    expect(keyPresses('ab\r\n', 'ab\r\n', none).map(([input, key]) => (key.return ? 'Enter' : input))).toEqual(['a', 'b', 'Enter']);
    expect(keyPresses('a\u007F\u0003', 'a\u007F\u0003', none).map(([input, key]) => [input, key.backspace, key.ctrl])).toEqual([
      ['a', false, false],
      ['', true, false],
      ['c', false, true],
    ]);
    // Control characters no key means are dropped; characters outside the BMP stay whole.
    expect(keyPresses('a\u0001😀', 'a\u0001😀', none).map(([input]) => input)).toEqual(['a', '😀']);
  });

  it('takes a chunk longer than a few keys for a paste: whole, so it matches no binding', () => {
    expect(keyPresses('proxy', 'proxy', none)).toEqual([['proxy', none]]);
    expect(keyPresses('abc', 'abc', none)).toHaveLength(3);
  });

  it('keeps a chunk whole when asked (a text field takes it as a paste), still splitting Esc from the key after it', () => {
    expect(keyPresses('ab\r', 'ab\r', none, { keepWhole: true })).toEqual([['ab\r', none]]);
    expect(keyPresses('\u001Bx', 'x', { ...none, meta: true }, { keepWhole: true })).toHaveLength(2);
  });

  it('leaves single keys, a lone Esc and escape sequences as Ink read them', () => {
    const arrow = { ...none, upArrow: true };
    expect(keyPresses('\u001B[A', '', arrow)).toEqual([['', arrow]]);
    expect(keyPresses('\u001B', '', { ...none, escape: true })).toEqual([['', { ...none, escape: true }]]);
    expect(keyPresses('\u001B\u001B', '', { ...none, escape: true, meta: true })).toHaveLength(1);
    expect(keyPresses('x', 'x', none)).toEqual([['x', none]]);
    expect(keyPresses('😀', '😀', none)).toEqual([['😀', none]]);
    expect(keyPresses(undefined, 'x', none)).toEqual([['x', none]]);
  });
});
