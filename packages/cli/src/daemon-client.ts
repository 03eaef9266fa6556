import { connect, type Socket } from 'node:net';
import { controlMessageSchema, encodeMessage, readMessages, type ControlMessage } from '@opperator/protocol';

/** Largest control message the client reads (task lists can carry many results). */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** An error the daemon answered with, or a failure to reach it. */
export class DaemonClientError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DaemonClientError';
    this.code = code;
  }
}

/**
 * The typed client of the daemon's control socket: one request at a time or
 * many in parallel, each answered by one response, with events streamed
 * before it.
 *
 * @example
 * ```ts
 * const client = await DaemonClient.connect(socketPath);
 * const agents = await client.request('agent.list');
 * client.close();
 * ```
 */
export class DaemonClient {
  readonly #socket: Socket;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void; onEvent?: (event: Record<string, unknown>) => void }>();
  #nextId = 1;
  /** Set once the connection closed: later requests fail at once with it. */
  #closedError: DaemonClientError | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    readMessages(socket, {
      schema: controlMessageSchema,
      maxLineBytes: MAX_RESPONSE_BYTES,
      onMessage: (message) => this.#receive(message),
      // A response we cannot read must not leave the caller waiting forever.
      onInvalid: (line) => this.#failAll(new DaemonClientError('DAEMON_BAD_RESPONSE', `The daemon sent a response this CLI cannot read (${line.kind}); is the CLI older than the daemon?`)),
    });
    // A reset connection emits 'error' then 'close': the close fails what is pending, with the error as its cause.
    let socketError: Error | undefined;
    socket.on('error', (err) => (socketError = err));
    socket.on('close', () => {
      this.#closedError = new DaemonClientError('DAEMON_DISCONNECTED', 'The daemon closed the connection (stopped or crashed). `opperator daemon status` tells more.', { cause: socketError });
      this.#failAll(this.#closedError);
    });
  }

  /** Connects; `DAEMON_NOT_RUNNING` when nothing listens on the socket. */
  static connect(socketPath: string): Promise<DaemonClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(socketPath);
      socket.once('connect', () => resolve(new DaemonClient(socket)));
      socket.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') reject(new DaemonClientError('DAEMON_NOT_RUNNING', 'The daemon is not running. Start it: opperator daemon start', { cause: err }));
        else reject(new DaemonClientError('DAEMON_UNREACHABLE', `Cannot reach the daemon at ${socketPath}: ${err.code ?? err.message}.`, { cause: err }));
      });
    });
  }

  /** Sends a request; resolves with its result, rejects with a {@link DaemonClientError}. */
  request<T = unknown>(method: string, params: Record<string, unknown> = {}, onEvent?: (event: Record<string, unknown>) => void): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      // A closed socket never answers: without this the request would wait forever.
      if (this.#closedError) return reject(this.#closedError);
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, ...(onEvent ? { onEvent } : {}) });
      this.#socket.write(encodeMessage({ id, method, params }));
    });
  }

  close(): void {
    this.#socket.end();
  }

  #failAll(error: DaemonClientError): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  #receive(message: ControlMessage): void {
    const pending = typeof message.id === 'number' ? this.#pending.get(message.id) : undefined;
    if (!pending) return;
    if (message.type === 'event') {
      pending.onEvent?.(message.event);
      return;
    }
    this.#pending.delete(message.id as number);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new DaemonClientError(message.error.code ?? 'DAEMON_ERROR', message.error.message));
  }
}
