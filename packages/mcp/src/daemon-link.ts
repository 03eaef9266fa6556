import { CONTROL_ERROR, ControlClientError, type ControlClient, type ControlEvent } from '@opperator/protocol';

/** The part of the typed control client the MCP server uses (`ControlClient` of @opperator/protocol). */
export type McpDaemonClient = Pick<ControlClient, 'request' | 'close'>;

/** Opens a connection to the daemon, starting it when none runs and `start` is true (the CLI knows how). */
export type ConnectDaemon = (options: { start: boolean }) => Promise<McpDaemonClient>;

/** Options of {@link DaemonLink.run}. */
export interface LinkRunOptions {
  /**
   * Start the daemon when none runs (default true). Listing (tools, resources)
   * passes false: a client re-listing after a `list_changed` must not start
   * the daemon the user just stopped; calling a tool is asking for it.
   */
  start?: boolean;
}

/** One event of the daemon's `watch` stream. */
export type WatchEvent = ControlEvent<'watch'>;

/** Options of {@link DaemonLink}. */
export interface DaemonLinkOptions {
  /** Every `watch` event of the current connection (agent states, sections, tasks). */
  onWatchEvent?: (event: WatchEvent) => void;
  /** The connection closed (the daemon stopped): what it showed is gone until the next request reconnects. */
  onDisconnect?: () => void;
  /** Lines for the server's log (stderr). */
  log?: (line: string) => void;
}

/**
 * The MCP server's one connection to the daemon, opened on the first request
 * (starting the daemon if needed) and watched for changes from then on. When
 * the daemon goes away the connection is dropped and the next request opens
 * a new one: a daemon the user stopped is started again only when the MCP
 * client asks for something.
 *
 * @example
 * ```ts
 * const link = new DaemonLink(connect, { onWatchEvent: (event) => refresh(event) });
 * const agents = await link.run((client) => client.request('agent.list'));
 * link.close();
 * ```
 */
export class DaemonLink {
  readonly #connect: ConnectDaemon;
  readonly #options: DaemonLinkOptions;
  #client: Promise<McpDaemonClient> | undefined;
  readonly #closed = new AbortController();

  constructor(connect: ConnectDaemon, options: DaemonLinkOptions = {}) {
    this.#connect = connect;
    this.#options = options;
  }

  /** The current connection, opened (and watched) when there is none. */
  client(options: LinkRunOptions = {}): Promise<McpDaemonClient> {
    if (this.#closed.signal.aborted) return Promise.reject(new ControlClientError(CONTROL_ERROR.DISCONNECTED, 'The MCP server is shutting down.'));
    if (!this.#client) {
      const opening = this.#connect({ start: options.start ?? true }).then((client) => {
        this.#watch(client, opening);
        return client;
      });
      this.#client = opening;
      // A failed connect is not kept: the next request tries again.
      opening.catch(() => this.#drop(opening));
    }
    return this.#client;
  }

  /** Runs `work` on the connection; a connection found closed is dropped, so the next call reconnects. */
  async run<T>(work: (client: McpDaemonClient) => Promise<T>, options: LinkRunOptions = {}): Promise<T> {
    const opening = this.client(options);
    const client = await opening;
    try {
      return await work(client);
    } catch (err) {
      if (err instanceof ControlClientError && err.code === CONTROL_ERROR.DISCONNECTED) this.#drop(opening);
      throw err;
    }
  }

  /** Ends the connection and the watch; later requests fail. */
  close(): void {
    this.#closed.abort();
    const current = this.#client;
    this.#client = undefined;
    current?.then((client) => client.close(), () => undefined /* it never opened: nothing to close */);
  }

  #watch(client: McpDaemonClient, opening: Promise<McpDaemonClient>): void {
    const { onWatchEvent, log } = this.#options;
    client.request('watch', {}, { signal: this.#closed.signal, ...(onWatchEvent ? { onEvent: onWatchEvent } : {}) }).then(
      () => this.#drop(opening),
      (err: unknown) => {
        if (this.#closed.signal.aborted) return;
        // The daemon stopped: the watch ends with the connection.
        if (!(err instanceof ControlClientError && err.code === CONTROL_ERROR.DISCONNECTED)) log?.(`opperator mcp: the daemon watch ended: ${err instanceof Error ? err.message : String(err)}`);
        this.#drop(opening);
      },
    );
  }

  #drop(opening: Promise<McpDaemonClient>): void {
    if (this.#client !== opening) return;
    this.#client = undefined;
    opening.then((client) => client.close(), () => undefined /* never opened */);
    this.#options.onDisconnect?.();
  }
}
