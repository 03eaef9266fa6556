import { readConfig } from '../config.js';
import { DaemonClient } from '../daemon-client.js';
import { daemonPaths } from '../daemon-paths.js';

/** Connects to the daemon of this OPPERATOR_HOME, runs `work`, disconnects. */
export async function withDaemon<T>(work: (client: DaemonClient) => Promise<T>): Promise<T> {
  const client = await DaemonClient.connect(daemonPaths(readConfig()).socketPath);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

/** Prints `value` as JSON, or `human(value)` lines. */
export function printResult<T>(value: T, json: boolean | undefined, human: (value: T) => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human(value)}\n`);
}
