import type { LogEntryRow } from '@opperator/protocol';
import { parseSince } from './log-since.js';
import { markupToMarkdown } from './markup-markdown.js';
import { errorResult, failureResult, textResult } from './tool-results.js';
import { AGENT_ARGUMENT, READ_ONLY, type BuiltInTool } from './tool-definition.js';

/** Lines agent_logs returns when not told how many. */
export const DEFAULT_LOG_LINES = 100;
/** Most lines agent_logs returns in one call. */
export const MAX_LOG_LINES = 2_000;

/** `agent_logs`: an agent's recent log lines. */
export const agentLogsTool: BuiltInTool = {
  name: 'agent_logs',
  title: "An agent's logs",
  description: `An agent's recent log lines (its own logs, its stdout/stderr, and the daemon's notes about it), oldest first. Use it to see why an agent crashed or a command failed.`,
  arguments: [
    AGENT_ARGUMENT,
    { name: 'lines', type: 'integer', description: `How many of the latest lines (default ${DEFAULT_LOG_LINES}, at most ${MAX_LOG_LINES}).` },
    { name: 'since', type: 'string', description: 'Only lines from then on: a duration back from now (30s, 10m, 2h, 1d) or an ISO 8601 date/time.' },
  ],
  annotations: READ_ONLY,
  async run(args, context) {
    const agent = String(args.agent);
    const lines = typeof args.lines === 'number' ? args.lines : DEFAULT_LOG_LINES;
    if (lines < 0 || lines > MAX_LOG_LINES) return errorResult(`"lines" must be between 0 and ${MAX_LOG_LINES}.`);
    const since = typeof args.since === 'string' ? parseSince(args.since, context.now()) : undefined;
    if (typeof args.since === 'string' && since === undefined) return errorResult(`"since" must be a duration (30s, 10m, 2h, 1d) or an ISO 8601 date/time, e.g. "10m" or "2026-01-31T09:00:00Z".`);
    try {
      const entries: LogEntryRow[] = [];
      await context.link.run((client) => client.request('agent.logs', { name: agent, lines, ...(since === undefined ? {} : { since }) }, { onEvent: ({ log }) => void entries.push(log) }));
      const kept = entries.slice(-lines);
      if (kept.length === 0) return textResult(`No log lines for ${agent}${since === undefined ? '' : ' in that time'}.`);
      return textResult(kept.map((entry) => `${new Date(entry.time).toISOString()} ${entry.level} [${entry.source}] ${entry.message}${entry.fields && Object.keys(entry.fields).length ? ` ${JSON.stringify(entry.fields)}` : ''}`).join('\n'));
    } catch (err) {
      return failureResult(err, { agent, knownAgents: context.knownAgents });
    }
  },
};

/** `agent_sections`: an agent's sidebar sections as Markdown. */
export const agentSectionsTool: BuiltInTool = {
  name: 'agent_sections',
  title: "An agent's sections",
  description: "An agent's sidebar sections (its status panels: sign-in state, counters, recent items) as Markdown, one heading per section. Kept while the agent is stopped.",
  arguments: [AGENT_ARGUMENT],
  annotations: READ_ONLY,
  outputSchema: {
    type: 'object',
    properties: { sections: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' }, markdown: { type: 'string' }, updatedAt: { type: 'string' } }, required: ['id', 'title', 'markdown'] } } },
    required: ['sections'],
  },
  async run(args, context) {
    const agent = String(args.agent);
    try {
      const rows = await context.link.run((client) => client.request('agent.sections', { name: agent }));
      const sections = rows.map((row) => ({ id: row.id, title: row.title, markdown: markupToMarkdown(row.content), updatedAt: new Date(row.updatedAt).toISOString() }));
      const text = sections.length === 0 ? `${agent} shows no sections.` : sections.map((section) => `## ${markupToMarkdown(section.title)}\n\n${section.markdown}`).join('\n\n');
      return textResult(text, { sections });
    } catch (err) {
      return failureResult(err, { agent, knownAgents: context.knownAgents });
    }
  },
};

/** `agent_commands`: what a running agent offers, with the tool names to call. */
export const agentCommandsTool: BuiltInTool = {
  name: 'agent_commands',
  title: "An agent's commands",
  description: "A running agent's commands: each one's tool name (<agent>__<command>), description, arguments, and whether it runs as a task. Hidden commands are not listed.",
  arguments: [AGENT_ARGUMENT],
  annotations: READ_ONLY,
  outputSchema: {
    type: 'object',
    properties: { commands: { type: 'array', items: { type: 'object', properties: { command: { type: 'string' }, tool: { type: 'string' }, description: { type: 'string' }, async: { type: 'boolean' }, arguments: { type: 'array' } }, required: ['command', 'tool', 'async'] } } },
    required: ['commands'],
  },
  async run(args, context) {
    const agent = String(args.agent);
    try {
      await context.link.run((client) => client.request('agent.commands', { name: agent }));
      await context.refreshTools();
      const commands = context.catalog
        .tools()
        .map((tool) => ({ tool, target: context.catalog.target(tool.name) }))
        .filter(({ target }) => target?.agent === agent)
        .map(({ tool, target }) => ({ command: target!.command.name, tool: tool.name, description: target!.command.description ?? '', async: target!.command.async, arguments: target!.command.arguments ?? [] }));
      if (commands.length === 0) return textResult(`${agent} offers no commands (is it running? list_agents shows its state).`, { commands });
      const text = commands
        .map((command) => `- ${command.tool}${command.async ? ' (task)' : ''}: ${command.description || command.command}${command.arguments.length ? `\n  arguments: ${command.arguments.map((argument) => `${argument.name} ${argument.type}${argument.required ? ' (required)' : ''}${argument.enum ? ` one of ${argument.enum.join('|')}` : ''}`).join(', ')}` : ''}`)
        .join('\n');
      return textResult(text, { commands });
    } catch (err) {
      return failureResult(err, { agent, knownAgents: context.knownAgents });
    }
  },
};
