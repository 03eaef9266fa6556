import { CONTROL_ERROR, ControlClientError, SIGN_IN_COMMAND_PREFIXES, type TaskRecordRow } from '@opperator/protocol';
import { failureResult, textResult } from './tool-results.js';
import { READ_ONLY, type BuiltInTool } from './tool-definition.js';
import { visibleAgentNames } from './visibility.js';

/** Most tasks task_status lists at once (the latest). */
export const MAX_LISTED_TASKS = 50;

const taskOutput = {
  type: 'object',
  properties: { id: { type: 'string' }, agent: { type: 'string' }, command: { type: 'string' }, state: { type: 'string' }, progress: { type: 'object' } },
  required: ['id', 'agent', 'command', 'state'],
};

/** `task_status`: one task, or the latest ones. */
export const taskStatusTool: BuiltInTool = {
  name: 'task_status',
  title: 'Task status',
  description: `Where async commands (tasks) stand: with task_id, that task's state, progress and result or error; without, the latest ${MAX_LISTED_TASKS} tasks (of one agent when agent is given).`,
  arguments: [
    { name: 'task_id', type: 'string', description: 'A task id, as a command tool or task_status reported it.' },
    { name: 'agent', type: 'string', description: 'Only tasks of this agent (without task_id).' },
  ],
  annotations: READ_ONLY,
  outputSchema: { type: 'object', properties: { tasks: { type: 'array', items: taskOutput } }, required: ['tasks'] },
  async run(args, context) {
    const id = typeof args.task_id === 'string' ? args.task_id : undefined;
    const agent = typeof args.agent === 'string' ? args.agent : undefined;
    try {
      const tasks = await context.link.run(async (client) => {
        const visible = await visibleAgentNames(client);
        const found = id !== undefined ? [await client.request('task.get', { id })] : await client.request('task.list', agent === undefined ? {} : { agent });
        // A hidden agent's tasks are not there for MCP clients.
        const shown = found.filter((task) => visible.has(task.agent));
        if (id !== undefined && shown.length === 0) throw new ControlClientError(CONTROL_ERROR.TASK_NOT_FOUND, `No task ${JSON.stringify(id)}.`);
        return shown.slice(-MAX_LISTED_TASKS);
      });
      const shown = tasks.map(showTask);
      if (shown.length === 0) return textResult('No tasks.', { tasks: [] });
      return textResult(shown.map(describeTask).join('\n'), { tasks: shown });
    } catch (err) {
      return failureResult(err, { ...(id === undefined ? {} : { taskId: id }), ...(agent === undefined ? {} : { agent }), knownAgents: context.knownAgents });
    }
  },
};

/** `cancel_task`: asks the agent to stop a running task. */
export const cancelTaskTool: BuiltInTool = {
  name: 'cancel_task',
  title: 'Cancel a task',
  description: 'Cancel a running task (an async command): the agent is asked to stop it; task_status then shows it cancelled.',
  arguments: [{ name: 'task_id', type: 'string', required: true, description: 'The task id.' }],
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run(args, context) {
    const id = String(args.task_id);
    try {
      await context.link.run(async (client) => {
        const [task, visible] = await Promise.all([client.request('task.get', { id }), visibleAgentNames(client)]);
        if (!visible.has(task.agent)) throw new ControlClientError(CONTROL_ERROR.TASK_NOT_FOUND, `No task ${JSON.stringify(id)}.`);
        await client.request('task.cancel', { id });
      });
      return textResult(`Cancelling task ${id}; task_status {"task_id":${JSON.stringify(id)}} shows when it ended.`);
    } catch (err) {
      return failureResult(err, { taskId: id });
    }
  },
};

/** A task as tools show it: a token command's result is never shown, whatever it holds. */
function showTask(task: TaskRecordRow): Record<string, unknown> {
  const secret = task.command.startsWith(SIGN_IN_COMMAND_PREFIXES.token);
  return {
    id: task.id,
    agent: task.agent,
    command: task.command,
    state: task.state,
    progress: task.progress,
    ...(task.result !== undefined ? { result: secret ? '(withheld)' : task.result } : {}),
    ...(task.error ? { error: task.error.message } : {}),
    createdAt: new Date(task.createdAt).toISOString(),
    updatedAt: new Date(task.updatedAt).toISOString(),
  };
}

function describeTask(task: Record<string, unknown>): string {
  const progress = task.progress as { progress?: number; text?: string };
  const percent = typeof progress.progress === 'number' ? ` ${Math.round(progress.progress * 100)}%` : '';
  const outcome = 'error' in task ? ` error: ${String(task.error)}` : 'result' in task ? ` result: ${JSON.stringify(task.result)}` : '';
  return `- ${String(task.id)} ${String(task.agent)} ${String(task.command)}: ${String(task.state)}${percent}${progress.text ? ` (${progress.text})` : ''}${outcome}`;
}
