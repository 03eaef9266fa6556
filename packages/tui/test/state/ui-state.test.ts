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

  it('moves the focus left and right within agents, sections and main, or straight to one', () => {
    let ui = initialUi();
    expect(ui.focus).toBe('agents');
    ui = reduceUi(ui, { type: 'move-focus', delta: -1 });
    expect(ui.focus).toBe('agents');
    ui = reduceUi(reduceUi(reduceUi(ui, { type: 'move-focus', delta: 1 }), { type: 'move-focus', delta: 1 }), { type: 'move-focus', delta: 1 });
    expect(ui.focus).toBe('main');
    expect(reduceUi(ui, { type: 'set-focus', focus: 'sections' }).focus).toBe('sections');
  });

  it('selects tasks newest first, starting from the newest when none is chosen, and follows the newest again on request', () => {
    const taskIds = ['t3', 't2', 't1'];
    let ui = reduceUi(initialUi(), { type: 'select-task', delta: 1, taskIds });
    expect(ui.selectedTaskId).toBe('t2');
    ui = reduceUi(ui, { type: 'select-task', delta: 10, taskIds });
    expect(ui.selectedTaskId).toBe('t1');
    ui = reduceUi(ui, { type: 'select-task', delta: -1, taskIds });
    expect(ui.selectedTaskId).toBe('t2');
    expect(reduceUi(ui, { type: 'select-task', delta: 1, taskIds: [] })).toBe(ui);
    expect(reduceUi(ui, { type: 'select-newest-task' }).selectedTaskId).toBeUndefined();
  });

  it('forgets the task choice and section scroll when another agent is selected', () => {
    let ui = reduceUi(initialUi(), { type: 'ensure-selection', agents });
    ui = reduceUi(reduceUi(ui, { type: 'select-task', delta: 1, taskIds: ['x', 'y'] }), { type: 'scroll-section', delta: 5, maxTop: 9 });
    expect(ui).toMatchObject({ selectedTaskId: 'y', sectionScrollTop: 5 });
    ui = reduceUi(ui, { type: 'select-agent', delta: 1, agents });
    expect(ui).toMatchObject({ selectedAgent: 'b', selectedTaskId: undefined, sectionScrollTop: 0 });
  });

  it('scrolls the focused section within its limit, and starts at the top of the next section', () => {
    let ui = reduceUi(initialUi(), { type: 'scroll-section', delta: 8, maxTop: 5 });
    expect(ui.sectionScrollTop).toBe(5);
    // Back up from the end moves at once: the limit is where the view is.
    ui = reduceUi(ui, { type: 'scroll-section', delta: -2, maxTop: 5 });
    expect(ui.sectionScrollTop).toBe(3);
    expect(reduceUi(ui, { type: 'scroll-section', delta: -9, maxTop: 5 }).sectionScrollTop).toBe(0);
    expect(reduceUi(ui, { type: 'focus-section', delta: 1, count: 3 }).sectionScrollTop).toBe(0);
    // The section shrank (or the terminal grew) since: scrolling starts from where the view is.
    expect(reduceUi({ ...ui, sectionScrollTop: 40 }, { type: 'scroll-section', delta: -2, maxTop: 5 }).sectionScrollTop).toBe(3);
    expect(reduceUi({ ...ui, selectedAgent: 'a' }, { type: 'toggle-section', sectionId: 'x', collapsedByAgent: false }).sectionScrollTop).toBe(0);
  });

  it('opens a task’s details, selecting it, scrolls them within their limit and closes', () => {
    let ui = reduceUi(initialUi(), { type: 'open-task', taskId: 't1' });
    expect(ui).toMatchObject({ selectedTaskId: 't1', overlay: { kind: 'task', taskId: 't1', scrollTop: 0 } });
    ui = reduceUi(ui, { type: 'scroll-task', delta: 30, maxTop: 12 });
    expect(ui.overlay).toEqual({ kind: 'task', taskId: 't1', scrollTop: 12 });
    expect(reduceUi(ui, { type: 'close-overlay' }).overlay).toEqual({ kind: 'none' });
    expect(reduceUi(initialUi(), { type: 'scroll-task', delta: 1, maxTop: 5 }).overlay).toEqual({ kind: 'none' });
  });
});
