import type { AgentRow } from '@opperator/protocol';
import { CliError } from '../cli-error.js';
import { toTerminalText as oneLine } from '../terminal-text.js';
import { withDaemon } from './with-daemon.js';

/** What `agent start|stop|restart all` does. */
export type LifecycleAction = 'start' | 'stop' | 'restart';

/** States of an agent that is up or on its way up (a `restarting` one waits out its backoff). */
const UP_STATES = new Set(['running', 'starting', 'restarting']);

/**
 * Whether `action` applies to an agent in `row`'s state, or why not:
 * `start` starts those not up; `stop` stops all but the stopped ones (a
 * crashed one too, so the daemon no longer counts it as left running);
 * `restart` restarts those up, and those that crashed while the user wants
 * them running (a second chance), but starts no agent the user stopped.
 *
 * @example
 * ```ts
 * skipReason('stop', { state: 'stopped', wanted: false }); // 'is already stopped'
 * ```
 */
export function skipReason(action: LifecycleAction, row: Pick<AgentRow, 'name' | 'state' | 'wanted'>): string | undefined {
  if (action === 'start') return UP_STATES.has(row.state) ? `is already ${row.state}` : undefined;
  if (action === 'stop') return row.state === 'stopped' ? 'is already stopped' : undefined;
  if (UP_STATES.has(row.state) || (row.state === 'crashed' && row.wanted)) return undefined;
  return `is ${row.state}, not restarted (start it: opperator agent start ${row.name})`;
}

/**
 * `opperator agent start|stop|restart all`: the action on every agent of
 * agents.yaml it applies to ({@link skipReason}), all at once, one line per
 * agent as each ends. Fails (exit 1) naming the agents whose action failed,
 * after the others are done; each failure's reason is printed as it comes.
 * `start` and `restart` read agents.yaml again first, so agents added since
 * the daemon started are included; `stop` does not, so a broken agents.yaml
 * never keeps agents from stopping.
 *
 * @example
 * ```ts
 * await agentLifecycleAll('restart');
 * ```
 */
export async function agentLifecycleAll(action: LifecycleAction): Promise<void> {
  const failed = await withDaemon(async (client) => {
    if (action !== 'stop') await client.request('agents.reload');
    const rows = await client.request('agent.list');
    if (rows.length === 0) {
      process.stdout.write('No agents in agents.yaml. Create one: opperator agent bootstrap NAME\n');
      return [];
    }
    const chosen: AgentRow[] = [];
    for (const row of rows) {
      const skip = skipReason(action, row);
      if (skip === undefined) chosen.push(row);
      else process.stdout.write(`${oneLine(`Agent ${row.name} ${skip}.`)}\n`);
    }
    const outcomes = await Promise.all(
      chosen.map(async ({ name }) => {
        try {
          const { state } = await client.request(`agent.${action}`, { name });
          process.stdout.write(`${oneLine(`Agent ${name} is ${state}.`)}\n`);
          return undefined;
        } catch (err) {
          // The reason (a start failure quotes the agent's last log lines) comes now; the summary names the agent again.
          process.stderr.write(`${oneLine(`opperator: agent ${name} did not ${action}:`)}\n${oneLine(err instanceof Error ? err.message : String(err), { multiline: true })}\n`);
          return name;
        }
      }),
    );
    return outcomes.filter((name): name is string => name !== undefined);
  });
  if (failed.length > 0) {
    const logs = failed.map((name) => `opperator agent logs ${name}`).join(', ');
    throw new CliError('failure', `${failed.length} agent(s) did not ${action}: ${failed.join(', ')} (reasons above). Their logs: ${logs}`);
  }
}
