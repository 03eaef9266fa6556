import { randomUUID } from 'node:crypto';
import type { InvokeOutcome } from '@opperator/protocol';
import type { TaskRow } from '../state/types.js';

/** How many runs of commands without a task the tasks pane keeps (this session only; the daemon keeps none). */
export const MAX_COMMAND_RUNS = 20;

/** What is known of a command that ran to its end without a task (a sync command). */
export interface CommandRun {
  agent: string;
  command: string;
  args: Record<string, unknown>;
  /** When it was invoked and when its answer came, epoch ms. */
  startedAt: number;
  endedAt: number;
  /** Its answer: the result, or the agent's error. */
  outcome: Extract<InvokeOutcome, { ok: boolean }>;
}

/**
 * A row for the tasks pane from a command that had no task (a sync command
 * such as `/check_invoices`): the daemon records none, yet the pane says
 * "Commands you run appear here", and a newcomer looks for it there. Drawn
 * as an ended task: `✓` with its result, or `✗` with its error.
 *
 * @example
 * ```ts
 * commandRunRow({ agent: 'mail', command: 'check_invoices', args: {}, startedAt: 1, endedAt: 2, outcome: { ok: true, result: { unread: 3 } } });
 * // { id: 'run-…', state: 'succeeded', result: { unread: 3 }, … }
 * ```
 */
export function commandRunRow(run: CommandRun): TaskRow {
  const row: TaskRow = { id: `run-${randomUUID()}`, agent: run.agent, command: run.command, args: run.args, state: run.outcome.ok ? 'succeeded' : 'failed', progress: {}, createdAt: run.startedAt, updatedAt: run.endedAt };
  if (run.outcome.ok) row.result = run.outcome.result;
  else row.error = { message: run.outcome.error.message, ...(run.outcome.error.code ? { code: run.outcome.error.code } : {}) };
  return row;
}

/**
 * The rows kept once `row` is added: the newest {@link MAX_COMMAND_RUNS}.
 *
 * @example
 * ```ts
 * setRuns((runs) => keepCommandRun(runs, row));
 * ```
 */
export function keepCommandRun(runs: readonly TaskRow[], row: TaskRow): TaskRow[] {
  return [...runs, row].slice(-MAX_COMMAND_RUNS);
}
