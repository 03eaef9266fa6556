import { describe, expect, it } from 'vitest';
import { initialUi, reduceUi } from '../../src/app/ui-state.js';

const agents = ['a', 'b', 'c'];

describe('reduceUi', () => {
  it('selects the first agent, moves within bounds, and re-selects when the selected agent disappears', () => {
    let ui = reduceUi(initialUi(), { type: 'ensure-selection', agents });
    expect(ui.selectedAgent).toBe('a');
    ui = reduceUi(ui, { type: 'select-agent', delta: -1, agents });
    expect(ui.selectedAgent).toBe('a');
    ui = reduceUi(reduceUi(reduceUi(ui, { type: 'select-agent', delta: 1, agents }), { type: 'select-agent', delta: 1, agents }), { type: 'select-agent', delta: 1, agents });
    expect(ui.selectedAgent).toBe('c');
    ui = reduceUi(ui, { type: 'ensure-selection', agents: ['a', 'b'] });
    expect(ui.selectedAgent).toBe('a');
  });

  it('toggles a section against what the agent said, per agent, and remembers it', () => {
    let ui = reduceUi(initialUi(), { type: 'ensure-selection', agents });
    ui = reduceUi(ui, { type: 'toggle-section', sectionId: 'auth', collapsedByAgent: false });
    expect(ui.collapsed).toEqual({ 'a/auth': true });
    ui = reduceUi(ui, { type: 'toggle-section', sectionId: 'auth', collapsedByAgent: false });
    expect(ui.collapsed).toEqual({ 'a/auth': false });
    expect(reduceUi(initialUi({ 'a/x': true }), { type: 'ensure-selection', agents }).collapsed).toEqual({ 'a/x': true });
  });

  it('asks before stopping, only with an agent selected; Esc closes', () => {
    expect(reduceUi(initialUi(), { type: 'ask-stop' }).overlay).toEqual({ kind: 'none' });
    const ui = reduceUi(reduceUi(initialUi(), { type: 'ensure-selection', agents }), { type: 'ask-stop' });
    expect(ui.overlay).toEqual({ kind: 'confirm-stop', agent: 'a' });
    expect(reduceUi(ui, { type: 'close-overlay' }).overlay).toEqual({ kind: 'none' });
  });

  it('cycles the log level and switches panes', () => {
    let ui = initialUi();
    const levels = [ui.logLevel];
    for (let i = 0; i < 4; i++) levels.push((ui = reduceUi(ui, { type: 'cycle-log-level' })).logLevel);
    expect(levels).toEqual(['info', 'warning', 'error', 'debug', 'info']);
    expect(reduceUi(initialUi(), { type: 'switch-pane' }).mainPane).toBe('tasks');
  });

  it('keeps the focused section within the sections there are', () => {
    let ui = initialUi();
    ui = reduceUi(ui, { type: 'focus-section', delta: 1, count: 2 });
    ui = reduceUi(ui, { type: 'focus-section', delta: 1, count: 2 });
    expect(ui.focusedSection).toBe(1);
    expect(reduceUi(ui, { type: 'focus-section', delta: 1, count: 0 }).focusedSection).toBe(0);
  });

  it('edits the log search, keeps it on Enter and clears it on Esc', () => {
    let ui = reduceUi(initialUi(), { type: 'start-search' });
    ui = reduceUi(ui, { type: 'edit-search', text: 'tok' });
    expect(ui).toMatchObject({ searchingLogs: true, logSearch: 'tok' });
    ui = reduceUi(ui, { type: 'edit-search', text: 'token', done: true });
    expect(ui).toMatchObject({ searchingLogs: false, logSearch: 'token' });
    expect(reduceUi(ui, { type: 'clear-search' })).toMatchObject({ searchingLogs: false, logSearch: '' });
  });

  it('scrolling up leaves follow mode where the view was; scrolling past the end follows again', () => {
    let ui = reduceUi(initialUi(), { type: 'scroll-logs', delta: -10, lines: 100 });
    expect(ui).toMatchObject({ followLogs: false, logScrollTop: 89 });
    ui = reduceUi(ui, { type: 'scroll-logs', delta: -100, lines: 100 });
    expect(ui.logScrollTop).toBe(0);
    ui = reduceUi(ui, { type: 'scroll-logs', delta: 200, lines: 100 });
    expect(ui).toMatchObject({ followLogs: true });
  });
});
