import { runHttpServer, runStdioServer, type AddOutcome, type AddRequest, type BootstrapOutcome, type BootstrapRequest, type OpperatorMcpDeps } from '@opperator/mcp';
import { CliError } from '../cli-error.js';
import { signalExitCode, type StopSignal } from '../interrupt.js';
import { connectDaemon } from './with-daemon.js';

/** Options of {@link mcpServe} (the command line's flags). */
export interface McpServeOptions {
  /** `--http`: Streamable HTTP on 127.0.0.1 instead of stdio. */
  http?: boolean;
  /** `--port N` for `--http`; 0 picks a free port. */
  port: number;
}

/**
 * `opperator mcp`: serves MCP on stdin/stdout until the client closes stdin,
 * or with `--http` on 127.0.0.1 until SIGINT/SIGTERM. The daemon is reached
 * (and started when needed) with the CLI's own `connectDaemon`, whose
 * "started the daemon" notice goes to stderr; stdout carries nothing but
 * MCP. The CLI lends the server what only it can do: `agent bootstrap` and
 * `agent add`.
 *
 * @example
 * ```ts
 * await mcpServe('1.0.0', { http: true, port: 0 });
 * ```
 */
export async function mcpServe(version: string, options: McpServeOptions = { port: 0 }): Promise<void> {
  const deps: OpperatorMcpDeps = { connect: ({ start }) => connectDaemon({ start }), version, log: (line) => process.stderr.write(`${line}\n`), bootstrapAgent, addAgent };
  if (options.http) return serveHttp(deps, options.port);
  await runStdioServer(deps);
}

/** `--http`: listens, shows the URL and the token once, and closes every session on SIGINT or SIGTERM. */
async function serveHttp(deps: OpperatorMcpDeps, port: number): Promise<void> {
  const stopped = new Promise<StopSignal>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const running = await runHttpServer(deps, { port }).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError('unavailable', `Port ${port} on 127.0.0.1 is taken; choose another with --port N (--port 0 picks a free one).`, { cause: err });
    throw err;
  });
  // The one place the token is shown: the user's terminal, now. Nothing logs it later.
  process.stderr.write(httpBanner(running.url, running.port, running.token));
  const signal = await stopped;
  await running.close();
  process.stderr.write('opperator mcp: stopped.\n');
  process.exitCode = signalExitCode(signal);
}

/** What `--http` prints on start: where it listens, the token, and a client configuration with both. */
function httpBanner(url: string, port: number, token: string): string {
  const config = { mcpServers: { opperator: { type: 'http', url, headers: { Authorization: `Bearer ${token}` } } } };
  return [
    `opperator mcp: listening on ${url} (port ${port}, this machine only).`,
    `Bearer token (shown once; a new one at every start): ${token}`,
    'Clients send it on every request: Authorization: Bearer <token>. For example:',
    ...JSON.stringify(config, null, 2).split('\n').map((line) => `  ${line}`),
    `  claude mcp add --transport http opperator ${url} --header "Authorization: Bearer ${token}"`,
    'Ctrl-C stops it.',
    '',
  ].join('\n');
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

/** `agent add` for the add_agent tool: a bad folder, a taken name or a failed npm install become the tool's error, anything else is a bug. */
async function addAgent(request: AddRequest): Promise<AddOutcome> {
  const [{ addAgent: add }, { describeAdd }] = await Promise.all([import('./agent-add.js'), import('../agent-add/add-next-steps.js')]);
  try {
    const { folder, ...options } = request;
    const added = await add(folder, options);
    return {
      ok: true,
      name: added.name,
      dir: added.dir,
      secrets: added.secrets,
      authorize: added.authorize,
      replaced: added.replaced !== null,
      notInstalled: added.installed ? [] : added.dependencies,
      nextSteps: added.nextSteps,
      summary: describeAdd(added),
    };
  } catch (err) {
    if (err instanceof CliError) return { ok: false, message: err.message };
    throw err;
  }
}
