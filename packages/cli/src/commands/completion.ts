import { join } from 'node:path';
import { script } from '@bomb.sh/tab';
import type { Command } from 'commander';
import { AgentsFile } from '../agents-file.js';
import { completionTree, type CompletionValues } from '../completion-tree.js';
import { readConfig } from '../config.js';
import { applyHomeOption, homeOptionIn } from '../home-option.js';
import { connectDaemon } from './with-daemon.js';

/** How long a completion waits for the daemon (agent commands, task ids) before answering without them: a TAB must not hang. */
export const COMPLETION_DAEMON_TIMEOUT_MS = 500;

/**
 * `opperator completion bash|zsh|fish`: prints the shell's completion
 * script. It asks `opperator complete -- WORDS` at each TAB, so it never
 * goes stale when commands are added.
 *
 * @example
 * ```ts
 * completionScript('bash'); // prints "# bash completion for opperator ..."
 * ```
 */
export function completionScript(shell: 'bash' | 'zsh' | 'fish'): void {
  script(shell, 'opperator', 'opperator');
}

/**
 * `opperator complete -- WORDS` (hidden; the scripts call it): prints the
 * candidates for the last word. Agent names come from agents.yaml (never
 * starting the daemon); an agent's commands and task ids only from a daemon
 * already running, and only if it answers within
 * {@link COMPLETION_DAEMON_TIMEOUT_MS}. A `--home` on the line is honoured.
 *
 * @example
 * ```ts
 * await completeWords(program, ['agent', 'start', 'ma']); // prints "mail\t\n:4"
 * ```
 */
export async function completeWords(program: Command, words: string[]): Promise<void> {
  const home = homeOptionIn(words);
  if (home) applyHomeOption(home);
  const values: CompletionValues = { agents: await agentNames(), agentCommands: [], tasks: [] };
  const positional = words.slice(0, -1).filter((word) => !word.startsWith('-'));
  const [group, command, agent] = positional.filter((word) => word !== home);
  if (group === 'agent' && command === 'invoke' && agent && values.agents.includes(agent)) {
    values.agentCommands = (await fromDaemon((client, signal) => client.request('agent.commands', { name: agent }, { signal }))) ?? [];
  } else if (group === 'task' && (command === 'get' || command === 'cancel')) {
    const tasks = (await fromDaemon((client, signal) => client.request('task.list', {}, { signal }))) ?? [];
    values.tasks = tasks.filter((task) => command === 'get' || task.state === 'running').map((task) => ({ id: task.id, description: `${task.agent} ${task.command} ${task.state}` }));
  }
  completionTree(program, values).answer(words);
}

/** The agents of agents.yaml; none when there is no readable file (a completion shows what it can, and never an error). */
async function agentNames(): Promise<string[]> {
  try {
    return await new AgentsFile(join(readConfig().home, 'agents.yaml')).names();
  } catch (err) {
    // A broken agents.yaml or environment is reported by the command itself when it runs; a TAB just offers nothing.
    void err;
    return [];
  }
}

/** What a running daemon answers within the time limit; undefined when none runs, or it is slow or refuses. */
async function fromDaemon<T>(ask: (client: Awaited<ReturnType<typeof connectDaemon>>, signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  const signal = AbortSignal.timeout(COMPLETION_DAEMON_TIMEOUT_MS);
  try {
    const client = await connectDaemon({ start: false });
    try {
      return await ask(client, signal);
    } finally {
      client.close();
    }
  } catch (err) {
    // No daemon, a slow one, or an agent that is not running: complete without its values.
    void err;
    return undefined;
  }
}
