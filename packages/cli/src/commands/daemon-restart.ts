import { setTimeout as sleep } from 'node:timers/promises';
import { CONTROL_ERROR } from '@opperator/protocol';
import { CliError } from '../cli-error.js';
import { readConfig } from '../config.js';
import { DaemonClient, DaemonClientError } from '../daemon-client.js';
import { daemonPaths } from '../daemon-paths.js';
import { startDaemonInBackground, stopDaemon } from './daemon.js';

/**
 * How long `daemon restart` waits for the agents that were running to run
 * again: each is built and then has the supervisor's ready timeout (30 s).
 */
export const DAEMON_RESTART_AGENTS_WAIT_MS = 60_000;
/** How often it looks meanwhile. */
const POLL_MS = 200;

/** States an agent that was running before the restart ends in: it came back, or it did not. */
const SETTLED_STATES = new Set(['running', 'crashed']);

/**
 * `opperator daemon restart`: notes which agents run, stops the daemon (its
 * agents first, as `daemon stop`), starts it again, then waits until those
 * agents run again. The new daemon brings them back by itself (it restores
 * the agents left running, see the daemon's `agent-restore.ts`); this only
 * watches and reports. Fails (exit 1) naming any that did not come back.
 * With no daemon running it just starts one. A daemon of another version
 * cannot be asked which agents run: it is restarted all the same (the usual
 * fix for a version mismatch), and its agents still come back.
 *
 * @example
 * ```ts
 * await daemonRestart();
 * ```
 */
export async function daemonRestart(): Promise<void> {
  const { socketPath } = daemonPaths(readConfig());
  const wereUp = await agentsUp(socketPath);
  const stoppedPid = await stopDaemon();
  const { pid, logPath } = await startDaemonInBackground();
  if (stoppedPid === undefined) {
    process.stdout.write(`The daemon was not running; started it (pid ${pid}). Logs: ${logPath}\n`);
    return;
  }
  process.stdout.write(`Daemon restarted (pid ${stoppedPid} -> ${pid}).\n`);
  if (wereUp.length === 0) return;
  const states = await waitForAgents(socketPath, wereUp);
  const back = wereUp.filter((name) => states.get(name) === 'running');
  if (back.length > 0) process.stdout.write(`Running again: ${back.join(', ')}.\n`);
  const notBack = wereUp.filter((name) => states.get(name) !== 'running');
  if (notBack.length > 0) {
    const which = notBack.map((name) => `${name} (${states.get(name) ?? 'no longer in agents.yaml'})`).join(', ');
    throw new CliError('failure', `Agent(s) running before the restart did not come back: ${which}. Their logs: ${notBack.map((name) => `opperator agent logs ${name}`).join(', ')}`);
  }
}

/** The agents up (or on their way up) in the daemon answering on `socketPath`; none when no daemon, or one of another version, answers. */
async function agentsUp(socketPath: string): Promise<string[]> {
  let client: DaemonClient;
  try {
    client = await DaemonClient.connect(socketPath);
  } catch (err) {
    if (err instanceof DaemonClientError && (err.code === CONTROL_ERROR.NOT_RUNNING || err.code === CONTROL_ERROR.PROTOCOL_MISMATCH)) return [];
    throw err;
  }
  try {
    const rows = await client.request('agent.list');
    return rows.filter((row) => row.state === 'running' || row.state === 'starting' || row.state === 'restarting').map((row) => row.name);
  } finally {
    client.close();
  }
}

/** Polls `agent.list` until each of `names` runs, crashed or is gone, or the wait is over; their last states (absent: gone). */
async function waitForAgents(socketPath: string, names: readonly string[]): Promise<Map<string, string>> {
  const client = await DaemonClient.connect(socketPath);
  try {
    const deadline = Date.now() + DAEMON_RESTART_AGENTS_WAIT_MS;
    for (;;) {
      const states = new Map((await client.request('agent.list')).map((row) => [row.name, row.state]));
      const settled = names.every((name) => !states.has(name) || SETTLED_STATES.has(states.get(name)!));
      if (settled || Date.now() >= deadline) return states;
      await sleep(POLL_MS);
    }
  } finally {
    client.close();
  }
}
