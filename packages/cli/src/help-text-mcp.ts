/** The examples under `opperator mcp --help`: how MCP clients start it. */
export const MCP_HELP = `
The MCP client starts this command itself; stdout carries only MCP messages,
diagnostics go to stderr. The daemon is started when it is not running.

Claude Desktop (claude_desktop_config.json):
  {
    "mcpServers": {
      "opperator": { "command": "opperator", "args": ["mcp"] }
    }
  }

Claude Code:
  claude mcp add opperator -- opperator mcp

Another home (OPPERATOR_HOME, or --home before the command):
  { "command": "opperator", "args": ["--home", "/path/to/home", "mcp"] }

Try it with the MCP Inspector:
  npx @modelcontextprotocol/inspector-cli --cli opperator mcp --method tools/list
`;
