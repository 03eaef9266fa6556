import { formatHumanTime } from '@opperator/protocol';
import { taskJson } from '../json-output.js';
import { toTerminalJson, toTerminalText as oneLine } from '../terminal-text.js';
import { printResult, withDaemon } from './with-daemon.js';


/** `opperator task list [--agent NAME] [--json]`: one task a line, with the time it started. */
export async function taskList(options: { agent?: string; json?: boolean }): Promise<void> {
  const tasks = await withDaemon((client) => client.request('task.list', options.agent ? { agent: options.agent } : {}));
  printResult(
    tasks,
    options.json,
    (rows) => rows.map((t) => oneLine(`${t.id}  ${t.state.padEnd(9)}  ${formatHumanTime(t.createdAt)}  ${t.agent} ${t.command}  ${t.progress.text ?? t.error?.message ?? ''}`)).join('\n') || 'No tasks.',
    (rows) => rows.map(taskJson),
  );
}

/** `opperator task get ID [--json]`. */
export async function taskGet(id: string, options: { json?: boolean }): Promise<void> {
  const task = await withDaemon((client) => client.request('task.get', { id }));
  printResult(
    task,
    options.json,
    (t) =>
      [
        `${t.agent} ${t.command}: ${t.state}`,
        `started: ${formatHumanTime(t.createdAt)}`,
        ...(t.state === 'running' ? [] : [`ended: ${formatHumanTime(t.updatedAt)}`]),
        ...(t.progress.text || t.progress.progress !== undefined ? [`progress: ${t.progress.text ?? ''}${t.progress.progress !== undefined ? ` (${Math.round(t.progress.progress * 100)}%)` : ''}`] : []),
        ...(t.error ? [`error: ${t.error.message}`] : []),
        ...(t.result !== undefined ? [`result: ${toTerminalJson(t.result)}`] : []),
      ].map((line) => oneLine(line)).join('\n'),
    taskJson,
  );
}

/** `opperator task cancel ID`. */
export async function taskCancel(id: string): Promise<void> {
  await withDaemon((client) => client.request('task.cancel', { id }));
  process.stdout.write(`Cancelling task ${id}.\n`);
}
