import { afterAll, describe, expect, it, vi } from 'vitest';
// Before Ink (and its chalk) load: see force-color.ts.
const restoreEnv = await vi.hoisted(async () => (await import('../force-color.js')).forceTrueColor());
import { ESC } from '../ansi.js';
import { Sidebar } from '../../src/views/Sidebar.js';
import { focusedScrollLimit, sectionLineCounts } from '../../src/views/sidebar-plan.js';
import type { SectionRow } from '../../src/state/types.js';
import { frameOf, shownLinesOf } from './render-frame.js';

afterAll(restoreEnv);

const section = (id: string, lines: number, collapsed = false): SectionRow => ({
  id,
  title: id.toUpperCase(),
  content: Array.from({ length: lines }, (_, i) => `${id} ${i + 1}`).join('\n'),
  collapsed,
  updatedAt: 0,
});

describe('Sidebar', () => {
  it('shows each section through SectionView, collapsed ones as a title', () => {
    const sections = [section('auth', 2), section('stats', 3, true)];
    expect(shownLinesOf(frameOf(<Sidebar sections={sections} width={30} height={10} />))).toEqual(['▾ AUTH', '  auth 1', '  auth 2', '▸ STATS']);
  });

  it('the collapsed map overrides the section’s own flag, both ways', () => {
    const sections = [section('auth', 2), section('stats', 1, true)];
    expect(shownLinesOf(frameOf(<Sidebar sections={sections} collapsed={{ auth: true, stats: false }} width={30} height={10} />))).toEqual([
      '▸ AUTH',
      '▾ STATS',
      '  stats 1',
    ]);
  });

  it('limits each section’s content so a long one does not push the rest out', () => {
    const sections = [section('log', 50), section('stats', 1)];
    expect(shownLinesOf(frameOf(<Sidebar sections={sections} width={30} height={12} maxContentLines={4} />))).toEqual([
      '▾ LOG',
      '  log 1',
      '  log 2',
      '  log 3',
      '  … 47 more lines',
      '▾ STATS',
      '  stats 1',
    ]);
  });

  it('gives rows nobody uses to the focused section', () => {
    const sections = [section('log', 50), section('stats', 1)];
    const lines = shownLinesOf(frameOf(<Sidebar sections={sections} focusedId="log" width={30} height={12} maxContentLines={4} />));
    expect(lines).toHaveLength(12);
    expect(lines.slice(7)).toEqual(['  log 7', '  log 8', '  … 42 more lines', '▾ STATS', '  stats 1']);
  });

  it('highlights the focused section’s title', () => {
    const frame = frameOf(<Sidebar sections={[section('a', 1), section('b', 1)]} focusedId="b" width={30} height={10} />);
    const lines = frame.split('\n');
    expect(lines.find((line) => line.includes('B'))).toContain(`${ESC}[7m`);
    expect(lines.find((line) => line.includes('▾ A'))).not.toContain(`${ESC}[7m`);
  });

  it('scrolls to the focused section with hints for what is hidden', () => {
    const sections = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => section(id, 2));
    const top = shownLinesOf(frameOf(<Sidebar sections={sections} focusedId="a" width={30} height={8} />));
    expect(top).toEqual(['▾ A', '  a 1', '  a 2', '▾ B', '  b 1', '  b 2', '↓ 4 more']);
    const middle = shownLinesOf(frameOf(<Sidebar sections={sections} focusedId="d" width={30} height={8} />));
    expect(middle).toEqual(['↑ 2 more', '▾ C', '  c 1', '  c 2', '▾ D', '  d 1', '  d 2', '↓ 2 more']);
    const bottom = shownLinesOf(frameOf(<Sidebar sections={sections} focusedId="f" width={30} height={8} />));
    expect(bottom).toEqual(['↑ 4 more', '▾ E', '  e 1', '  e 2', '▾ F', '  f 1', '  f 2']);
  });

  it('never takes more rows than its height, even for one huge section', () => {
    for (const height of [3, 5, 9]) {
      const lines = shownLinesOf(frameOf(<Sidebar sections={[section('a', 100), section('b', 100)]} focusedId="b" width={30} height={height} maxContentLines={40} />));
      expect(lines.length).toBeLessThanOrEqual(height);
      expect(lines).toContain('▾ B');
    }
  });

  it('cuts long content lines to the width', () => {
    const lines = shownLinesOf(frameOf(<Sidebar sections={[{ ...section('a', 0), content: 'x'.repeat(100) }]} width={20} height={5} />));
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(20);
  });

  it('says so when there are no sections', () => {
    expect(shownLinesOf(frameOf(<Sidebar sections={[]} width={30} height={5} />))).toEqual(['No sections.']);
  });

  it('scrolls the focused section within its rows, with hints above and below, and clamps to its last full page', () => {
    const sections = [section('log', 30), section('stats', 1)];
    const at = (focusedScrollTop: number) => shownLinesOf(frameOf(<Sidebar sections={sections} focusedId="log" focusedScrollTop={focusedScrollTop} width={30} height={8} />));
    expect(at(0)).toEqual(['▾ LOG', '  log 1', '  log 2', '  log 3', '  log 4', '  … 26 more lines', '▾ STATS', '  stats 1']);
    expect(at(10)).toEqual(['▾ LOG', '  … 10 lines above', '  log 11', '  log 12', '  log 13', '  … 17 more lines', '▾ STATS', '  stats 1']);
    const end = ['▾ LOG', '  … 25 lines above', '  log 26', '  log 27', '  log 28', '  log 29', '  log 30', '▾ STATS'];
    expect(at(1_000)).toEqual([...end.slice(0, 1), '  … 26 lines above', '  log 27', '  log 28', '  log 29', '  log 30', '▾ STATS', '  stats 1']);
  });

  it('the scroll limit it reports is where the last full page starts', () => {
    const sections = [section('log', 30), section('stats', 1)];
    const input = { sections, lineCounts: sectionLineCounts(sections, 30), collapsed: {}, focusedId: 'log', height: 8, maxContentLines: 8 };
    const limit = focusedScrollLimit(input);
    expect(limit).toBe(26);
    const last = shownLinesOf(frameOf(<Sidebar sections={sections} focusedId="log" focusedScrollTop={limit} width={30} height={8} />));
    const beyond = shownLinesOf(frameOf(<Sidebar sections={sections} focusedId="log" focusedScrollTop={limit + 5} width={30} height={8} />));
    expect(beyond).toEqual(last);
    expect(shownLinesOf(frameOf(<Sidebar sections={sections} focusedId="log" focusedScrollTop={limit - 1} width={30} height={8} />))).not.toEqual(last);
    expect(focusedScrollLimit({ ...input, collapsed: { log: true } })).toBe(0);
    expect(focusedScrollLimit({ ...input, focusedId: 'stats' })).toBe(0);
  });
});
