import { describe, expect, it } from 'vitest';
import { keyIntent } from '../../src/app/keymap.js';
import { initialUi, type UiState } from '../../src/app/ui-state.js';

const ui = (over: Partial<UiState> = {}): UiState => ({ ...initialUi(), ...over });

describe('keyIntent', () => {
  it('moves with ↑↓/j/k and pages with PgUp/PgDn whatever has the focus (the app applies it to the focused part)', () => {
    for (const focus of ['agents', 'sections', 'main'] as const) {
      expect(keyIntent('', { upArrow: true }, ui({ focus }))).toBe('up');
      expect(keyIntent('j', {}, ui({ focus }))).toBe('down');
      expect(keyIntent('', { pageDown: true }, ui({ focus }))).toBe('page-down');
    }
  });

  it('moves the focus with ←/→ and 1/2/3', () => {
    expect(keyIntent('', { leftArrow: true }, ui())).toBe('focus-left');
    expect(keyIntent('', { rightArrow: true }, ui())).toBe('focus-right');
    expect(['1', '2', '3'].map((key) => keyIntent(key, {}, ui()))).toEqual(['focus-agents', 'focus-sections', 'focus-main']);
  });

  it('Enter opens the selected task only on a focused tasks pane; elsewhere it toggles the section, as space always does', () => {
    expect(keyIntent('\r', { return: true }, ui({ focus: 'main', mainPane: 'tasks' }))).toBe('open-task');
    expect(keyIntent('\r', { return: true }, ui({ focus: 'main', mainPane: 'logs' }))).toBe('toggle-section');
    expect(keyIntent('\r', { return: true }, ui({ focus: 'agents', mainPane: 'tasks' }))).toBe('toggle-section');
    expect(keyIntent(' ', {}, ui({ focus: 'main', mainPane: 'tasks' }))).toBe('toggle-section');
  });

  it('a task’s details take the keys: they scroll, Esc/Enter/q close, nothing else acts behind them', () => {
    const open = ui({ overlay: { kind: 'task', taskId: 't1', scrollTop: 0 } });
    expect(keyIntent('', { downArrow: true }, open)).toBe('down');
    expect(keyIntent('', { pageUp: true }, open)).toBe('page-up');
    expect(keyIntent('', { escape: true }, open)).toBe('close');
    expect(keyIntent('\r', { return: true }, open)).toBe('close');
    expect(keyIntent('q', {}, open)).toBe('close');
    expect(keyIntent('x', {}, open)).toBe('none');
    expect(keyIntent('c', { ctrl: true }, open)).toBe('quit');
  });
});
