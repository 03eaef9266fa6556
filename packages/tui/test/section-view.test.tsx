import { render } from 'ink-testing-library';
import { afterAll, describe, expect, it, vi } from 'vitest';
// Before Ink (and its chalk) load: see force-color.ts.
const restoreEnv = await vi.hoisted(async () => (await import('./force-color.js')).forceTrueColor());
import { ESC, hasColor, stripAnsi } from './ansi.js';
import { DisplaySettingsContext } from '../src/display-context.js';
import { SectionView, type SectionViewProps } from '../src/section-view.js';

afterAll(restoreEnv);

function frameOf(props: SectionViewProps, color = true): string {
  const { lastFrame, unmount } = render(
    <DisplaySettingsContext.Provider value={{ color, animate: color }}>
      <SectionView {...props} />
    </DisplaySettingsContext.Provider>,
  );
  const frame = lastFrame() ?? '';
  unmount();
  return frame;
}

const authSection = "<c fg='green'>✓ Authenticated</c>\n<b>Account:</b> me@example.com\n<b>Credentials:</b> <c fg=\"red\">Missing</c>";

describe('SectionView', () => {
  it('shows the title with an expanded marker and the content below it', () => {
    expect(stripAnsi(frameOf({ title: 'Gmail Authentication', content: authSection, collapsed: false }))).toBe(
      ['▾ Gmail Authentication', '  ✓ Authenticated', '  Account: me@example.com', '  Credentials: Missing'].join('\n'),
    );
  });

  it('collapsed, shows the title line only', () => {
    expect(stripAnsi(frameOf({ title: 'Gmail', content: authSection, collapsed: true }))).toBe('▸ Gmail');
  });

  it('draws colours, bold and italic with colour on', () => {
    const frame = frameOf({ title: 'S', content: "<c fg='green'>ok</c> <b>bold</b> <i>it</i> <c fg=orange bg=#00f>o</c>", collapsed: false });
    expect(hasColor(frame)).toBe(true);
    expect(frame).toContain(`${ESC}[32mok${ESC}[39m`);
    expect(frame).toContain(`${ESC}[1mbold${ESC}[22m`);
    expect(frame).toContain(`${ESC}[3mit${ESC}[23m`);
    // orange is not a chalk name: drawn as xterm-256 #ffaf00, on #0000ff.
    expect(frame).toContain(`${ESC}[38;2;255;175;0m`);
    expect(frame).toContain(`${ESC}[48;2;0;0;255m`);
  });

  it('with colour off (NO_COLOR), draws no colour but keeps bold and italic', () => {
    const frame = frameOf({ title: 'S', content: "<c fg='green' bg='red'>ok</c> <b>bold</b> <i>it</i> <c fg=pink>p</c>", collapsed: false }, false);
    expect(hasColor(frame)).toBe(false);
    expect(frame).toContain(`${ESC}[1mbold${ESC}[22m`);
    expect(frame).toContain(`${ESC}[3mit${ESC}[23m`);
    expect(stripAnsi(frame)).toBe('▾ S\n  ok bold it p');
  });

  it('renders nested markup and strips unknown tags, keeping their text', () => {
    const frame = frameOf({ title: 'S', content: '<c fg="red">r<c fg="blue">b</c>r</c> <u>under</u> a < b', collapsed: false });
    expect(stripAnsi(frame)).toBe('▾ S\n  rbr under a < b');
    // chalk does not reset between adjacent colours: red r, blue b, red r, then back to the default.
    expect(frame).toContain(`${ESC}[31mr${ESC}[34mb${ESC}[31mr${ESC}[39m under a < b`);
  });

  it('limits long content to the given height with a hint', () => {
    const content = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`).join('\n');
    expect(stripAnsi(frameOf({ title: 'Log', content, collapsed: false, maxContentLines: 4 }))).toBe(
      ['▾ Log', '  line 1', '  line 2', '  line 3', '  … 7 more lines'].join('\n'),
    );
    expect(stripAnsi(frameOf({ title: 'Log', content: 'a\nb', collapsed: false, maxContentLines: 2 }))).toBe('▾ Log\n  a\n  b');
    expect(stripAnsi(frameOf({ title: 'Log', content: 'a\nb\nc', collapsed: false, maxContentLines: 2 }))).toBe('▾ Log\n  a\n  … 2 more lines');
  });

  it('keeps blank lines and draws control characters harmlessly', () => {
    const frame = frameOf({ title: 'T\u001b[2J', content: 'a\n\nb\u001b[31mc', collapsed: false }, false);
    expect(frame).not.toContain('\u001b[2J');
    expect(frame).not.toContain('\u001b[31m');
    expect(stripAnsi(frame).split('\n').map((l) => l.trimEnd())).toEqual(['▾ T\uFFFD[2J', '  a', '', '  b\uFFFD[31mc']);
  });
});
