import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The header a chaos worker puts on its token requests, so the proxy knows whose refresh it holds. */
export const CHAOS_WORKER_HEADER = 'x-chaos-worker';

/** One refresh request as the proxy saw it. */
export interface ProxiedRefresh {
  /** When it arrived (epoch ms). */
  at: number;
  /** The worker that sent it ({@link CHAOS_WORKER_HEADER}). */
  worker: string;
  /** `ok`: new tokens; `invalid_grant`: refused; `dropped`: held, and its sender died before it was forwarded; `error`: anything else. */
  outcome: 'ok' | 'invalid_grant' | 'dropped' | 'error';
}

/** A refresh request held before it reaches the authorization server. */
export interface HeldRefresh {
  worker: string;
  /** Resolves when the sender's connection closes (it was killed). */
  closed: Promise<void>;
  /** Forwards it now (unless its sender is gone). */
  release(): void;
}

/** A running {@link startChaosTokenProxy}. */
export interface ChaosTokenProxy {
  /** The token URL to give the workers' provider. */
  url: string;
  /** Every refresh request so far, in order of arrival. */
  readonly refreshes: readonly ProxiedRefresh[];
  /** Holds the next refresh request before forwarding it; resolves when one arrives. */
  holdNextRefresh(): Promise<HeldRefresh>;
  close(): Promise<void>;
}

/**
 * A reverse proxy in front of the sandbox's token endpoint that records
 * every refresh request and its outcome, and can hold the next one before it
 * reaches the authorization server: the moment to kill the lease holder
 * mid-refresh (its request is then dropped, never forwarded, so the
 * provider rotated nothing) or to restart the shared store.
 *
 * @example
 * ```ts
 * const proxy = await startChaosTokenProxy(metadata.token_endpoint);
 * const held = await proxy.holdNextRefresh();
 * process.kill(pidOf(held.worker), 'SIGKILL');
 * await held.closed; // dropped, as a request lost with its process
 * ```
 */
export async function startChaosTokenProxy(target: string): Promise<ChaosTokenProxy> {
  const upstream = new URL(target);
  const refreshes: ProxiedRefresh[] = [];
  let holdWaiter: ((held: HeldRefresh) => void) | undefined;

  const forward = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<{ status: number; payload: Buffer }> => {
    const answer = await new Promise<IncomingMessage>((resolve, reject) => {
      const { [CHAOS_WORKER_HEADER]: _worker, ...sent } = req.headers;
      const headers = { ...sent, host: upstream.host, 'content-length': String(body.length) };
      const out = httpRequest(upstream, { method: req.method, headers }, resolve);
      out.once('error', reject);
      out.end(body);
    });
    const payload = Buffer.concat(await answer.toArray());
    // The body is re-sent whole, so drop hop-by-hop framing headers and let node set them.
    const { 'transfer-encoding': _te, connection: _conn, ...headers } = answer.headers;
    res.writeHead(answer.statusCode ?? 502, { ...headers, 'content-length': String(payload.length) }).end(payload);
    return { status: answer.statusCode ?? 502, payload };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = Buffer.concat(await req.toArray());
    const isRefresh = req.method === 'POST' && new URLSearchParams(body.toString('utf8')).get('grant_type') === 'refresh_token';
    if (!isRefresh) {
      await forward(req, res, body);
      return;
    }
    const entry: ProxiedRefresh = { at: Date.now(), worker: String(req.headers[CHAOS_WORKER_HEADER] ?? '?'), outcome: 'error' };
    refreshes.push(entry);
    const waiter = holdWaiter;
    holdWaiter = undefined;
    if (waiter) {
      let gone = false;
      const closed = new Promise<void>((resolve) => res.once('close', () => ((gone = !res.writableFinished), resolve())));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      waiter({ worker: entry.worker, closed, release });
      await Promise.race([released, closed]);
      if (gone) {
        entry.outcome = 'dropped';
        return;
      }
    }
    const { status, payload } = await forward(req, res, body);
    entry.outcome = status === 200 ? 'ok' : status === 400 && payload.toString('utf8').includes('"invalid_grant"') ? 'invalid_grant' : 'error';
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) res.writeHead(502).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    refreshes,
    holdNextRefresh: () => new Promise<HeldRefresh>((resolve) => (holdWaiter = resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
