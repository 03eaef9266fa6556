import { describe, expect, it } from 'vitest';
import { EMPTY_SNAPSHOT, MAX_TASKS_KEPT, applyWatchEvent, withSections, withTasks } from '../../src/state/daemon-snapshot.js';
import type { SectionRow, TaskRow } from '../../src/state/types.js';

const section = (id: string, content: string, updatedAt: number): SectionRow => ({ id, title: id, content, collapsed: false, updatedAt });
const task = (id: string, createdAt: number, patch: Partial<TaskRow> = {}): TaskRow => ({ id, agent: 'mail', command: 'authorize_gmail', state: 'running', progress: {}, createdAt, updatedAt: createdAt, ...patch });

describe('applyWatchEvent', () => {
  it('replaces the agent list', () => {
    const next = applyWatchEvent(EMPTY_SNAPSHOT, { agents: [{ name: 'mail', description: '', state: 'running', pid: 1, restarts: 0 }] });
    expect(next.agents.map((a) => a.name)).toEqual(['mail']);
  });

  it('upserts sections in registration order, removes and clears them, per agent', () => {
    let s = applyWatchEvent(EMPTY_SNAPSHOT, { section: { agent: 'mail', section: section('auth', 'a', 1) } });
    s = applyWatchEvent(s, { section: { agent: 'mail', section: section('inbox', 'b', 2) } });
    s = applyWatchEvent(s, { section: { agent: 'mail', section: section('auth', 'a2', 3) } });
    s = applyWatchEvent(s, { section: { agent: 'gh', section: section('n', 'c', 4) } });
    expect(s.sections.mail?.map((x) => `${x.id}=${x.content}`)).toEqual(['auth=a2', 'inbox=b']);
    s = applyWatchEvent(s, { section: { agent: 'mail', removed: 'auth' } });
    expect(s.sections.mail?.map((x) => x.id)).toEqual(['inbox']);
    s = applyWatchEvent(s, { section: { agent: 'mail', cleared: true } });
    expect(s.sections.mail).toEqual([]);
    expect(s.sections.gh).toHaveLength(1);
  });

  it('keeps tasks newest first, replaces a task by id, and caps how many it keeps', () => {
    let s = applyWatchEvent(EMPTY_SNAPSHOT, { task: task('t1', 1) });
    s = applyWatchEvent(s, { task: task('t2', 2) });
    s = applyWatchEvent(s, { task: task('t1', 1, { state: 'succeeded', updatedAt: 5 }) });
    expect(s.tasks.map((t) => `${t.id}:${t.state}`)).toEqual(['t2:running', 't1:succeeded']);
    for (let i = 0; i < MAX_TASKS_KEPT + 10; i++) s = applyWatchEvent(s, { task: task(`x${i}`, 10 + i) });
    expect(s.tasks).toHaveLength(MAX_TASKS_KEPT);
    expect(s.tasks[0]?.id).toBe(`x${MAX_TASKS_KEPT + 9}`);
  });

  it('ignores events it does not know, returning the same snapshot', () => {
    expect(applyWatchEvent(EMPTY_SNAPSHOT, { somethingNew: 1 })).toBe(EMPTY_SNAPSHOT);
  });
});

describe('merging listed state with what the watch already delivered', () => {
  it('keeps a newer watched section over an older listed one, and adds sections only the watch knows', () => {
    let s = applyWatchEvent(EMPTY_SNAPSHOT, { section: { agent: 'mail', section: section('auth', 'fresh', 10) } });
    s = applyWatchEvent(s, { section: { agent: 'mail', section: section('new', 'n', 11) } });
    s = withSections(s, 'mail', [section('auth', 'stale', 5), section('inbox', 'listed', 6)]);
    expect(s.sections.mail?.map((x) => `${x.id}=${x.content}`)).toEqual(['auth=fresh', 'inbox=listed', 'new=n']);
  });

  it('keeps a newer watched task over an older listed one', () => {
    let s = applyWatchEvent(EMPTY_SNAPSHOT, { task: task('t1', 1, { state: 'succeeded', updatedAt: 9 }) });
    s = withTasks(s, [task('t1', 1), task('t0', 0, { state: 'failed' })]);
    expect(s.tasks.map((t) => `${t.id}:${t.state}`)).toEqual(['t1:succeeded', 't0:failed']);
  });
});

// The finding: a failed task still read "Waiting for you to finish…":
// a late record of it while running must not bring that back.
describe('an ended task', () => {
  const running: TaskRow = { id: 't', agent: 'mail', command: 'authorize_gmail', state: 'running', progress: { text: 'Waiting for you to finish...' }, createdAt: 1, updatedAt: 5 };
  const failed: TaskRow = { ...running, state: 'failed', error: { message: 'the device code expired' }, updatedAt: 9 };

  it('stays ended when a record of it while running arrives late, from the watch or a listing', () => {
    let s = applyWatchEvent(EMPTY_SNAPSHOT, { task: failed });
    s = applyWatchEvent(s, { task: running });
    expect(s.tasks).toEqual([failed]);
    s = withTasks(s, [{ ...running, updatedAt: 10 }]);
    expect(s.tasks).toEqual([failed]);
  });
});
