import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { CONTROL_ERROR, ControlClientError, validateArguments } from '@opperator/protocol';
import { addAgentTool, type AddAgent } from './add-tool.js';
import { bootstrapAgentTool, type BootstrapAgent } from './bootstrap-tool.js';
import { CommandCatalog } from './command-catalog.js';
import { DaemonLink, type ConnectDaemon, type LinkRunOptions, type WatchEvent } from './daemon-link.js';
import { agentCommandsTool, agentLogsTool, agentSectionsTool } from './inspection-tools.js';
import { invokeCommand, type ToolRequestExtra } from './invoke-command.js';
import { registerPrompts } from './prompts.js';
import { AgentResources } from './resources.js';
import { listAgentsTool, restartAgentTool, startAgentTool, stopAgentTool } from './lifecycle-tools.js';
import { secretStatusTool } from './secret-tools.js';
import { cancelTaskTool, taskStatusTool } from './task-tools.js';
import { describeBuiltInTool, type BuiltInTool, type ToolContext } from './tool-definition.js';
import { suggestName } from '@opperator/protocol/suggest-name';
import { errorResult, failureResult } from './tool-results.js';
import { isHiddenAgent, visibleAgentNames } from './visibility.js';

/** What the CLI gives the MCP server: how to reach the daemon, and what to call itself. */
export interface OpperatorMcpDeps {
  /** Opens a control connection, starting the daemon when none runs. */
  connect: ConnectDaemon;
  /** The opperator version, for `initialize`. */
  version: string;
  /** Diagnostics (the CLI writes them to stderr: stdout belongs to MCP). */
  log?: (line: string) => void;
  /** Epoch ms; a seam for tests. */
  now?: () => number;
  /** Creates an agent from a template (the CLI's `agent bootstrap`); without it there is no bootstrap_agent tool. */
  bootstrapAgent?: BootstrapAgent;
  /** Installs an agent folder (the CLI's `agent add`); without it there is no add_agent tool. */
  addAgent?: AddAgent;
}

/** A built server: connect it to a transport, close it when done. */
export interface OpperatorMcpServer {
  /** The SDK server, to `connect(transport)`. */
  server: Server;
  /** Ends the daemon connection and the server. */
  close(): Promise<void>;
}

/** The server's own tools, in the order `tools/list` shows them. */
export const BUILT_IN_TOOLS: readonly BuiltInTool[] = [listAgentsTool, startAgentTool, stopAgentTool, restartAgentTool, agentLogsTool, agentSectionsTool, agentCommandsTool, taskStatusTool, cancelTaskTool, secretStatusTool];

/**
 * The MCP server of `opperator mcp`: the built-in tools (agents' lifecycle,
 * logs, sections, commands, tasks) and every running agent's visible
 * command as a tool of its own, through the daemon's typed control client.
 * It connects when the client has initialized (starting the daemon if
 * needed) and watches the daemon, sending `notifications/tools/list_changed`
 * whenever agents start, stop or change their commands.
 *
 * @example
 * ```ts
 * const { server } = createOpperatorMcpServer({ connect: ({ start }) => connectDaemon({ start }), version: '1.0.0' });
 * await server.connect(new StdioServerTransport());
 * ```
 */
export function createOpperatorMcpServer(deps: OpperatorMcpDeps): OpperatorMcpServer {
  const log = deps.log ?? (() => undefined);
  const now = deps.now ?? Date.now;
  const server = new Server(
    { name: 'opperator', title: 'Opperator', version: deps.version },
    {
      capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, prompts: {} },
      instructions:
        'Opperator runs the user\'s agents in the background. list_agents shows them; a running agent\'s commands are tools named <agent>__<command>. ' +
        'Sign-ins (authorize_* commands) report the page to open and any code in their progress: show them to the user. ' +
        'Secrets stay with the user: ask them to run `opperator secret set NAME` themselves; never ask for a secret or token in the chat.',
    },
  );
  const ownTools = [...BUILT_IN_TOOLS, ...(deps.bootstrapAgent ? [bootstrapAgentTool(deps.bootstrapAgent)] : []), ...(deps.addAgent ? [addAgentTool(deps.addAgent)] : [])];
  const builtIns = new Map(ownTools.map((tool) => [tool.name, tool]));
  const reserved = new Set(builtIns.keys());
  const catalog = new CommandCatalog();
  let initialized = false;

  const notifyToolsChanged = (): void => {
    if (!initialized) return;
    server.sendToolListChanged().catch((err: unknown) => log(`opperator mcp: could not send tools/list_changed: ${messageOf(err)}`));
  };
  const refreshTools = async (options: LinkRunOptions = {}): Promise<void> => {
    if (await link.run((client) => catalog.refresh(client, reserved), options)) notifyToolsChanged();
  };
  const notify = (send: () => Promise<void>): void => {
    if (initialized) send().catch((err: unknown) => log(`opperator mcp: could not send a notification: ${messageOf(err)}`));
  };
  const onWatchEvent = (event: WatchEvent): void => {
    resources.onWatchEvent(event, notify);
    // Agents started, stopped or crashed (or announced commands): their command tools come and go.
    if ('agents' in event) refreshTools({ start: false }).catch((err: unknown) => log(`opperator mcp: could not read the agents' commands: ${messageOf(err)}`));
  };
  const link = new DaemonLink(deps.connect, { onWatchEvent, onDisconnect: () => catalog.clear() && notifyToolsChanged(), log });
  const resources = new AgentResources(server, link);
  registerPrompts(server);
  const knownAgents = async (): Promise<string[]> => [...(await link.run((client) => visibleAgentNames(client)))];

  server.oninitialized = () => {
    initialized = true;
    // Connecting now starts the daemon and the watch, so list_changed flows before the first tools/list.
    refreshTools().catch((err: unknown) => log(`opperator mcp: the daemon is not reachable yet: ${messageOf(err)}`));
  };

  server.setRequestHandler(ListToolsRequestSchema, async (): Promise<{ tools: Tool[] }> => {
    try {
      await refreshTools({ start: false });
    } catch (err) {
      // Without a daemon the built-in tools still answer (with the fix in their error).
      log(`opperator mcp: listing only the built-in tools: ${messageOf(err)}`);
    }
    return { tools: [...ownTools.map(describeBuiltInTool), ...catalog.tools()] };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const { name } = request.params;
    const args = request.params.arguments ?? {};
    const builtIn = builtIns.get(name);
    if (builtIn) {
      const problems = validateArguments(builtIn.arguments, args);
      if (problems.length > 0) return errorResult(`Refused arguments for ${name}: ${problems.join('; ')}.`);
      const context: ToolContext = { link, catalog, refreshTools, knownAgents, extra, now };
      if (typeof args.agent === 'string') {
        const hidden = await hiddenAgentRefusal(args.agent);
        if (hidden) return hidden;
      }
      return builtIn.run(args, context);
    }
    return callCommandTool(name, args, extra);
  });

  /** An agent agents.yaml hides from MCP is not found, like one that does not exist. */
  async function hiddenAgentRefusal(agent: string): Promise<CallToolResult | undefined> {
    try {
      const rows = await link.run((client) => client.request('agent.list'));
      const row = rows.find((candidate) => candidate.name === agent);
      return row && isHiddenAgent(row) ? await failureResult(new ControlClientError(CONTROL_ERROR.AGENT_NOT_FOUND, `No agent named ${JSON.stringify(agent)}.`), { agent, knownAgents }) : undefined;
    } catch (err) {
      return failureResult(err);
    }
  }

  async function callCommandTool(name: string, args: Record<string, unknown>, extra: ToolRequestExtra): Promise<CallToolResult> {
    try {
      // A tool the client saw before the latest change (or before we last looked): look again once.
      if (!catalog.target(name)) await refreshTools();
      const target = catalog.target(name);
      if (!target) {
        const suggestion = suggestName(name, [...reserved, ...catalog.tools().map((tool) => tool.name)]);
        return errorResult(`No tool named ${JSON.stringify(name)}${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : '.'} Its agent may have stopped: list_agents shows the agents, start_agent starts one.`);
      }
      return await link.run((client) => invokeCommand(client, target, args, extra));
    } catch (err) {
      return failureResult(err, { knownAgents });
    }
  }

  return {
    server,
    async close() {
      link.close();
      await server.close();
    },
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
