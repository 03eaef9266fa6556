import { describe, expect, it } from 'vitest';
import { resolveDisplaySettings } from '../src/display-settings.js';

describe('resolveDisplaySettings', () => {
  it('a terminal without NO_COLOR gets colour and animation', () => {
    expect(resolveDisplaySettings({ env: {}, isTTY: true })).toEqual({ color: true, animate: true });
  });

  it('NO_COLOR set to anything but empty turns both off', () => {
    expect(resolveDisplaySettings({ env: { NO_COLOR: '1' }, isTTY: true })).toEqual({ color: false, animate: false });
    expect(resolveDisplaySettings({ env: { NO_COLOR: '' }, isTTY: true })).toEqual({ color: true, animate: true });
  });

  it('a non-TTY stdout turns both off', () => {
    expect(resolveDisplaySettings({ env: {}, isTTY: false })).toEqual({ color: false, animate: false });
  });
});
