import type { CommandArgument } from '@opperator/protocol';
import { connectDaemon } from './with-daemon.js';

/** How long an `--args` error waits for the daemon to tell the command's arguments before it is printed without them. */
export const ARGUMENTS_LOOKUP_TIMEOUT_MS = 2_000;

/**
 * A command's arguments on one line: name, type, `required`, allowed values.
 *
 * @example
 * ```ts
 * describeArguments([{ name: 'text', type: 'string', required: true }, { name: 'limit', type: 'integer' }]);
 * // 'text (string, required), limit (integer)'
 * ```
 */
export function describeArguments(args: readonly CommandArgument[]): string {
  if (args.length === 0) return 'no arguments';
  return args.map((arg) => `${arg.name} (${arg.type}${arg.enum?.length ? `: ${arg.enum.join('|')}` : ''}${arg.required ? ', required' : ''})`).join(', ');
}

/**
 * The line an `--args` error ends with: the command's arguments as the
 * running agent registered them (`worker echo takes: text (string,
 * required)`), else where to see them. Asks a daemon only if one already
 * runs: a usage error never starts one.
 *
 * @example
 * ```ts
 * await argumentsHint('worker', 'echo'); // 'worker echo takes: text (string, required)'
 * ```
 */
export async function argumentsHint(agent: string, command: string): Promise<string> {
  const fallback = `Its arguments: opperator agent commands ${agent}`;
  try {
    const client = await connectDaemon({ start: false });
    try {
      const commands = await client.request('agent.commands', { name: agent }, { signal: AbortSignal.timeout(ARGUMENTS_LOOKUP_TIMEOUT_MS) });
      const found = commands.find((candidate) => candidate.name === command);
      return found ? `${agent} ${command} takes: ${describeArguments(found.arguments ?? [])}` : fallback;
    } finally {
      client.close();
    }
  } catch (err) {
    // No daemon, the agent not running, or a slow answer: the error is still printed, with the pointer instead of the list.
    void err;
    return fallback;
  }
}
