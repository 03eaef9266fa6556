import { connect, type Socket } from 'node:net';
import { CONTROL_ERROR, protocolMismatchMessage } from './control-errors.js';
import { CONTROL_PROTOCOL_VERSION, controlMessageSchema, type ControlMessage } from './control-messages.js';
import { controlMethods, type ControlEvent, type ControlMethod, type ControlParams, type ControlResult } from './control-methods.js';
import { encodeMessage, readMessages } from './ndjson.js';

/** Largest control message a client reads (task lists can carry many results). */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** How long {@link ControlClient.connect} waits for the socket and the `hello` answer. */
export const CONNECT_TIMEOUT_MS = 5_000;

/** An error the daemon answered with (its code), or a client-side failure (`CONTROL_ERROR`'s client codes). */
export class ControlClientError extends Error {
  /** A `CONTROL_ERROR` code, or the code of another package's error the daemon passed on. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ControlClientError';
    this.code = code;
  }
}

/** Options of {@link ControlClient.request}. */
export interface RequestOptions<M extends ControlMethod> {
  /** Each streamed event, checked against the method's event schema. */
  onEvent?: (event: ControlEvent<M>) => void;
  /** Stops waiting (`DAEMON_REQUEST_ABORTED`). The daemon stops a stream when the connection closes. */
  signal?: AbortSignal;
  /** Stops waiting after this long (`DAEMON_TIMEOUT`); none by default (an invoke may wait minutes for a sign-in). */
  timeoutMs?: number;
}

/** Options of {@link ControlClient.connect}. */
export interface ConnectOptions {
  signal?: AbortSignal;
  /** For the connection and `hello`; default {@link CONNECT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /**
   * False skips the version exchange: only for `daemon.status` and
   * `daemon.stop`, which every version keeps, so a daemon of another version
   * can still be stopped.
   */
  checkVersion?: boolean;
}

type Params<M extends ControlMethod> = Record<string, never> extends ControlParams<M> ? [params?: ControlParams<M>, options?: RequestOptions<M>] : [params: ControlParams<M>, options?: RequestOptions<M>];

interface Pending {
  method: ControlMethod;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  onEvent?: (event: never) => void;
}

/**
 * The typed client of the daemon's control socket (docs/protocol.md section
 * 7), for the CLI, the TUI and any other client: params, results and events
 * checked against `controlMethods`, the protocol version exchanged on
 * connect, `signal` and `timeoutMs` on every request. Requests run
 * concurrently on one connection; closing it ends every stream it carries.
 *
 * @example
 * ```ts
 * const client = await ControlClient.connect(socketPath);
 * const agents = await client.request('agent.list');
 * await client.request('agent.logs', { name: 'mail', follow: true }, { onEvent: ({ log }) => print(log), signal });
 * client.close();
 * ```
 */
export class ControlClient {
  readonly #socket: Socket;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  /** Set once the connection closed: later requests fail at once with it. */
  #closedError: ControlClientError | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    readMessages(socket, {
      schema: controlMessageSchema,
      maxLineBytes: MAX_RESPONSE_BYTES,
      onMessage: (message) => this.#receive(message),
      // A response we cannot read must not leave the caller waiting forever: the request it names fails,
      // or every pending one when no id could be read.
      onInvalid: (line) => {
        const error = new ControlClientError(CONTROL_ERROR.BAD_RESPONSE, `The daemon sent a response this client cannot read (${line.kind === 'oversized' ? `over ${MAX_RESPONSE_BYTES} bytes` : line.kind}). ${protocolHint}`);
        const named = line.kind === 'not-json' || typeof line.id !== 'number' ? undefined : this.#pending.get(line.id);
        if (named) named.reject(error);
        else this.#failAll(error);
      },
    });
    // A reset connection emits 'error' then 'close': the close fails what is pending, with the error as its cause.
    let socketError: Error | undefined;
    socket.on('error', (err) => (socketError = err));
    socket.on('close', () => {
      this.#closedError = new ControlClientError(CONTROL_ERROR.DISCONNECTED, 'The daemon closed the connection (stopped or crashed). `opperator daemon status` tells more.', { cause: socketError });
      this.#failAll(this.#closedError);
    });
  }

  /**
   * Connects, then says `hello` with this package's `CONTROL_PROTOCOL_VERSION`.
   * Fails with `DAEMON_NOT_RUNNING` when nothing listens, `DAEMON_PROTOCOL_MISMATCH`
   * when the daemon speaks another version (the message names both and the fix).
   */
  static async connect(socketPath: string, options: ConnectOptions = {}): Promise<ControlClient> {
    const deadline = AbortSignal.timeout(options.timeoutMs ?? CONNECT_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    const socket = await openSocket(socketPath, signal);
    const client = new ControlClient(socket);
    if (options.checkVersion === false) return client;
    try {
      const hello = await client.request('hello', { protocolVersion: CONTROL_PROTOCOL_VERSION }, { signal });
      if (hello.protocolVersion !== CONTROL_PROTOCOL_VERSION) throw new ControlClientError(CONTROL_ERROR.PROTOCOL_MISMATCH, protocolMismatchMessage(hello.protocolVersion, CONTROL_PROTOCOL_VERSION));
    } catch (err) {
      client.close();
      // A daemon from before `hello` (protocol 1) does not know the method.
      if (err instanceof ControlClientError && err.code === CONTROL_ERROR.UNKNOWN_METHOD) throw new ControlClientError(CONTROL_ERROR.PROTOCOL_MISMATCH, protocolMismatchMessage(1, CONTROL_PROTOCOL_VERSION), { cause: err });
      throw err;
    }
    return client;
  }

  /**
   * Sends a request; resolves with its result (checked against the method's
   * schema), rejects with a {@link ControlClientError}. Params are checked
   * before sending (`DAEMON_BAD_REQUEST`).
   */
  request<M extends ControlMethod>(method: M, ...[params, options = {}]: Params<M>): Promise<ControlResult<M>> {
    const schemas = controlMethods[method];
    return new Promise((resolve, reject) => {
      // A closed socket never answers: without this the request would wait forever.
      if (this.#closedError) return reject(this.#closedError);
      const checked = schemas.params.safeParse(params ?? {});
      if (!checked.success) return reject(new ControlClientError(CONTROL_ERROR.BAD_REQUEST, `Invalid params for ${method}: ${describeIssues(checked.error.issues)}`));
      const { signal, timeoutMs, onEvent } = options;
      if (signal?.aborted) return reject(abortedError(method, signal));
      const id = this.#nextId++;
      const stopWaiting = () => {
        this.#pending.delete(id);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        stopWaiting();
        reject(abortedError(method, signal!));
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        stopWaiting();
        reject(new ControlClientError(CONTROL_ERROR.TIMEOUT, `The daemon did not answer ${method} within ${timeoutMs} ms.`));
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        method,
        resolve: (value) => {
          stopWaiting();
          resolve(value as ControlResult<M>);
        },
        reject: (err) => {
          stopWaiting();
          reject(err);
        },
        ...(onEvent ? { onEvent: onEvent as (event: never) => void } : {}),
      });
      this.#socket.write(encodeMessage({ id, method, params: checked.data }));
    });
  }

  /** Ends the connection, and with it every stream it carries (the daemon stops them). */
  close(): void {
    this.#socket.end();
  }

  #failAll(error: ControlClientError): void {
    for (const pending of [...this.#pending.values()]) pending.reject(error);
    this.#pending.clear();
  }

  #receive(message: ControlMessage): void {
    const pending = typeof message.id === 'number' ? this.#pending.get(message.id) : undefined;
    if (!pending) return;
    const schemas = controlMethods[pending.method] as { result: (typeof controlMethods)[ControlMethod]['result']; event?: (typeof controlMethods)['watch']['event'] };
    if (message.type === 'event') {
      const event = schemas.event?.safeParse(message.event);
      if (event?.success) pending.onEvent?.(event.data as never);
      else pending.reject(new ControlClientError(CONTROL_ERROR.BAD_RESPONSE, `The daemon sent a ${pending.method} event this client cannot read (${event ? describeIssues(event.error.issues) : 'the method streams nothing'}). ${protocolHint}`));
      return;
    }
    if (!message.ok) {
      pending.reject(new ControlClientError(message.error.code ?? CONTROL_ERROR.INTERNAL, message.error.message));
      return;
    }
    const result = schemas.result.safeParse(message.result);
    if (result.success) pending.resolve(result.data);
    else pending.reject(new ControlClientError(CONTROL_ERROR.BAD_RESPONSE, `The daemon answered ${pending.method} with a result this client cannot read (${describeIssues(result.error.issues)}). ${protocolHint}`));
  }
}

const protocolHint = 'Are the daemon and this client of different versions? Restart the daemon: opperator daemon stop && opperator daemon start';

function abortedError(method: string, signal: AbortSignal): ControlClientError {
  return new ControlClientError(CONTROL_ERROR.ABORTED, `Stopped waiting for ${method}.`, { cause: signal.reason });
}

/** The first issues of a failed parse, by path; values are never echoed. */
function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues.slice(0, 3).map((issue) => `${issue.path.map(String).join('.') || '(value)'}: ${issue.message}`).join('; ');
}

function openSocket(socketPath: string, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const onAbort = () => {
      socket.destroy();
      reject(new ControlClientError(CONTROL_ERROR.UNREACHABLE, `Cannot reach the daemon at ${socketPath}: no connection in time.`, { cause: signal.reason }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') reject(new ControlClientError(CONTROL_ERROR.NOT_RUNNING, 'The daemon is not running. Start it: opperator daemon start', { cause: err }));
      else reject(new ControlClientError(CONTROL_ERROR.UNREACHABLE, `Cannot reach the daemon at ${socketPath}: ${err.code ?? err.message}.`, { cause: err }));
    });
  });
}
