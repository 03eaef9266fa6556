import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One response a browser got through a {@link RecordingProxy}. */
export interface RecordedResponse {
  method: string;
  url: string;
  status: number;
  /** The `Content-Type` header, `''` when absent. */
  contentType: string;
  /** The `Content-Security-Policy` header, `''` when absent. */
  csp: string;
  body: string;
}

/** Hop-by-hop headers a proxy must not forward (RFC 9110 §7.6.1), and the proxy's own. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/**
 * A plain HTTP forward proxy on 127.0.0.1 that passes requests to loopback
 * servers only (nothing in a test may reach the internet) and keeps every
 * response, so a test can read exactly the pages a browser without a
 * debugging protocol (w3m) was shown.
 *
 * @example
 * ```ts
 * const proxy = await RecordingProxy.start();
 * // w3m -o http_proxy=${proxy.url} ...
 * expect(proxy.responses.every((r) => !r.body.includes('<script'))).toBe(true);
 * await proxy.close();
 * ```
 */
export class RecordingProxy {
  /** Every response passed on, in the order they arrived. */
  readonly responses: RecordedResponse[] = [];
  readonly #server: Server;
  /** The proxy's own URL, for a browser's `http_proxy` setting. */
  readonly url: string;

  private constructor(server: Server) {
    this.#server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  static async start(): Promise<RecordingProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const proxy = new RecordingProxy(server);
    server.on('request', (req, res) => {
      // A forward proxy is sent the absolute URL on the request line (RFC 9112 §3.2.2).
      let target: URL;
      try {
        target = new URL(req.url ?? '');
      } catch {
        res.writeHead(400).end('absolute URL expected');
        return;
      }
      if (target.protocol !== 'http:' || !['127.0.0.1', 'localhost'].includes(target.hostname)) {
        res.writeHead(403, { 'Content-Type': 'text/plain' }).end(`the test proxy reaches loopback only, not ${target.host}`);
        return;
      }
      const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: `${target.pathname}${target.search}`, headers: forwardable(req.headers) }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          proxy.responses.push({
            method: req.method ?? 'GET',
            url: target.href,
            status: answer.statusCode ?? 0,
            contentType: answer.headers['content-type'] ?? '',
            csp: String(answer.headers['content-security-policy'] ?? ''),
            body: body.toString('utf8'),
          });
          // The body is passed on whole, so Node sets its length; the upstream framing (chunked or not) is not forwarded.
          res.writeHead(answer.statusCode ?? 502, forwardable(answer.headers, ['content-length']));
          res.end(body);
        });
      });
      upstream.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(`upstream failed: ${err.message}`);
      });
      req.pipe(upstream);
    });
    return proxy;
  }

  /** The HTML pages among {@link responses}; redirects (3xx) left out, whatever their body. */
  htmlPages(): RecordedResponse[] {
    return this.responses.filter((r) => r.contentType.startsWith('text/html') && (r.status < 300 || r.status >= 400));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}

function forwardable(headers: IncomingHttpHeaders, drop: readonly string[] = []): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !drop.includes(name)) kept[name] = value;
  }
  return kept;
}
