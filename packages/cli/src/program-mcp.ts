import type { Command } from 'commander';
import { MCP_HELP } from './help-text-mcp.js';
import { runCommand } from './run-command.js';

/**
 * `opperator mcp`: the user's agents as MCP tools for any MCP client
 * (Claude Desktop, Claude Code, Cursor, the MCP Inspector), over stdio.
 */
export function addMcpCommand(program: Command, version: string): void {
  program
    .command('mcp')
    .description('serve your agents, their commands, sections, logs and tasks as MCP tools over stdio (for Claude, Cursor, any MCP client)')
    .addHelpText('after', MCP_HELP)
    .action(() => runCommand(async () => (await import('./commands/mcp.js')).mcpServe(version)));
}
