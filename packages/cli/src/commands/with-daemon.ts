import { CONTROL_ERROR } from '@opperator/protocol';
import { readConfig } from '../config.js';
import { DaemonClient, DaemonClientError } from '../daemon-client.js';
import { daemonPaths } from '../daemon-paths.js';
import { toTerminalJson, toTerminalText } from '../terminal-text.js';

/** Connects to the daemon of this OPPERATOR_HOME, starting it first when none runs (and `start` is not false). */
export async function connectDaemon(options: { start?: boolean } = {}): Promise<DaemonClient> {
  const { socketPath } = daemonPaths(readConfig());
  try {
    return await DaemonClient.connect(socketPath);
  } catch (err) {
    if (options.start === false || !(err instanceof DaemonClientError && err.code === CONTROL_ERROR.NOT_RUNNING)) throw err;
    const { startDaemonInBackground } = await import('./daemon.js');
    const { pid } = await startDaemonInBackground();
    process.stderr.write(`opperator: started the daemon (pid ${pid}).\n`);
    return DaemonClient.connect(socketPath);
  }
}

/** Connects to the daemon of this OPPERATOR_HOME (starting it when none runs), runs `work`, disconnects. */
export async function withDaemon<T>(work: (client: DaemonClient) => Promise<T>): Promise<T> {
  const client = await connectDaemon();
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

/**
 * Prints `value` as JSON (`toJson(value)`: e.g. epoch-ms times as ISO 8601,
 * see json-output.ts), or `human(value)` lines. Both are safe on a
 * terminal (see terminal-text.ts): the JSON parses back to what was printed
 * exactly; the human text keeps its line breaks, so `human` passes agent text that
 * must stay on one line (a table cell) through `toTerminalText` itself.
 */
export function printResult<T>(value: T, json: boolean | undefined, human: (value: T) => string, toJson: (value: T) => unknown = (same) => same): void {
  process.stdout.write(json ? `${toTerminalJson(toJson(value), 2)}\n` : `${toTerminalText(human(value), { multiline: true })}\n`);
}
