import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type ReadResourceResult,
  type Resource,
} from '@modelcontextprotocol/sdk/types.js';
import { CONTROL_ERROR, ControlClientError, type LogEntryRow } from '@opperator/protocol';
import type { DaemonLink, WatchEvent } from './daemon-link.js';
import { markupToMarkdown } from './markup-markdown.js';
import { OAUTH_AGENT_GUIDE, OAUTH_GUIDE_URI } from './oauth-guide.js';
import { isHiddenAgent, visibleAgentNames } from './visibility.js';

/** The JSON-RPC code MCP gives an unknown resource. */
export const RESOURCE_NOT_FOUND = -32002;

/** Log lines a logs resource holds (the latest). */
export const RESOURCE_LOG_LINES = 200;

const URI_PATTERN = /^opperator:\/\/agents\/([a-z0-9][a-z0-9_-]*)\/(sections|logs)$/;

/**
 * The URI of an agent's sections (Markdown) or recent logs (plain text).
 *
 * @example
 * ```ts
 * agentResourceUri('mail', 'sections'); // 'opperator://agents/mail/sections'
 * ```
 */
export function agentResourceUri(agent: string, kind: 'sections' | 'logs'): string {
  return `opperator://agents/${agent}/${kind}`;
}

/**
 * Each agent's sections and recent logs as MCP resources, with
 * `resources/subscribe`: a subscribed sections resource gets
 * `notifications/resources/updated` whenever the daemon's watch reports a
 * change to one of its sections; `notifications/resources/list_changed`
 * when agents are added or removed. Logs resources are read on demand.
 *
 * @example
 * ```ts
 * const resources = new AgentResources(server, link);
 * link options: onWatchEvent: (event) => resources.onWatchEvent(event)
 * ```
 */
export class AgentResources {
  readonly #server: Server;
  readonly #link: DaemonLink;
  readonly #subscribed = new Set<string>();
  #agents: string | undefined;
  #hidden = new Set<string>();

  constructor(server: Server, link: DaemonLink) {
    this.#server = server;
    this.#link = link;
    server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: await this.#list() }));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
      resourceTemplates: [
        { uriTemplate: 'opperator://agents/{agent}/sections', name: 'agent-sections', title: "An agent's sections", description: "The agent's sidebar sections (sign-in state, counters) as Markdown.", mimeType: 'text/markdown' },
        { uriTemplate: 'opperator://agents/{agent}/logs', name: 'agent-logs', title: "An agent's recent logs", description: `The agent's latest ${RESOURCE_LOG_LINES} log lines.`, mimeType: 'text/plain' },
      ],
    }));
    server.setRequestHandler(ReadResourceRequestSchema, async (request) =>
      request.params.uri === OAUTH_GUIDE_URI ? { contents: [{ uri: OAUTH_GUIDE_URI, mimeType: 'text/markdown', text: OAUTH_AGENT_GUIDE }] } : this.#read(request.params.uri),
    );
    server.setRequestHandler(SubscribeRequestSchema, async (request) => {
      parseUri(request.params.uri);
      this.#subscribed.add(request.params.uri);
      return {};
    });
    server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
      this.#subscribed.delete(request.params.uri);
      return {};
    });
  }

  /** Turns the daemon's watch events into resource notifications. */
  onWatchEvent(event: WatchEvent, notify: (send: () => Promise<void>) => void): void {
    if ('agents' in event) {
      const names = event.agents.filter((agent) => !isHiddenAgent(agent)).map((agent) => agent.name).sort().join('\n');
      this.#hidden = new Set(event.agents.filter((agent) => isHiddenAgent(agent)).map((agent) => agent.name));
      if (this.#agents !== undefined && names !== this.#agents) notify(() => this.#server.sendResourceListChanged());
      this.#agents = names;
      return;
    }
    if ('section' in event) {
      const uri = agentResourceUri(event.section.agent, 'sections');
      if (this.#subscribed.has(uri) && !this.#hidden.has(event.section.agent)) notify(() => this.#server.sendResourceUpdated({ uri }));
    }
  }

  async #list(): Promise<Resource[]> {
    const guide: Resource = { uri: OAUTH_GUIDE_URI, name: 'oauth-agent-guide', title: 'Writing an OAuth agent', description: 'How to write, run and sign in an Opperator agent that uses OAuth, with this server\'s tools.', mimeType: 'text/markdown' };
    const agents = await this.#link.run((client) => client.request('agent.list'), { start: false }).catch((err: unknown) => {
      // Without a daemon there are no agents to list; the guide is still there.
      if (err instanceof ControlClientError) return [];
      throw err;
    });
    return [guide, ...agents.filter((agent) => !isHiddenAgent(agent)).flatMap((agent): Resource[] => [
      { uri: agentResourceUri(agent.name, 'sections'), name: `${agent.name}-sections`, title: `${agent.name}: sections`, description: `Sidebar sections of ${agent.name} (${agent.state}) as Markdown.`, mimeType: 'text/markdown' },
      { uri: agentResourceUri(agent.name, 'logs'), name: `${agent.name}-logs`, title: `${agent.name}: recent logs`, description: `The latest ${RESOURCE_LOG_LINES} log lines of ${agent.name}.`, mimeType: 'text/plain' },
    ])];
  }

  async #read(uri: string): Promise<ReadResourceResult> {
    const { agent, kind } = parseUri(uri);
    try {
      // An agent agents.yaml hides from MCP is not found, like one that does not exist.
      if (!(await this.#link.run((client) => visibleAgentNames(client), { start: false })).has(agent)) throw new ControlClientError(CONTROL_ERROR.AGENT_NOT_FOUND, `No agent named ${JSON.stringify(agent)}.`);
      if (kind === 'sections') {
        const rows = await this.#link.run((client) => client.request('agent.sections', { name: agent }), { start: false });
        const text = rows.length === 0 ? `${agent} shows no sections.` : rows.map((row) => `## ${markupToMarkdown(row.title)}\n\n${markupToMarkdown(row.content)}`).join('\n\n');
        return { contents: [{ uri, mimeType: 'text/markdown', text }] };
      }
      const entries: LogEntryRow[] = [];
      await this.#link.run((client) => client.request('agent.logs', { name: agent, lines: RESOURCE_LOG_LINES }, { onEvent: ({ log }) => void entries.push(log) }), { start: false });
      const text = entries.map((entry) => `${new Date(entry.time).toISOString()} ${entry.level} [${entry.source}] ${entry.message}`).join('\n');
      return { contents: [{ uri, mimeType: 'text/plain', text }] };
    } catch (err) {
      if (err instanceof ControlClientError && err.code === CONTROL_ERROR.AGENT_NOT_FOUND) throw new McpError(RESOURCE_NOT_FOUND, `No agent named ${JSON.stringify(agent)}: resources/list shows the agents.`, { uri });
      throw err;
    }
  }
}

function parseUri(uri: string): { agent: string; kind: 'sections' | 'logs' } {
  const match = URI_PATTERN.exec(uri);
  if (!match) throw new McpError(ErrorCode.InvalidParams, `Unknown resource ${JSON.stringify(uri)}: resources are opperator://agents/NAME/sections and opperator://agents/NAME/logs.`, { uri });
  return { agent: match[1]!, kind: match[2] as 'sections' | 'logs' };
}
