/**
 * The CLI's control-socket client: the typed `ControlClient` of
 * `@opperator/protocol` (one client for the CLI, the TUI, which the CLI hands
 * it, and any other client), under the names the commands use.
 *
 * @example
 * ```ts
 * const client = await DaemonClient.connect(socketPath);
 * const agents = await client.request('agent.list');
 * client.close();
 * ```
 */
export { ControlClient as DaemonClient, ControlClientError as DaemonClientError, MAX_RESPONSE_BYTES } from '@opperator/protocol';
