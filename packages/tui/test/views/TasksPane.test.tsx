import { afterAll, describe, expect, it, vi } from 'vitest';
// Before Ink (and its chalk) load: see force-color.ts.
const restoreEnv = await vi.hoisted(async () => (await import('../force-color.js')).forceTrueColor());
import { ESC, hasColor } from '../ansi.js';
import { TasksPane } from '../../src/views/TasksPane.js';
import { findUrl, outcomeText, taskLabel, toCompactJson } from '../../src/views/task-text.js';
import type { TaskRow } from '../../src/state/types.js';
import { frameOf, linesOf, shownLinesOf } from './render-frame.js';

afterAll(restoreEnv);

const task = (id: string, createdAt: number, extra: Partial<TaskRow>): TaskRow => ({
  id,
  agent: 'invoice-monitor',
  command: 'check_now',
  state: 'running',
  progress: {},
  createdAt,
  updatedAt: createdAt,
  ...extra,
});

const tasks: TaskRow[] = [
  task('t1', 1, { state: 'succeeded', result: { unread: 3, folder: 'INBOX' } }),
  task('t2', 2, { state: 'failed', error: { message: 'agent exited' } }),
  task('t3', 3, { state: 'cancelled' }),
  task('t4', 4, { progressLabel: 'Checking Gmail', progress: { text: 'Listing unread messages', progress: 0.5 } }),
];

describe('TasksPane', () => {
  it('lists tasks newest first: progress for running ones, one line per finished one', () => {
    expect(shownLinesOf(frameOf(<TasksPane tasks={tasks} spinnerFrame="⠋" width={60} height={10} />))).toEqual([
      'Tasks · 1 running · 3 done',
      `  ⠋ Checking Gmail ${'█'.repeat(7)}${'░'.repeat(7)}  50% Listing unread messa…`,
      '  ⊘ check_now  cancelled',
      '  ✗ check_now  agent exited',
      '  ✓ check_now  {"unread":3,"folder":"INBOX"}',
    ]);
  });

  it('labels a running task by its command when it has no progress label, without a bar when no number', () => {
    const lines = shownLinesOf(frameOf(<TasksPane tasks={[task('a', 1, { progress: { text: 'waiting' } })]} spinnerFrame="⠙" width={60} height={5} />));
    expect(lines[1]).toBe('  ⠙ check_now waiting');
  });

  it('truncates a long result summary to the width', () => {
    const big = task('b', 1, { state: 'succeeded', result: { items: Array.from({ length: 100 }, (_, i) => i) } });
    const lines = shownLinesOf(frameOf(<TasksPane tasks={[big]} width={40} height={5} />));
    expect(lines[1]?.startsWith('  ✓ check_now  {"items":[0,1,2')).toBe(true);
    expect(lines[1]?.endsWith('…')).toBe(true);
    expect([...(lines[1] ?? '')].length).toBeLessThanOrEqual(40);
  });

  it('shows a sign-in URL from the progress text on its own line, whole, even past the width', () => {
    const url = 'http://127.0.0.1:43123/device?user_code=WDJB-MJHT&client_id=opperator-invoice-monitor';
    const signIn = task('s', 1, { progressLabel: 'Signing in', progress: { text: `Open ${url} and enter the code` } });
    const lines = shownLinesOf(frameOf(<TasksPane tasks={[signIn]} spinnerFrame="⠋" width={40} height={8} />, { columns: 40 }));
    expect(lines[1]?.startsWith('  ⠋ Signing in Open http')).toBe(true);
    // Wrapped at the width but never cut: joining the rows gives the URL back.
    expect(lines.slice(2).join('')).toBe(url);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(40);
  });

  it('highlights the selected task and keeps it in view', () => {
    const many = Array.from({ length: 10 }, (_, i) => task(`t${i}`, i, { state: 'succeeded', command: `cmd${i}` }));
    const frame = frameOf(<TasksPane tasks={many} selectedId="t1" width={40} height={5} />);
    expect(shownLinesOf(frame)).toEqual(['Tasks · 0 running · 10 done', '↑ 7 more', '  ✓ cmd2', '› ✓ cmd1', '  ✓ cmd0']);
    expect(frame.split('\n')[3]).toContain(`${ESC}[7m`);
  });

  it('colours the marks with colour on, none with colour off', () => {
    const colored = frameOf(<TasksPane tasks={tasks} spinnerFrame="⠋" width={60} height={10} />);
    expect(colored).toContain(`${ESC}[32m✓`);
    expect(colored).toContain(`${ESC}[31m✗`);
    expect(hasColor(frameOf(<TasksPane tasks={tasks} spinnerFrame="⠋" width={60} height={10} />, { color: false }))).toBe(false);
  });

  it('never takes more rows than its height', () => {
    const lines = linesOf(frameOf(<TasksPane tasks={tasks} spinnerFrame="⠋" width={60} height={3} />));
    expect(lines).toHaveLength(3);
  });

  it('says so when there are no tasks', () => {
    expect(shownLinesOf(frameOf(<TasksPane tasks={[]} width={60} height={5} />))).toEqual(['Tasks', 'No tasks yet. Commands you run appear here.']);
  });
});

describe('task text helpers', () => {
  it('findUrl takes the first http(s) URL without trailing punctuation', () => {
    expect(findUrl('Open https://accounts.example.com/o/device?code=1. Then wait')).toBe('https://accounts.example.com/o/device?code=1');
    expect(findUrl('see (https://en.wikipedia.org/wiki/Foo_(bar))')).toBe('https://en.wikipedia.org/wiki/Foo_(bar)');
    expect(findUrl('go to <http://127.0.0.1:9/x>')).toBe('http://127.0.0.1:9/x');
    expect(findUrl('ftp://nope and plain text')).toBeUndefined();
    expect(findUrl(undefined)).toBeUndefined();
  });

  it('taskLabel prefers the progress label', () => {
    expect(taskLabel({ command: 'c', progressLabel: 'L' })).toBe('L');
    expect(taskLabel({ command: 'c', progressLabel: '' })).toBe('c');
  });

  it('outcomeText and toCompactJson never throw', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(outcomeText({ state: 'succeeded', result: cyclic })).toContain('[object Object]');
    expect(outcomeText({ state: 'succeeded', result: null })).toBe('');
    expect(outcomeText({ state: 'failed' })).toBe('failed');
    expect(toCompactJson(10n)).toContain('10');
  });
});
