import type { ControlClient } from '@opperator/protocol';

/**
 * The part of the typed control client (`ControlClient` of
 * @opperator/protocol) the TUI uses: `request` (params, results and events
 * typed by the method's schemas; `onEvent`, `signal` and `timeoutMs` in its
 * options) and `close`, which ends the connection and every stream it
 * carries. The CLI hands the TUI a way to connect (it knows the socket and
 * starts the daemon on demand), so the TUI imports nothing of the CLI.
 *
 * @example
 * ```ts
 * const client: TuiClient = await connect();
 * const agents = await client.request('agent.list');
 * ```
 */
export type TuiClient = Pick<ControlClient, 'request' | 'close'>;

/** Opens a new connection to the daemon (starting the daemon first when needed). */
export type ConnectClient = () => Promise<TuiClient>;

/** The message of anything thrown, for the status line. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
