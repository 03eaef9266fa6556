import { afterAll, describe, expect, it, vi } from 'vitest';
// Before Ink (and its chalk) load: see force-color.ts.
const restoreEnv = await vi.hoisted(async () => (await import('../force-color.js')).forceTrueColor());
import { AppLayout } from '../../src/views/AppLayout.js';
import { TaskDetail } from '../../src/views/TaskDetail.js';
import { TasksPane } from '../../src/views/TasksPane.js';
import type { TaskRow } from '../../src/state/types.js';
import { frameOf, linesOf } from './render-frame.js';

afterAll(restoreEnv);

// The finding: a failed sign-in's task still read "Waiting for you to finish…".
const waiting = 'Open http://127.0.0.1:9440/device and enter the code WDJB-MJHT (valid until 12:34:56). Waiting for you to finish...';
const at = new Date(2026, 0, 1, 12, 0, 0).getTime();
const ended = (state: TaskRow['state'], extra: Partial<TaskRow> = {}): TaskRow => ({
  id: `t-${state}`,
  agent: 'mail',
  command: 'authorize_gmail',
  progressLabel: 'Signing in to Gmail',
  state,
  progress: { text: waiting, progress: 0.3 },
  createdAt: at,
  updatedAt: at + 5_000,
  ...extra,
});
const failed = ended('failed', { error: { code: 'OAUTH_DEVICE_CODE_EXPIRED', message: 'the device code expired before you finished' } });
const tasks = [failed, ended('cancelled', { id: 'c', createdAt: at - 1 }), ended('succeeded', { id: 's', createdAt: at - 2, result: { account: 'ana@example.com' } })];

describe('an ended task', () => {
  it('shows its final state and error in the tasks pane, never its last progress', () => {
    const text = linesOf(frameOf(<TasksPane tasks={tasks} width={80} height={6} />, { columns: 80 })).join('\n');
    expect(text).not.toMatch(/Waiting for you|WDJB|30%/);
    expect(text).toContain('✗ Signing in to Gmail  the device code expired before you finished');
    expect(text).toContain('⊘ Signing in to Gmail  cancelled');
    expect(text).toContain('✓ Signing in to Gmail  {"account":"ana@example.com"}');
  });

  it('shows its final state and error in its details', () => {
    const text = linesOf(frameOf(<TaskDetail task={failed} width={80} height={20} scrollTop={0} />, { columns: 80 })).join('\n');
    expect(text).not.toMatch(/Waiting for you|WDJB/);
    expect(text).toMatch(/state +failed/);
    expect(text).toContain('the device code expired before you finished');
  });

  it('leaves no sign-in request on screen at 120×35', () => {
    const layout = (
      <AppLayout
        width={120}
        height={35}
        connection="connected"
        hints={[]}
        agents={[{ name: 'mail', description: '', state: 'running', pid: 1, restarts: 0 }]}
        selectedAgent="mail"
        sections={[]}
        tasks={tasks}
        selectedTaskId={failed.id}
        logs={[]}
        logView={{ follow: true }}
        mainPane="tasks"
        overlay={{ kind: 'none' }}
      />
    );
    const text = linesOf(frameOf(layout, { columns: 120, rows: 35 })).join('\n');
    expect(text).not.toMatch(/Waiting for you|WDJB/);
    expect(text).toContain('the device code expired before you finished');
  });
});
