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

Streamable HTTP, for clients that connect to a URL (--http):
  opperator mcp --http [--port 7420]
  It listens on 127.0.0.1 only and prints, once, on stderr, the URL and a
  random bearer token (a new one at every start) with a client configuration:
  {
    "mcpServers": {
      "opperator": { "type": "http", "url": "http://127.0.0.1:7420/mcp",
                     "headers": { "Authorization": "Bearer <token>" } }
    }
  }
  Requests without the token get 401; from a web page (another Host or
  Origin), 403. Ctrl-C stops it. --port 0 picks a free port.
`;
