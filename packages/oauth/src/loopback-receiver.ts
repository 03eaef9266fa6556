import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { callbackResponse, type CallbackPage } from './callback-pages.js';
import { isErrno } from './errno.js';
import { OAuthError } from './errors.js';

/** The only address the receiver binds, and the literal used in `redirect_uri` (RFC 8252 §7.3, §8.3). */
export const LOOPBACK_HOST = '127.0.0.1';

/**
 * How long a client may take to send a whole request (line and headers) to
 * the receiver before it is answered 408 and disconnected. A browser sends a
 * callback in milliseconds; this only stops slow or idle clients from
 * holding connections open while a sign-in waits.
 */
export const LOOPBACK_HEADERS_TIMEOUT_MS = 10_000;

/** How often the receiver looks for clients past {@link LOOPBACK_HEADERS_TIMEOUT_MS}. */
export const LOOPBACK_CONNECTION_CHECK_MS = 1_000;

/** A port range to try in order, both ends included. */
export interface PortRange {
  from: number;
  to: number;
}

/** `0` for any free port, a fixed port, or a range to try in order. */
export type PortOption = number | PortRange;

/** A callback whose `state` matched: the flow answers it once with {@link AcceptedCallback.respond}. */
export interface AcceptedCallback {
  /** The full callback URL, as the provider redirected to it. */
  url: URL;
  /** Sends the final page to the browser; the receiver closes afterwards. */
  respond(page: CallbackPage): Promise<void>;
}

/** Why a request to the callback path was turned away. */
export type RejectedCallbackReason = 'missing-state' | 'state-mismatch';

/** Options of {@link LoopbackReceiver.listen}. */
export interface LoopbackReceiverOptions {
  port: PortOption;
  callbackPath: string;
  expectedState: string;
  /** Told about every callback turned away (forged, stale or replayed). */
  onRejected?: (reason: RejectedCallbackReason) => void;
  /** How long a client may take to send its request (default {@link LOOPBACK_HEADERS_TIMEOUT_MS}). */
  headersTimeoutMs?: number;
}

/**
 * The loopback half of the RFC 8252 flow: an HTTP server on 127.0.0.1 that
 * waits for the one redirect carrying the expected `state`.
 *
 * Requests to other paths get 404 and change nothing; callbacks with a
 * missing or wrong `state` get 400 and the wait goes on; the first valid
 * callback is accepted, the listening socket is closed at once (one-shot),
 * and its connection is closed after the flow's page is sent.
 *
 * Any local user can reach the port, so no request can stop the wait: a
 * target that is not a plain path (absolute-form, `*`, `//host`, one that does
 * not parse), CONNECT and upgrade requests get 400; requests Node's parser
 * rejects get its 400 or 431; clients that do not finish a request within
 * {@link LOOPBACK_HEADERS_TIMEOUT_MS} are disconnected.
 */
export class LoopbackReceiver {
  readonly port: number;
  readonly redirectUri: string;
  readonly #server: Server;
  readonly #options: LoopbackReceiverOptions;
  #accepted = false;
  #resolveCallback!: (callback: AcceptedCallback) => void;
  readonly #callback: Promise<AcceptedCallback>;

  private constructor(server: Server, port: number, options: LoopbackReceiverOptions) {
    this.#server = server;
    this.#options = options;
    this.port = port;
    this.redirectUri = `http://${LOOPBACK_HOST}:${port}${options.callbackPath}`;
    this.#callback = new Promise((resolve) => {
      this.#resolveCallback = resolve;
    });
    server.on('request', (req, res) => this.#handleSafely(req, res));
    // Without listeners Node drops these sockets silently; answer them like any other bad request.
    server.on('connect', (_req: IncomingMessage, socket: Duplex) => refuseRaw(socket));
    server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => refuseRaw(socket));
  }

  /** Binds 127.0.0.1 on the first free port of `options.port`. */
  static async listen(options: LoopbackReceiverOptions): Promise<LoopbackReceiver> {
    if (!options.callbackPath.startsWith('/')) {
      throw new OAuthError('OAUTH_INVALID_ARGUMENT', `Callback path ${JSON.stringify(options.callbackPath)} must start with "/".`);
    }
    const candidates = portCandidates(options.port);
    const headersTimeout = options.headersTimeoutMs ?? LOOPBACK_HEADERS_TIMEOUT_MS;
    for (const port of candidates) {
      const server = createServer({ headersTimeout, requestTimeout: headersTimeout, connectionsCheckingInterval: Math.min(LOOPBACK_CONNECTION_CHECK_MS, headersTimeout) });
      // headersTimeout only counts from a request's first byte: this also drops clients that connect and send nothing.
      server.setTimeout(headersTimeout);
      try {
        const bound = await bind(server, port);
        return new LoopbackReceiver(server, bound, options);
      } catch (err) {
        if (isErrno(err, 'EADDRINUSE')) continue;
        throw new OAuthError('OAUTH_PORT_IN_USE', `Cannot listen on ${LOOPBACK_HOST}:${port}: ${isErrno(err) ? err.code : String(err)}.`, { cause: err });
      }
    }
    const which = candidates.length === 1 ? `Port ${candidates[0]} on ${LOOPBACK_HOST} is` : `Every port from ${candidates[0]} to ${candidates.at(-1)} on ${LOOPBACK_HOST} is`;
    throw new OAuthError('OAUTH_PORT_IN_USE', `${which} in use. Stop what is using it (see \`ss -ltnp\`), pick another port, or use port 0 for any free port.`);
  }

  /** Resolves with the first callback whose `state` matches; rejects with `signal.reason` when `signal` aborts. */
  waitForCallback(signal: AbortSignal): Promise<AcceptedCallback> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      void this.#callback.then((callback) => {
        signal.removeEventListener('abort', onAbort);
        resolve(callback);
      });
    });
  }

  /** Stops listening and drops every connection. Safe to call more than once. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  /** A throw here would be an uncaught exception in the process running the sign-in: never let one out. */
  #handleSafely(req: IncomingMessage, res: ServerResponse): void {
    try {
      this.#handle(req, res);
    } catch (err) {
      // Only a bug (or a throwing onRejected) gets here: answer 500 and keep waiting for the real callback.
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', connection: 'close' }).end('Internal error\n');
      else res.destroy(err instanceof Error ? err : undefined);
    }
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = parseOriginForm(req.url, `http://${LOOPBACK_HOST}:${this.port}`);
    if (url === undefined) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', connection: 'close' }).end('Bad request\n');
      return;
    }
    if (url.pathname !== this.#options.callbackPath) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('Not found\n');
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
      return;
    }
    if (this.#accepted) {
      sendPage(req, res, { status: 409, code: 'OAUTH_CALLBACK_USED', title: 'Sign-in already completed', message: 'This sign-in has already received its answer. You can close this window.' });
      return;
    }
    const state = url.searchParams.get('state');
    if (state === null || !constantTimeEqual(state, this.#options.expectedState)) {
      this.#options.onRejected?.(state === null ? 'missing-state' : 'state-mismatch');
      sendPage(req, res, {
        status: 400,
        code: 'OAUTH_STATE_MISMATCH',
        title: 'Sign-in link not recognised',
        message: 'This response does not belong to the sign-in in progress, so it was ignored. Finish the sign-in in the window it started in.',
      });
      return;
    }

    this.#accepted = true;
    // The answer waits for the token exchange, which may take longer than an idle client is allowed.
    req.socket.setTimeout(0);
    // One-shot: no new connection is accepted once the valid callback is in.
    this.#server.close();
    this.#resolveCallback({
      url,
      respond: (page) =>
        new Promise<void>((resolve) => {
          res.once('close', () => resolve());
          const { headers, body } = callbackResponse(page, req.headers.accept);
          res.writeHead(page.status, { ...headers, connection: 'close' }).end(body);
        }),
    });
  }
}

function sendPage(req: IncomingMessage, res: ServerResponse, page: CallbackPage): void {
  const { headers, body } = callbackResponse(page, req.headers.accept);
  res.writeHead(page.status, headers).end(body);
}

/**
 * The URL of an origin-form request target (`/path?query`, RFC 9112 §3.2.1),
 * or `undefined` for anything else: absolute-form, authority-form, `*`, a
 * scheme-relative `//host` target, or one that does not parse.
 */
function parseOriginForm(target: string | undefined, origin: string): URL | undefined {
  if (target === undefined || !target.startsWith('/') || target.startsWith('//')) return undefined;
  try {
    return new URL(`${origin}${target}`);
  } catch {
    // The target does not parse as a URL path: the caller answers 400.
    return undefined;
  }
}

/** Answers a CONNECT or upgrade request on its raw socket with 400 and hangs up. */
function refuseRaw(socket: Duplex): void {
  // The client may already be gone; its socket error concerns nobody else.
  socket.on('error', () => socket.destroy());
  socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
}

/** Compares two strings in time independent of where they differ (hashing first equalises lengths). */
export function constantTimeEqual(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

function portCandidates(option: PortOption): number[] {
  const valid = (port: number) => Number.isInteger(port) && port >= 0 && port <= 65_535;
  if (typeof option === 'number') {
    if (!valid(option)) throw new OAuthError('OAUTH_INVALID_ARGUMENT', `Port ${JSON.stringify(option)} is not a port number (0-65535).`);
    return [option];
  }
  const { from, to } = option;
  if (!valid(from) || !valid(to) || from === 0 || from > to) {
    throw new OAuthError('OAUTH_INVALID_ARGUMENT', `Port range ${JSON.stringify(option)} must satisfy 1 <= from <= to <= 65535.`);
  }
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function bind(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ port, host: LOOPBACK_HOST, exclusive: true }, () => {
      server.off('error', onError);
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('loopback server has no TCP address'));
      else resolve(address.port);
    });
  });
}
