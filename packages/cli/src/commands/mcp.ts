import { runStdioServer } from '@opperator/mcp';
import { connectDaemon } from './with-daemon.js';

/**
 * `opperator mcp`: serves MCP on stdin/stdout until the client closes stdin.
 * The daemon is reached (and started when needed) with the CLI's own
 * `connectDaemon`, whose "started the daemon" notice goes to stderr; stdout
 * carries nothing but MCP.
 */
export async function mcpServe(version: string): Promise<void> {
  await runStdioServer({ connect: ({ start }) => connectDaemon({ start }), version, log: (line) => process.stderr.write(`${line}\n`) });
}
