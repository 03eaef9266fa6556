import type { AgentHost } from './agent-host.js';
import type { WantedAgents } from './wanted-agents.js';

/** Why an agent is started with the daemon. */
export type RestoreReason = 'start_with_daemon' | 'left running';

/** Options of {@link restoreAgents}. */
export interface RestoreAgentsOptions {
  /** Progress and failures, one line each; the daemon's stderr (its log) by default. */
  report?: (message: string) => void;
}

/**
 * What the daemon starts when it starts, and why: every agent marked
 * `start_with_daemon` (always, even one the user stopped before the daemon
 * stopped: the flag means "always start"), and every agent the user left
 * running (see {@link WantedAgents}). Sorted by name.
 *
 * @example
 * ```ts
 * agentsToRestore([{ name: 'a', start_with_daemon: false }, { name: 'b', start_with_daemon: true }], new Set(['a']));
 * // [{ name: 'a', reason: 'left running' }, { name: 'b', reason: 'start_with_daemon' }]
 * ```
 */
export function agentsToRestore(definitions: Iterable<{ name: string; start_with_daemon: boolean }>, wanted: ReadonlySet<string>): Array<{ name: string; reason: RestoreReason }> {
  const chosen: Array<{ name: string; reason: RestoreReason }> = [];
  for (const { name, start_with_daemon } of definitions) {
    if (start_with_daemon) chosen.push({ name, reason: 'start_with_daemon' });
    else if (wanted.has(name)) chosen.push({ name, reason: 'left running' });
  }
  return chosen.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Reads which agents the user left running, forgets those no longer in
 * agents.yaml, then starts them and the `start_with_daemon` ones (which
 * thereby become wanted too), all at once. A start that fails is reported
 * and the agent stays wanted: it is `crashed` in `agent list`, and tried
 * again at the next daemon start or `agent start`. Never throws for one agent.
 *
 * @example
 * ```ts
 * await restoreAgents(hosts, new WantedAgents(config.wantedAgentsFile));
 * ```
 */
export async function restoreAgents(hosts: ReadonlyMap<string, Pick<AgentHost, 'definition' | 'start'>>, wanted: WantedAgents, options: RestoreAgentsOptions = {}): Promise<Array<{ name: string; reason: RestoreReason; started: boolean }>> {
  const report = options.report ?? ((message: string) => process.stderr.write(`opperator daemon: ${message}\n`));
  await wanted.load();
  await wanted.retain(new Set(hosts.keys()));
  const chosen = agentsToRestore([...hosts.values()].map((host) => host.definition), new Set(wanted.names));
  for (const { name, reason } of chosen) if (reason === 'start_with_daemon') await wanted.add(name);
  if (chosen.length > 0) report(`starting ${chosen.map(({ name, reason }) => `${name} (${reason})`).join(', ')}`);
  const outcomes = await Promise.allSettled(chosen.map(({ name }) => hosts.get(name)!.start()));
  return chosen.map(({ name, reason }, index) => {
    const outcome = outcomes[index]!;
    if (outcome.status === 'rejected') {
      const why = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
      report(`agent ${name} did not start (${why}); it stays wanted running: fix it, then \`opperator agent start ${name}\``);
    }
    return { name, reason, started: outcome.status === 'fulfilled' };
  });
}
