import { InvalidArgumentError, type Command } from 'commander';
import { MCP_HELP } from './help-text-mcp.js';
import { runCommand } from './run-command.js';

/** `opperator mcp --http`'s port when `--port` is not given. */
export const DEFAULT_MCP_HTTP_PORT = 7420;

/**
 * `opperator mcp [--http [--port N]]`: the user's agents as MCP tools for any
 * MCP client (Claude Desktop, Claude Code, Cursor, the MCP Inspector), over
 * stdio, or Streamable HTTP on 127.0.0.1 with a bearer token.
 */
export function addMcpCommand(program: Command, version: string): void {
  program
    .command('mcp')
    .description('serve your agents, their commands, sections, logs and tasks as MCP tools over stdio, or Streamable HTTP with --http (for Claude, Cursor, any MCP client)')
    .option('--http', 'serve Streamable HTTP on 127.0.0.1 instead of stdio; every request needs the bearer token printed at start')
    .option('--port <port>', `the port for --http (default ${DEFAULT_MCP_HTTP_PORT}; 0 picks a free one, printed at start)`, parsePort)
    .addHelpText('after', MCP_HELP)
    .action((options: { http?: boolean; port?: number }) =>
      runCommand(async () => {
        if (options.port !== undefined && !options.http) throw new (await import('./cli-error.js')).CliError('usage', '--port is for --http: opperator mcp --http --port N');
        await (await import('./commands/mcp.js')).mcpServe(version, { ...(options.http ? { http: true } : {}), port: options.port ?? DEFAULT_MCP_HTTP_PORT });
      }),
    );
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new InvalidArgumentError('a port number, 0 to 65535 (0 picks a free one).');
  return port;
}
