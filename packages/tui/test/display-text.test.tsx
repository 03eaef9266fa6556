import { render } from 'ink-testing-library';
import { afterAll, describe, expect, it, vi } from 'vitest';
// Before Ink (and its chalk) load: see force-color.ts.
const restoreEnv = await vi.hoisted(async () => (await import('./force-color.js')).forceTrueColor());
import { stripAnsi } from './ansi.js';
import { DisplaySettingsContext } from '../src/display-context.js';
import { toDisplayText } from '../src/markup-text.js';
import { SectionView } from '../src/section-view.js';
import { taskDetailLines } from '../src/views/task-detail.js';

afterAll(restoreEnv);

// Clear screen, an OSC 52 clipboard write, the one-byte CSI, a right-to-left
// override and an isolate, backspace and carriage return.
const HOSTILE = 'x\u001b[2Jy\u001b]52;c;cHduZWQ=\u0007z\u009b31m\u202etxt.exe\u2066!\bQ\rR\u200f';
// eslint-disable-next-line no-control-regex -- finding raw control characters is the point
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('agent text entering the TUI', () => {
  it('toDisplayText leaves no control character and no bidi control, and keeps the rest', () => {
    const shown = toDisplayText(HOSTILE);
    expect(shown).not.toMatch(RAW);
    expect(shown).toBe('x\uFFFD[2Jy\uFFFD]52;c;cHduZWQ=\uFFFDz\uFFFD31m\uFFFDtxt.exe\uFFFD!\uFFFDQ\uFFFDR\uFFFD');
    expect(toDisplayText('naïve ✓ 日本 a\\b')).toBe('naïve ✓ 日本 a\\b');
  });

  it('a section with hostile title and content draws none of it raw, colour on or off', () => {
    for (const color of [true, false]) {
      const { lastFrame, unmount } = render(
        <DisplaySettingsContext.Provider value={{ color, animate: color }}>
          <SectionView title={HOSTILE} content={`<b>${HOSTILE}</b>\n${HOSTILE}`} collapsed={false} />
        </DisplaySettingsContext.Provider>,
      );
      const frame = stripAnsi(lastFrame() ?? '');
      unmount();
      expect(frame).not.toMatch(RAW);
      expect(frame).toContain('txt.exe');
    }
  });

  it('task details (progress, error, result) carry none of it raw', () => {
    const lines = taskDetailLines(
      { id: 't1', agent: 'a', command: 'c', state: 'failed', progress: { text: HOSTILE, progress: 0.5 }, progressLabel: HOSTILE, result: HOSTILE, error: { message: HOSTILE }, createdAt: 0, updatedAt: 0 } as Parameters<typeof taskDetailLines>[0],
      60,
    );
    for (const line of lines) expect(line.text).not.toMatch(RAW);
  });
});
