import { pathToFileURL } from 'node:url';
import { CONTROL_ERROR, formatHumanTime, type DaemonStatus } from '@opperator/protocol';
import { daemonStatusJson } from '../json-output.js';
import { CliError } from '../cli-error.js';
import { readConfig } from '../config.js';
import { DaemonClient, DaemonClientError } from '../daemon-client.js';
import { daemonPaths, daemonScript } from '../daemon-paths.js';
import { startFailure, startInBackground } from '../background-start.js';
import { waitForExit } from '../process-exit.js';

/** How long `daemon start` waits for the socket to answer. */
export const DAEMON_START_TIMEOUT_MS = 15_000;
/** How long `daemon stop` waits for the daemon to be gone (it stops every agent first). */
export const DAEMON_STOP_TIMEOUT_MS = 30_000;

/**
 * The status of the daemon answering on `socketPath` (`daemon.status`,
 * checked against its schema), or undefined when none answers. Never starts one.
 *
 * @example
 * ```ts
 * const status = await tryStatus(daemonPaths(readConfig()).socketPath);
 * ```
 */
export async function tryStatus(socketPath: string): Promise<DaemonStatus | undefined> {
  try {
    // daemon.status and daemon.stop are kept by every protocol version: no version check, so a daemon of another version is still seen (and stopped).
    const client = await DaemonClient.connect(socketPath, { checkVersion: false });
    try {
      return await client.request('daemon.status');
    } finally {
      client.close();
    }
  } catch (err) {
    if (err instanceof DaemonClientError && (err.code === CONTROL_ERROR.NOT_RUNNING || err.code === CONTROL_ERROR.DISCONNECTED)) return undefined;
    throw err;
  }
}

/** `opperator daemon start [--foreground]`. */
export async function daemonStart(options: { foreground?: boolean }): Promise<void> {
  const { socketPath } = daemonPaths(readConfig());
  const running = await tryStatus(socketPath);
  if (running) {
    process.stdout.write(`The daemon is already running (pid ${running.pid}).\n`);
    return;
  }
  if (options.foreground) {
    await import(pathToFileURL(daemonScript()).href);
    return;
  }
  const { pid, logPath } = await startDaemonInBackground();
  process.stdout.write(`Daemon started (pid ${pid}). Logs: ${logPath}\n`);
}

/**
 * Starts the daemon detached from this terminal and waits until its socket
 * answers; used by `daemon start` and by commands that need a daemon. Once
 * it answered it is kept (it runs for every later command); Ctrl-C or
 * SIGTERM before that stops it and ends the command (see `startInterruptibly`).
 */
export async function startDaemonInBackground(): Promise<{ pid: number; logPath: string }> {
  const { socketPath, logPath } = daemonPaths(readConfig());
  const started = await startInBackground({
    what: 'the daemon',
    script: daemonScript(),
    // The daemon keeps the file its output goes to bounded while it runs (its daemon-log.ts).
    args: ['--log-file', logPath],
    logPath,
    startTimeoutMs: DAEMON_START_TIMEOUT_MS,
    // The daemon stops its agents and removes its socket and pid file on SIGTERM, even halfway through its start.
    stopTimeoutMs: DAEMON_STOP_TIMEOUT_MS,
    probe: async () => (await tryStatus(socketPath))?.pid,
  });
  if (started.answer !== undefined) return { pid: started.answer, logPath };
  throw startFailure('The daemon', started.exited, DAEMON_START_TIMEOUT_MS, logPath);
}

/** `opperator daemon stop`. */
export async function daemonStop(): Promise<void> {
  process.stdout.write((await stopDaemon()) === undefined ? 'The daemon is not running.\n' : 'Daemon stopped.\n');
}

/**
 * Stops the daemon of this home and waits until its process is gone (it
 * stops every agent first); resolves with its pid, or undefined when none
 * was running. Used by `daemon stop` and `daemon restart`.
 *
 * @example
 * ```ts
 * const stoppedPid = await stopDaemon();
 * ```
 */
export async function stopDaemon(): Promise<number | undefined> {
  const { socketPath } = daemonPaths(readConfig());
  let client: DaemonClient;
  try {
    client = await DaemonClient.connect(socketPath, { checkVersion: false });
  } catch (err) {
    if (err instanceof DaemonClientError && err.code === CONTROL_ERROR.NOT_RUNNING) return undefined;
    throw err;
  }
  const { pid } = await client.request('daemon.status');
  await client.request('daemon.stop');
  client.close();
  if (await waitForExit(pid, DAEMON_STOP_TIMEOUT_MS)) return pid;
  throw new CliError('failure', `The daemon (pid ${pid}) is still running after ${DAEMON_STOP_TIMEOUT_MS / 1000} s. Stop it with: kill ${pid}`);
}

/** `opperator daemon status [--json]`. */
export async function daemonStatus(options: { json?: boolean }): Promise<void> {
  const status = await tryStatus(daemonPaths(readConfig()).socketPath);
  if (!status) throw new CliError('unavailable', 'The daemon is not running. Start it: opperator daemon start');
  if (options.json) process.stdout.write(`${JSON.stringify(daemonStatusJson(status), null, 2)}\n`);
  else process.stdout.write(`The daemon is running (pid ${status.pid}) since ${formatHumanTime(status.startedAt)}, ${status.agents} agent(s), home ${status.home}.\n`);
}
