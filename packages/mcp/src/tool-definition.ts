import type { CallToolResult, Tool, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { commandArgumentsJsonSchema, type CommandArgument } from '@opperator/protocol';
import type { CommandCatalog } from './command-catalog.js';
import type { DaemonLink } from './daemon-link.js';
import type { ToolRequestExtra } from './invoke-command.js';

/** What a built-in tool's handler may use. */
export interface ToolContext {
  link: DaemonLink;
  catalog: CommandCatalog;
  /** Re-reads the agents' commands and sends `tools/list_changed` when they changed. */
  refreshTools(): Promise<void>;
  /** Agent names the daemon knows (for did-you-mean). */
  knownAgents(): Promise<string[]>;
  /** The request being served (its signal, progress token). */
  extra: ToolRequestExtra;
  /** Epoch ms. */
  now(): number;
}

/**
 * A tool of the server's own (not an agent's command): its arguments are
 * declared like a command's, so one function (`commandArgumentsJsonSchema`)
 * makes its input schema and one (`validateArguments`) checks calls.
 */
export interface BuiltInTool {
  name: string;
  title: string;
  description: string;
  arguments: CommandArgument[];
  annotations: ToolAnnotations;
  outputSchema?: Tool['outputSchema'];
  run(args: Record<string, unknown>, context: ToolContext): Promise<CallToolResult>;
}

/**
 * The `tools/list` entry of a built-in tool.
 *
 * @example
 * ```ts
 * const tools = BUILT_IN_TOOLS.map(describeBuiltInTool);
 * ```
 */
export function describeBuiltInTool(tool: BuiltInTool): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: commandArgumentsJsonSchema(tool.arguments),
    ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
    annotations: { title: tool.title, ...tool.annotations },
  };
}

/** The `agent` argument most tools take. */
export const AGENT_ARGUMENT: CommandArgument = { name: 'agent', type: 'string', required: true, description: 'The agent name, as list_agents shows it.' };

/** Local, read-only, repeatable: the annotations of every inspection tool. */
export const READ_ONLY: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
