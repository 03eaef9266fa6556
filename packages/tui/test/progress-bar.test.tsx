import { render } from 'ink-testing-library';
import { afterAll, describe, expect, it, vi } from 'vitest';
// Before Ink (and its chalk) load: see force-color.ts.
const restoreEnv = await vi.hoisted(async () => (await import('./force-color.js')).forceTrueColor());
import { ESC, hasColor, stripAnsi } from './ansi.js';
import { DisplaySettingsContext } from '../src/display-context.js';
import { barColumns, formatPercent, ProgressLine, splitBar, toFraction, type ProgressLineProps } from '../src/progress-bar.js';

afterAll(restoreEnv);

function frameOf(props: ProgressLineProps, color = true): string {
  const { lastFrame, unmount } = render(
    <DisplaySettingsContext.Provider value={{ color, animate: color }}>
      <ProgressLine {...props} />
    </DisplaySettingsContext.Provider>,
  );
  const frame = lastFrame() ?? '';
  unmount();
  return frame;
}

describe('ProgressLine', () => {
  const base = { label: 'Checking Gmail', text: 'Listing unread messages', spinnerFrame: '⠋', width: 80 };

  it('at 0: an empty bar and 0%', () => {
    expect(stripAnsi(frameOf({ ...base, progress: 0 })).trimEnd()).toBe(`⠋ Checking Gmail ${'░'.repeat(20)}   0% Listing unread messages`);
  });

  it('at 0.5: half a bar and 50%', () => {
    expect(stripAnsi(frameOf({ ...base, progress: 0.5 })).trimEnd()).toBe(`⠋ Checking Gmail ${'█'.repeat(10)}${'░'.repeat(10)}  50% Listing unread messages`);
  });

  it('at 1: a full bar and 100%', () => {
    expect(stripAnsi(frameOf({ ...base, progress: 1 })).trimEnd()).toBe(`⠋ Checking Gmail ${'█'.repeat(20)} 100% Listing unread messages`);
  });

  it('without a number: no bar, no percentage', () => {
    const frame = stripAnsi(frameOf({ ...base }));
    expect(frame.trimEnd()).toBe('⠋ Checking Gmail Listing unread messages');
    expect(frame).not.toMatch(/[█░%]/);
  });

  it('without a spinner frame or text: the label alone', () => {
    expect(stripAnsi(frameOf({ label: 'Sync', width: 40 })).trimEnd()).toBe('Sync');
  });

  it('fits its width: the text is truncated, never wrapped', () => {
    const frame = stripAnsi(frameOf({ ...base, text: 'x'.repeat(200), progress: 0.25, width: 60 }));
    expect(frame.split('\n')).toHaveLength(1);
    expect(frame.trimEnd().length).toBeLessThanOrEqual(60);
    expect(frame).toContain(`${'█'.repeat(3)}${'░'.repeat(12)}  25% xxx`);
    expect(frame.trimEnd().endsWith('…')).toBe(true);
  });

  it('drops the bar on a narrow line but keeps the percentage', () => {
    const frame = stripAnsi(frameOf({ label: 'Sync', progress: 0.5, width: 16 }));
    expect(frame.trimEnd()).toBe('Sync  50%');
  });

  it('colours the bar with colour on, not with colour off', () => {
    expect(frameOf({ ...base, progress: 0.5 })).toContain(`${ESC}[32m█`);
    expect(hasColor(frameOf({ ...base, progress: 0.5 }, false))).toBe(false);
  });
});

describe('progress helpers', () => {
  it('toFraction clamps and rejects non-numbers', () => {
    expect([toFraction(-1), toFraction(0.3), toFraction(2), toFraction(Number.NaN), toFraction(Infinity), toFraction(undefined)]).toEqual([0, 0.3, 1, undefined, undefined, undefined]);
  });

  it('the bar is full and the percentage 100 only when done', () => {
    expect(splitBar(0.999, 10).filled).toHaveLength(9);
    expect(formatPercent(0.999)).toBe('99%');
    expect(formatPercent(0.29)).toBe('29%');
    expect(formatPercent(1)).toBe('100%');
  });

  it('barColumns takes a quarter of the width, within bounds', () => {
    expect([barColumns(10), barColumns(20), barColumns(80), barColumns(400)]).toEqual([0, 5, 20, 30]);
  });
});
