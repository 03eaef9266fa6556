import { signInNames, type ControlClient } from '@opperator/protocol';
import { CliError } from '../cli-error.js';
import { suggestName } from '@opperator/protocol/suggest-name';
import { toTerminalText as oneLine } from '../terminal-text.js';

/** How long `auth` waits for an agent to answer a hidden sign-in command before it reports it as not answering. */
export const SIGN_IN_QUERY_TIMEOUT_MS = 15_000;

/**
 * The sign-in `auth login|logout|refresh|token AGENT [NAME]` acts on: the
 * agent must be running (its commands say which sign-ins it has), and NAME
 * may be left out when it has one. Unknown names get a did-you-mean.
 */
export async function resolveSignIn(daemon: ControlClient, agent: string, name: string | undefined): Promise<string> {
  const rows = await daemon.request('agent.list');
  const row = rows.find((r) => r.name === agent);
  if (!row) {
    const suggestion = suggestName(agent, rows.map((r) => r.name));
    throw new CliError('notFound', `No agent named ${agent}.${suggestion ? ` Did you mean ${suggestion}?` : ''} List them: opperator agent list`);
  }
  if (row.state !== 'running') throw new CliError('unavailable', `Agent ${agent} is ${row.state}; its sign-ins are known once it runs. Start it: opperator agent start ${agent}`);
  const names = signInNames(await daemon.request('agent.commands', { name: agent }));
  if (names.length === 0) throw new CliError('notFound', `Agent ${agent} has no sign-ins (it does not call this.useOAuth()). See: opperator auth status`);
  if (name === undefined) {
    if (names.length === 1) return names[0]!;
    throw new CliError('usage', `Agent ${agent} has ${names.length} sign-ins: ${names.join(', ')}. Name one, e.g. opperator auth login ${agent} ${names[0]}`);
  }
  if (names.includes(name)) return name;
  const suggestion = suggestName(name, names);
  throw new CliError('notFound', `Agent ${agent} has no sign-in named ${name}${suggestion ? `. Did you mean ${suggestion}?` : ''} (its sign-ins: ${names.join(', ')}).`);
}

/** What checks an agent's answer: a zod schema of `@opperator/protocol`. */
export interface AnswerSchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ message: string }> } };
}

/**
 * Runs one of an agent's hidden sign-in commands (no client, no task) and
 * checks its answer against `schema`: an agent is untrusted input like any
 * other. A failed command throws its message as `commandFailed`.
 */
export async function querySignIn<T>(daemon: ControlClient, agent: string, command: string, schema: AnswerSchema<T>, options: { timeoutMs?: number } = {}): Promise<T> {
  const outcome = await daemon.request('agent.invoke', { name: agent, command, args: {}, detach: false }, { signal: AbortSignal.timeout(options.timeoutMs ?? SIGN_IN_QUERY_TIMEOUT_MS) }).catch((err: unknown) => {
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
      throw new CliError('unavailable', `Agent ${agent} did not answer ${command} within ${Math.round((options.timeoutMs ?? SIGN_IN_QUERY_TIMEOUT_MS) / 1000)} s. Its log: opperator agent logs ${agent}`);
    }
    throw err;
  });
  if ('detached' in outcome) throw new CliError('failure', `${agent} ${command}: answered with a task instead of a result.`);
  if (!outcome.ok) throw new CliError('commandFailed', oneLine(outcome.error.message));
  const parsed = schema.safeParse(outcome.result);
  if (!parsed.success) throw new CliError('failure', `${agent} ${command}: the agent's answer is not a sign-in status this CLI understands (${parsed.error.issues[0]?.message ?? 'invalid'}). Is the agent's @opperator/sdk older than the CLI?`);
  return parsed.data;
}
