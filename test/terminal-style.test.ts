import { describe, expect, it } from 'vitest';
import { styled, wantsColor } from '../scripts/terminal-style.js';

describe('wantsColor (the scripts, the demo)', () => {
  it('colours a terminal only', () => {
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
    expect(wantsColor({ isTTY: false }, {})).toBe(false);
    expect(wantsColor({}, {})).toBe(false);
    expect(wantsColor({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('never with NO_COLOR, even when forced', () => {
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    // no-color.org: an empty NO_COLOR does not count.
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
  });

  it('FORCE_COLOR colours a pipe, and FORCE_COLOR=0 turns it off', () => {
    expect(wantsColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(wantsColor({ isTTY: false }, { FORCE_COLOR: '' })).toBe(true);
    expect(wantsColor({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(wantsColor({ isTTY: true }, { FORCE_COLOR: 'false' })).toBe(false);
  });

  it('styled writes escape sequences only when told to', () => {
    expect(styled('bold', 'step', false)).toBe('step');
    expect(styled('bold', 'step', true)).toBe('\u001b[1mstep\u001b[22m');
    expect(styled('green', 'ok', true)).toBe('\u001b[32mok\u001b[39m');
  });
});
