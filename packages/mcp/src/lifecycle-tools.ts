import type { AgentRow } from '@opperator/protocol';
import { failureResult, textResult } from './tool-results.js';
import { isHiddenAgent } from './visibility.js';
import { AGENT_ARGUMENT, READ_ONLY, type BuiltInTool, type ToolContext } from './tool-definition.js';

const agentRowOutput = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    state: { type: 'string' },
    pid: { type: ['integer', 'null'] },
    restarts: { type: 'integer' },
    tools: { type: 'array', items: { type: 'string' } },
  },
  required: ['name', 'state'],
};

/** `list_agents`: every agent with its state and the tools its commands are. */
export const listAgentsTool: BuiltInTool = {
  name: 'list_agents',
  title: 'List agents',
  description: 'Every agent of this Opperator home: name, description, state (running, stopped, crashed, ...), pid, restarts, and the tools its commands are (a running agent\'s commands are tools named <agent>__<command>).',
  arguments: [],
  annotations: READ_ONLY,
  outputSchema: { type: 'object', properties: { agents: { type: 'array', items: agentRowOutput } }, required: ['agents'] },
  async run(_args, context) {
    try {
      const agents = (await context.link.run((client) => client.request('agent.list'))).filter((row) => !isHiddenAgent(row));
      const rows = agents.map((agent) => ({ ...pick(agent), tools: toolsOf(context, agent.name) }));
      const text = rows.length === 0 ? 'No agents yet. Create one: opperator agent bootstrap NAME' : rows.map((row) => `- ${row.name}: ${row.state}${row.pid ? ` (pid ${row.pid})` : ''}${row.restarts ? `, ${row.restarts} restarts` : ''}${row.description ? ` — ${row.description}` : ''}${row.tools.length ? `\n  tools: ${row.tools.join(', ')}` : ''}`).join('\n');
      return textResult(text, { agents: rows });
    } catch (err) {
      return failureResult(err);
    }
  },
};

function pick(agent: AgentRow): { name: string; description: string; state: string; pid: number | null; restarts: number } {
  return { name: agent.name, description: agent.description, state: agent.state, pid: agent.pid, restarts: agent.restarts };
}

function toolsOf(context: ToolContext, agent: string): string[] {
  return context.catalog.tools().map((tool) => tool.name).filter((name) => context.catalog.target(name)?.agent === agent);
}

type Action = 'start' | 'stop' | 'restart';

const ACTION_TEXT: Record<Action, { title: string; description: string; done: string }> = {
  start: { title: 'Start an agent', description: 'Start an agent (it is started again with the daemon until stopped). Its commands become tools once it runs.', done: 'Started' },
  stop: { title: 'Stop an agent', description: 'Stop an agent: its running tasks end, and its command tools go away until it starts again.', done: 'Stopped' },
  restart: { title: 'Restart an agent', description: 'Stop an agent and start it again, e.g. after editing its code or agents.yaml: its running tasks end.', done: 'Restarted' },
};

function lifecycleTool(action: Action, annotations: BuiltInTool['annotations']): BuiltInTool {
  const text = ACTION_TEXT[action];
  return {
    name: `${action}_agent`,
    title: text.title,
    description: text.description,
    arguments: [AGENT_ARGUMENT],
    annotations,
    outputSchema: { type: 'object', properties: { agent: { type: 'string' }, state: { type: 'string' }, tools: { type: 'array', items: { type: 'string' } } }, required: ['agent', 'state'] },
    async run(args, context) {
      const agent = String(args.agent);
      try {
        const { state } = await context.link.run((client) => client.request(`agent.${action}`, { name: agent }));
        // The tool list first, so list_changed reaches the client before this answer.
        await context.refreshTools();
        const tools = toolsOf(context, agent);
        return textResult(`${text.done} ${agent} (state ${state}).${tools.length ? ` Its tools: ${tools.join(', ')}.` : ''}`, { agent, state, tools });
      } catch (err) {
        return failureResult(err, { agent, knownAgents: context.knownAgents });
      }
    },
  };
}

/** `start_agent`: starting a running agent changes nothing. */
export const startAgentTool = lifecycleTool('start', { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false });
/** `stop_agent`: ends the agent's running tasks (destructive); stopping a stopped agent changes nothing. */
export const stopAgentTool = lifecycleTool('stop', { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false });
/** `restart_agent`: ends running tasks, and each call restarts again. */
export const restartAgentTool = lifecycleTool('restart', { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false });
