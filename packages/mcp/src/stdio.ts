import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createOpperatorMcpServer, type OpperatorMcpDeps } from './server.js';

/**
 * Serves MCP over this process's stdin/stdout until the client closes stdin
 * (or the transport fails). Nothing else may write to stdout: diagnostics go
 * to `deps.log`, which the CLI points at stderr.
 *
 * @example
 * ```ts
 * await runStdioServer({ connect: ({ start }) => connectDaemon({ start }), version, log: (line) => process.stderr.write(`${line}\n`) });
 * ```
 */
export async function runStdioServer(deps: OpperatorMcpDeps): Promise<void> {
  const built = createOpperatorMcpServer(deps);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  await built.server.connect(transport);
  // The SDK leaves stdin's end unnoticed: the client closing it is the end of the session.
  process.stdin.once('end', () => void built.close());
  await closed;
  await built.close();
}
