import { describe, expect, it } from 'vitest';
import { commandRunRow, keepCommandRun, MAX_COMMAND_RUNS } from '../../src/app/command-runs.js';

describe('command runs (commands without a task, in the tasks pane)', () => {
  const run = { agent: 'mail', command: 'check_invoices', args: { folder: 'INBOX' }, startedAt: 10, endedAt: 25 };

  it('makes an ended task row: succeeded with the result, or failed with the error', () => {
    expect(commandRunRow({ ...run, outcome: { ok: true, result: { unread: 3 } } })).toMatchObject({ agent: 'mail', command: 'check_invoices', args: { folder: 'INBOX' }, state: 'succeeded', result: { unread: 3 }, createdAt: 10, updatedAt: 25 });
    const failed = commandRunRow({ ...run, outcome: { ok: false, error: { code: 'AGENT_COMMAND_FAILED', message: 'IMAP login refused' } } });
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'AGENT_COMMAND_FAILED', message: 'IMAP login refused' } });
    expect(failed.result).toBeUndefined();
  });

  it('gives each run its own id and keeps the newest ones', () => {
    const rows = Array.from({ length: MAX_COMMAND_RUNS + 5 }, () => commandRunRow({ ...run, outcome: { ok: true, result: null } }));
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
    const kept = rows.reduce<ReturnType<typeof keepCommandRun>>((all, row) => keepCommandRun(all, row), []);
    expect(kept).toEqual(rows.slice(-MAX_COMMAND_RUNS));
  });
});
