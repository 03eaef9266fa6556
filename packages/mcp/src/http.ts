import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as NodeHttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { foreignOrigin, hasBearerToken, newBearerToken } from './http-guard.js';
import { createOpperatorMcpServer, type OpperatorMcpDeps, type OpperatorMcpServer } from './server.js';

/** The only interface `--http` listens on: this machine. */
export const HTTP_HOST = '127.0.0.1';
/** The MCP endpoint's path. */
export const HTTP_PATH = '/mcp';
/** Sessions open at once; one more `initialize` is refused (503) until a client ends its session. */
export const MAX_HTTP_SESSIONS = 32;

/** Options of {@link runHttpServer}. */
export interface HttpServerOptions {
  /** The port on 127.0.0.1; 0 picks a free one (see {@link RunningHttpServer.port}). */
  port: number;
  /** The bearer token every request must carry; a fresh random one by default. */
  token?: string;
  /** Sessions open at once (default {@link MAX_HTTP_SESSIONS}). */
  maxSessions?: number;
}

/** A listening `--http` server. */
export interface RunningHttpServer {
  /** The MCP endpoint, `http://127.0.0.1:PORT/mcp`. */
  url: string;
  port: number;
  /** The bearer token clients send; the caller shows it to the user once. */
  token: string;
  /** Ends every session (and its daemon connection) and stops listening. */
  close(): Promise<void>;
}

/** One client's session: its own MCP server (and daemon connection) and transport. */
interface Session {
  built: OpperatorMcpServer;
  transport: StreamableHTTPServerTransport;
}

/**
 * Serves MCP over Streamable HTTP on 127.0.0.1: the same server as stdio
 * ({@link createOpperatorMcpServer}), one per session. Every request must
 * carry `Authorization: Bearer <token>` (else 401 with `WWW-Authenticate:
 * Bearer`) and name this server in `Host` and any `Origin` (else 403, against
 * DNS rebinding). Sessions are stateful (`Mcp-Session-Id`): the server
 * pushes (tools/list_changed, resource updates, progress of long commands)
 * and keeps subscriptions, which only a session can carry.
 *
 * @example
 * ```ts
 * const running = await runHttpServer({ connect, version }, { port: 0 });
 * process.stderr.write(`${running.url} Bearer ${running.token}\n`);
 * await running.close();
 * ```
 */
export async function runHttpServer(deps: OpperatorMcpDeps, options: HttpServerOptions): Promise<RunningHttpServer> {
  const token = options.token ?? newBearerToken();
  const maxSessions = options.maxSessions ?? MAX_HTTP_SESSIONS;
  const log = deps.log ?? (() => undefined);
  const sessions = new Map<string, Session>();
  let port = options.port;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Foreign pages first: a rebinding page gets no hint about the token.
    const foreign = foreignOrigin(req.headers, port);
    if (foreign) return refuse(res, 403, foreign);
    if (!hasBearerToken(req.headers.authorization, token)) {
      return refuse(res, 401, 'Send the bearer token opperator mcp --http printed when it started: Authorization: Bearer <token>.', { 'WWW-Authenticate': 'Bearer realm="opperator"' });
    }
    if (new URL(req.url ?? '/', `http://${HTTP_HOST}`).pathname !== HTTP_PATH) return refuse(res, 404, `The MCP endpoint is ${HTTP_PATH}.`);

    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      if (!session) return refuse(res, 404, 'No such session (it ended, or the server restarted): initialize a new one.');
      return session.transport.handleRequest(req, res);
    }
    if (sessions.size >= maxSessions) return refuse(res, 503, `${maxSessions} sessions are open; end one (DELETE with its Mcp-Session-Id) and try again.`);
    await startSession(req, res);
  };

  /** A request without a session: an `initialize` starts one; anything else the transport refuses (400). */
  const startSession = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const built = createOpperatorMcpServer(deps);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, { built, transport }),
    });
    let ended = false;
    // The client ended the session (DELETE) or the stream failed: its server and daemon connection go too.
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      if (ended) return;
      ended = true;
      built.close().catch((err: unknown) => log(`opperator mcp: closing a session: ${err instanceof Error ? err.message : String(err)}`));
    };
    transport.onerror = (err) => log(`opperator mcp: HTTP transport: ${err.message}`);
    await built.server.connect(transport);
    await transport.handleRequest(req, res);
    // Not an initialize: nothing to keep.
    if (transport.sessionId === undefined && !ended) {
      ended = true;
      await built.close();
    }
  };

  const server: NodeHttpServer = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`opperator mcp: HTTP request failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) refuse(res, 500, 'Internal error; see the server\'s stderr.');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, HTTP_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${HTTP_HOST}:${port}${HTTP_PATH}`,
    port,
    token,
    async close() {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(open.map((session) => session.built.close()));
      // Open SSE streams would hold close() forever: end them.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A refusal as a JSON-RPC error body (what MCP clients show), with the fix in its message. */
function refuse(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}
