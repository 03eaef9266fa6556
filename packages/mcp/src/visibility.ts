import type { AgentRow } from '@opperator/protocol';
import type { McpDaemonClient } from './daemon-link.js';

/**
 * Whether agents.yaml hides this agent from MCP clients (`mcp: { hidden: true }`):
 * then no tool, resource or listing shows it, and naming it finds nothing.
 *
 * @example
 * ```ts
 * const shown = rows.filter((row) => !isHiddenAgent(row));
 * ```
 */
export function isHiddenAgent(row: Pick<AgentRow, 'mcp'>): boolean {
  return row.mcp?.hidden === true;
}

/**
 * The commands agents.yaml keeps from MCP clients for this agent (`mcp: { hide_commands: [...] }`).
 *
 * @example
 * ```ts
 * if (hiddenCommands(row).has(command.name)) continue;
 * ```
 */
export function hiddenCommands(row: Pick<AgentRow, 'mcp'>): ReadonlySet<string> {
  return new Set(row.mcp?.hideCommands ?? []);
}

/**
 * The names of the agents MCP clients may see.
 *
 * @example
 * ```ts
 * if (!(await visibleAgentNames(client)).has(agent)) return notFound(agent);
 * ```
 */
export async function visibleAgentNames(client: McpDaemonClient): Promise<Set<string>> {
  return new Set((await client.request('agent.list')).filter((row) => !isHiddenAgent(row)).map((row) => row.name));
}
