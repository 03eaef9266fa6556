import { runStdioServer, type BootstrapOutcome, type BootstrapRequest } from '@opperator/mcp';
import { CliError } from '../cli-error.js';
import { connectDaemon } from './with-daemon.js';

/**
 * `opperator mcp`: serves MCP on stdin/stdout until the client closes stdin.
 * The daemon is reached (and started when needed) with the CLI's own
 * `connectDaemon`, whose "started the daemon" notice goes to stderr; stdout
 * carries nothing but MCP. The CLI lends the server what only it can do:
 * `agent bootstrap`.
 */
export async function mcpServe(version: string): Promise<void> {
  await runStdioServer({ connect: ({ start }) => connectDaemon({ start }), version, log: (line) => process.stderr.write(`${line}\n`), bootstrapAgent });
}

/** `agent bootstrap` for the bootstrap_agent tool: its usage errors and conflicts become the tool's error, anything else is a bug. */
async function bootstrapAgent(request: BootstrapRequest): Promise<BootstrapOutcome> {
  const { bootstrapAgent: bootstrap } = await import('./agent-bootstrap.js');
  try {
    return { ok: true, ...(await bootstrap(request.name, { ...(request.template === undefined ? {} : { template: request.template }), ...(request.provider === undefined ? {} : { provider: request.provider }) })) };
  } catch (err) {
    if (err instanceof CliError) return { ok: false, message: err.message };
    throw err;
  }
}
