import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { CONTROL_ERROR, commandArgumentsJsonSchema, SIGN_IN_COMMAND_PREFIXES, type CommandDescriptor } from '@opperator/protocol';
import type { McpDaemonClient } from './daemon-link.js';
import { commandToolName } from './tool-names.js';
import { hiddenCommands, isHiddenAgent } from './visibility.js';

/** Where a command tool leads: the agent and the command as it registered it. */
export interface CommandTarget {
  agent: string;
  command: CommandDescriptor;
}

/**
 * Whether a command may be a tool. Hidden commands are for clients
 * (`oauth_status_*`), and `oauth_token_*` answers with an access token:
 * never a tool, even if an agent forgot to hide it, so no MCP client (and no
 * model) ever reads a token.
 */
export function isExposedCommand(command: Pick<CommandDescriptor, 'name' | 'hidden'>): boolean {
  return command.hidden !== true && !command.name.startsWith(SIGN_IN_COMMAND_PREFIXES.token);
}

/**
 * Every running agent's commands as MCP tools, `<agent>__<command>`, and the
 * way back from a tool name to its agent and command. {@link refresh} reads
 * the daemon and tells whether the list changed, which is when the server
 * sends `notifications/tools/list_changed`.
 *
 * @example
 * ```ts
 * const catalog = new CommandCatalog();
 * if (await catalog.refresh(client)) await server.sendToolListChanged();
 * catalog.target('mail__check_now'); // { agent: 'mail', command: { name: 'check_now', … } }
 * ```
 */
export class CommandCatalog {
  #tools: Tool[] = [];
  #targets = new Map<string, CommandTarget>();
  #fingerprint = '';
  #refreshing: Promise<boolean> | undefined;
  #again = false;

  /** The command tools as of the last refresh. */
  tools(): readonly Tool[] {
    return this.#tools;
  }

  /** The agent and command behind a tool name, if it is a command tool. */
  target(toolName: string): CommandTarget | undefined {
    return this.#targets.get(toolName);
  }

  /** Forgets every tool (the daemon went away); true when there were some. */
  clear(): boolean {
    const had = this.#tools.length > 0;
    this.#tools = [];
    this.#targets = new Map();
    this.#fingerprint = '';
    return had;
  }

  /**
   * Reads the running agents' commands; resolves true when the tool list
   * changed. Calls while one runs share it and run once more after it, so a
   * burst of agent changes costs at most two reads and none is missed.
   */
  refresh(client: McpDaemonClient, reserved: ReadonlySet<string> = new Set()): Promise<boolean> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    const run = async (): Promise<boolean> => {
      let changed = false;
      do {
        this.#again = false;
        changed = (await this.#read(client, reserved)) || changed;
      } while (this.#again);
      return changed;
    };
    this.#refreshing = run().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  async #read(client: McpDaemonClient, reserved: ReadonlySet<string>): Promise<boolean> {
    // agents.yaml may hide an agent, or some of its commands, from MCP.
    const agents = (await client.request('agent.list')).filter((row) => row.state === 'running' && !isHiddenAgent(row)).sort((a, b) => a.name.localeCompare(b.name));
    const registries = await Promise.all(
      agents.map(async ({ name: agent, ...row }) => ({
        agent,
        hidden: hiddenCommands(row),
        // An agent that stopped between the two requests simply has no tools.
        commands: await client.request('agent.commands', { name: agent }).catch((err: unknown) => (isGoneAgent(err) ? [] : Promise.reject(err))),
      })),
    );
    const tools: Tool[] = [];
    const targets = new Map<string, CommandTarget>();
    const taken = new Set(reserved);
    for (const { agent, hidden, commands } of registries) {
      for (const command of [...commands].sort((a, b) => a.name.localeCompare(b.name))) {
        if (!isExposedCommand(command) || hidden.has(command.name)) continue;
        const name = commandToolName(agent, command.name, taken);
        taken.add(name);
        targets.set(name, { agent, command });
        tools.push(describeTool(name, agent, command));
      }
    }
    const fingerprint = JSON.stringify(tools);
    const changed = fingerprint !== this.#fingerprint;
    this.#tools = tools;
    this.#targets = targets;
    this.#fingerprint = fingerprint;
    return changed;
  }
}

function describeTool(name: string, agent: string, command: CommandDescriptor): Tool {
  const about = command.description ?? command.title ?? `The ${command.name} command.`;
  const kind = command.async ? ' Runs as a task: it reports progress, and cancelling the request cancels the task.' : '';
  return {
    name,
    title: `${agent}: ${command.title ?? command.name}`,
    description: `${about} (Command ${JSON.stringify(command.name)} of the agent ${JSON.stringify(agent)}.${kind})`,
    inputSchema: commandArgumentsJsonSchema(command.arguments),
    // What a command does is the agent's business: MCP's defaults (may change things, may be destructive) stand,
    // and agents talk to services outside this machine.
    annotations: { title: `${agent}: ${command.title ?? command.name}`, openWorldHint: true },
  };
}

function isGoneAgent(err: unknown): boolean {
  const code = err && typeof err === 'object' && 'code' in err ? err.code : undefined;
  return code === CONTROL_ERROR.AGENT_NOT_FOUND || code === CONTROL_ERROR.AGENT_NOT_RUNNING;
}
