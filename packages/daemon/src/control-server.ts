import { chmod, mkdir, rm, stat } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { controlRequestSchema, encodeMessage, MAX_LINE_BYTES, readMessages, type ControlMessage, type ControlRequest, type InvalidLine } from '@opperator/protocol';
import { DaemonError } from './daemon-error.js';

/**
 * While more than this many bytes wait to be sent to a client (it does not
 * read), the server stops reading its requests; it reads on once they drain.
 */
export const CLIENT_PAUSE_BYTES = 1024 * 1024;

/**
 * A client with more than this many bytes waiting to be sent to it (a
 * stream it does not read: a followed log, a watch) is disconnected: its
 * streams stop, and the daemon's memory stays bounded.
 */
export const MAX_CLIENT_BACKLOG_BYTES = 8 * 1024 * 1024;

/**
 * Requests of one client handled at once (streams it keeps open count too).
 * Past it, the server stops reading that client until one ends: a client
 * cannot queue unbounded work (and memory) in the daemon.
 */
export const MAX_REQUESTS_IN_FLIGHT = 256;

/** Wire codes of requests refused by the server itself, before any handler. */
export const CONTROL_SERVER_ERROR = {
  /** The request line nests deeper than the protocol's MAX_MESSAGE_DEPTH. */
  REQUEST_TOO_DEEP: 'DAEMON_REQUEST_TOO_DEEP',
  /** The request line holds more entries than the protocol's MAX_MESSAGE_ENTRIES, or is longer than MAX_LINE_BYTES. */
  REQUEST_TOO_LARGE: 'DAEMON_REQUEST_TOO_LARGE',
  /** The result could not be encoded (a cycle, too deep). */
  RESULT_UNENCODABLE: 'DAEMON_RESULT_UNENCODABLE',
} as const;

/** What a handler gets besides its params. */
export interface ControlContext {
  /** Streams an event to the client before the final response (progress, followed log lines). */
  emit(event: Record<string, unknown>): void;
  /** Streams several events as one socket write (one message each, same wire format as {@link emit}). */
  emitAll(events: readonly Record<string, unknown>[]): void;
  /** Aborts when the client disconnects: followers and waits stop. */
  signal: AbortSignal;
}

/** Handles one method; the resolved value is the response's result. */
export type ControlHandler = (params: Record<string, unknown>, context: ControlContext) => Promise<unknown>;

/**
 * The daemon's control socket: NDJSON requests in, responses and events out.
 * The socket is mode 0600 in a directory of mode 0700, so only the user can
 * connect. It never serves secret values: those go to agents over their own
 * pipes only.
 */
export class ControlServer {
  readonly socketPath: string;
  readonly #handlers: Readonly<Record<string, ControlHandler>>;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  /** What identifies the socket file this server created (see `identityOf`). */
  #identity: string | undefined;

  constructor(socketPath: string, handlers: Readonly<Record<string, ControlHandler>>) {
    this.socketPath = socketPath;
    this.#handlers = handlers;
    this.#server = createServer((socket) => this.#accept(socket));
  }

  /** Listens; the caller holds the instance lock, so a socket file left behind is stale and removed. */
  async listen(): Promise<void> {
    const dir = dirname(this.socketPath);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    await rm(this.socketPath, { force: true });
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.socketPath, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    await chmod(this.socketPath, 0o600);
    this.#identity = identityOf(await stat(this.socketPath, { bigint: true }));
  }

  /**
   * Whether the socket file is still the one this server created: `gone`
   * once it was removed (its home deleted) or replaced by another daemon's;
   * `unknown` when it cannot be checked (a permission or I/O error), which
   * callers must not take for gone.
   */
  async socketFileState(): Promise<'owned' | 'gone' | 'unknown'> {
    try {
      return identityOf(await stat(this.socketPath, { bigint: true })) === this.#identity ? 'owned' : 'gone';
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'ENOTDIR' ? 'gone' : 'unknown';
    }
  }

  /** Disconnects every client and removes the socket file, unless it is no longer this server's. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    if ((await this.socketFileState()) !== 'owned') {
      // libuv unlinks the path a pipe server was bound to when it closes: the
      // file there now is another daemon's. Left open but unreferenced, the
      // handle goes with this process instead.
      this.#server.unref();
      return;
    }
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await rm(this.socketPath, { force: true });
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    const disconnected = new AbortController();
    socket.on('close', () => {
      this.#sockets.delete(socket);
      disconnected.abort();
    });
    socket.on('error', () => socket.destroy());
    // Backpressure: a client that does not read, or has too many requests running, stops being read until both are back under their limits.
    let inFlight = 0;
    const resumeIfRoom = () => {
      if (socket.isPaused() && inFlight < MAX_REQUESTS_IN_FLIGHT && socket.writableLength <= CLIENT_PAUSE_BYTES) socket.resume();
    };
    socket.on('drain', resumeIfRoom);
    readMessages(socket, {
      schema: controlRequestSchema,
      onMessage: (request) => {
        inFlight += 1;
        if (inFlight >= MAX_REQUESTS_IN_FLIGHT) socket.pause();
        void this.#handle(socket, request, disconnected.signal).finally(() => {
          inFlight -= 1;
          resumeIfRoom();
        });
      },
      onInvalid: (line) => this.#refuse(socket, line),
    });
  }

  /** Answers a line that is not a request when it tells its id; a line without one has nobody to answer (the client's own bug). */
  #refuse(socket: Socket, line: InvalidLine): void {
    if (line.kind === 'not-json' || line.id === undefined) return;
    if (line.kind === 'oversized') {
      this.#send(socket, { type: 'response', id: line.id, ok: false, error: { code: CONTROL_SERVER_ERROR.REQUEST_TOO_LARGE, message: `The request was refused: it is ${line.bytes} bytes, over the ${MAX_LINE_BYTES}-byte line limit.` } });
      return;
    }
    const code = line.limit === 'depth' ? CONTROL_SERVER_ERROR.REQUEST_TOO_DEEP : line.limit === 'entries' ? CONTROL_SERVER_ERROR.REQUEST_TOO_LARGE : 'DAEMON_BAD_REQUEST';
    this.#send(socket, { type: 'response', id: line.id, ok: false, error: { code, message: `The request was refused: it ${line.problem}.` } });
  }

  /**
   * Writes one message, never throwing: an unencodable response becomes an
   * error response for that request, an unencodable event is dropped. Applies
   * backpressure: past {@link CLIENT_PAUSE_BYTES} waiting, the client's
   * requests are no longer read; past {@link MAX_CLIENT_BACKLOG_BYTES}, it is
   * disconnected.
   */
  #send(socket: Socket, message: ControlMessage): void {
    if (socket.destroyed) return;
    let line: string;
    try {
      line = encodeMessage(message);
    } catch (err) {
      if (message.type !== 'response') return;
      line = encodeMessage({ type: 'response', id: message.id, ok: false, error: { code: CONTROL_SERVER_ERROR.RESULT_UNENCODABLE, message: `The result could not be sent: ${err instanceof Error ? err.message : String(err)}.` } });
    }
    socket.write(line);
    const waiting = socket.writableLength;
    if (waiting > MAX_CLIENT_BACKLOG_BYTES) {
      process.stderr.write(`opperator daemon: disconnected a control client that stopped reading (${waiting} bytes waiting; the limit is ${MAX_CLIENT_BACKLOG_BYTES})\n`);
      socket.destroy();
    } else if (waiting > CLIENT_PAUSE_BYTES && !socket.isPaused()) socket.pause();
  }

  async #handle(socket: Socket, request: ControlRequest, signal: AbortSignal): Promise<void> {
    const send = (message: ControlMessage) => this.#send(socket, message);
    const handler = Object.hasOwn(this.#handlers, request.method) ? this.#handlers[request.method] : undefined;
    if (!handler) {
      send({ type: 'response', id: request.id, ok: false, error: { code: 'DAEMON_UNKNOWN_METHOD', message: `The daemon has no method ${JSON.stringify(request.method)}; is the CLI newer than the daemon? Restart it: opperator daemon stop && opperator daemon start` } });
      return;
    }
    try {
      const emit = (event: Record<string, unknown>) => send({ type: 'event', id: request.id, event });
      // Each socket.write is its own syscall when the socket is writable; corked, the batch goes out in one writev.
      const emitAll = (events: readonly Record<string, unknown>[]) => {
        socket.cork();
        try {
          for (const event of events) emit(event);
        } finally {
          socket.uncork();
        }
      };
      const result = await handler(request.params ?? {}, { emit, emitAll, signal });
      send({ type: 'response', id: request.id, ok: true, result: result ?? null });
    } catch (err) {
      // Errors with a stable code of their own (agents.yaml problems, ...) keep it.
      const code = err instanceof DaemonError ? err.code : err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' ? err.code : 'DAEMON_INTERNAL';
      const error = { code, message: err instanceof Error ? err.message : String(err) };
      send({ type: 'response', id: request.id, ok: false, error });
    }
  }
}

/**
 * A file's identity across its lifetime. An inode number alone is reused by
 * a file created right after (a new daemon's socket in a re-created home),
 * and some filesystems (overlayfs) report no birth time; the change time in
 * nanoseconds, last set by our chmod, tells the two apart.
 */
function identityOf(stats: { dev: bigint; ino: bigint; birthtimeNs: bigint; ctimeNs: bigint }): string {
  return `${stats.dev}:${stats.ino}:${stats.birthtimeNs}:${stats.ctimeNs}`;
}
