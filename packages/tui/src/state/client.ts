/**
 * The part of the CLI's control-socket client (`DaemonClient` in
 * packages/cli) the TUI uses. The CLI hands the TUI a way to connect, so the
 * TUI talks to the daemon only through that client and imports nothing of
 * the CLI.
 *
 * @example
 * ```ts
 * const client: TuiClient = await connect();
 * const agents = await client.request<AgentRow[]>('agent.list');
 * ```
 */
export interface TuiClient {
  /** One request; `onEvent` receives streamed events (watch, log follow, invoke progress). */
  request<T = unknown>(method: string, params?: Record<string, unknown>, onEvent?: (event: Record<string, unknown>) => void): Promise<T>;
  /** Ends the connection, and with it any stream it carries. */
  close(): void;
}

/** Opens a new connection to the daemon (starting the daemon first when needed). */
export type ConnectClient = () => Promise<TuiClient>;

/** The message of anything thrown, for the status line. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
