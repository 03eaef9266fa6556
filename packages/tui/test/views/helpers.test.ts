import { describe, expect, it } from 'vitest';
import { clampScrollTop, scrollWindow } from '../../src/views/scroll-window.js';
import { textColumns, toOneLine, truncateText, wrappedRows } from '../../src/views/text-fit.js';
import { layoutSizes } from '../../src/views/layout-sizes.js';
import { signInUrl } from '../../src/views/sign-in-prompt.js';
import type { TaskRow } from '../../src/state/types.js';

describe('scrollWindow', () => {
  it('starts at the top while the focus fits, then ends at the focus', () => {
    expect(scrollWindow([1, 1, 1, 1, 1], 0, 3)).toEqual({ start: 0, end: 2, hiddenAbove: 0, hiddenBelow: 3 });
    expect(scrollWindow([1, 1, 1, 1, 1], 4, 3)).toEqual({ start: 3, end: 5, hiddenAbove: 3, hiddenBelow: 0 });
    expect(scrollWindow([1, 1, 1], 1, 3)).toEqual({ start: 0, end: 3, hiddenAbove: 0, hiddenBelow: 0 });
  });

  it('never exceeds the height (hint rows included) unless one item alone is taller', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const heights = Array.from({ length: 1 + (seed % 9) }, (_, i) => 1 + ((seed * (i + 3)) % 5));
      const height = 3 + (seed % 11);
      const focus = seed % heights.length;
      const w = scrollWindow(heights, focus, height);
      expect(w.start).toBeLessThanOrEqual(focus);
      expect(w.end).toBeGreaterThan(focus);
      const rows = heights.slice(w.start, w.end).reduce((a, b) => a + b, 0) + (w.hiddenAbove > 0 ? 1 : 0) + (w.hiddenBelow > 0 ? 1 : 0);
      if (w.end - w.start > 1) expect(rows).toBeLessThanOrEqual(height);
    }
  });

  it('handles empty lists and out-of-range focus', () => {
    expect(scrollWindow([], 3, 5)).toEqual({ start: 0, end: 0, hiddenAbove: 0, hiddenBelow: 0 });
    expect(scrollWindow([1, 1], 99, 5).end).toBe(2);
  });

  it('clampScrollTop keeps the last page full', () => {
    expect([clampScrollTop(500, 100, 20), clampScrollTop(-3, 100, 20), clampScrollTop(5, 10, 20), clampScrollTop(Infinity, 30, 10)]).toEqual([80, 0, 0, 20]);
  });
});

describe('text fitting', () => {
  it('measures, truncates and wraps by columns', () => {
    expect(textColumns('日本a')).toBe(5);
    expect(truncateText('Watches Gmail for invoices', 10)).toBe('Watches G…');
    expect(truncateText('日本語テキスト', 5)).toBe('日本…');
    expect(truncateText('abc', 0)).toBe('');
    expect(wrappedRows('x'.repeat(100), 40)).toBe(3);
    expect(toOneLine('a\r\nb\nc')).toBe('a ↵ b ↵ c');
  });
});

describe('layoutSizes', () => {
  it('keeps the left column near 30%, at least 20, and the main pane at least 20', () => {
    expect(layoutSizes(120, 40, 3)).toMatchObject({ leftColumns: 36, mainColumns: 83, bodyRows: 39 });
    expect(layoutSizes(50, 20, 3)).toMatchObject({ leftColumns: 20, mainColumns: 29 });
    expect(layoutSizes(30, 20, 3)).toMatchObject({ leftColumns: 9, mainColumns: 20 });
  });

  it('caps the agent list at 40% of the body', () => {
    expect(layoutSizes(80, 24, 50).agentRows).toBe(9);
    expect(layoutSizes(80, 24, 50).sidebarRows).toBe(12);
  });
});

describe('signInUrl', () => {
  it('takes the newest running task’s URL', () => {
    const task = (id: string, createdAt: number, state: TaskRow['state'], text: string): TaskRow => ({
      id,
      agent: 'a',
      command: 'c',
      state,
      progress: { text },
      createdAt,
      updatedAt: createdAt,
    });
    expect(signInUrl([task('1', 1, 'running', 'Open http://a/1'), task('2', 2, 'running', 'Open http://a/2'), task('3', 3, 'succeeded', 'http://a/3')])).toBe('http://a/2');
    expect(signInUrl([task('1', 1, 'running', 'no url')])).toBeUndefined();
  });
});
