import { createHash } from 'node:crypto';

/** Longest tool name MCP clients accept (the spec's SEP-986 limit; several clients cut at 64). */
export const MAX_TOOL_NAME_LENGTH = 64;

/** What separates the agent from the command in a command tool's name. */
export const TOOL_NAME_SEPARATOR = '__';

/**
 * The tool name of an agent's command: `<agent>__<command>`, with every
 * character MCP does not allow in a tool name (`[A-Za-z0-9_.-]`) replaced by
 * `_`, and, when that is too long for {@link MAX_TOOL_NAME_LENGTH} or is
 * already `taken`, shortened and given a stable hash suffix, so the name
 * stays the same for the same agent and command.
 *
 * @example
 * ```ts
 * commandToolName('mail', 'check_now', new Set()); // 'mail__check_now'
 * ```
 */
export function commandToolName(agent: string, command: string, taken: ReadonlySet<string>): string {
  const plain = `${sanitize(agent)}${TOOL_NAME_SEPARATOR}${sanitize(command)}`;
  if (plain.length <= MAX_TOOL_NAME_LENGTH && !taken.has(plain)) return plain;
  // JSON keeps agent and command apart whatever they hold, so two pairs never hash alike by joining.
  const digest = createHash('sha256').update(JSON.stringify([agent, command])).digest('hex').slice(0, 8);
  return `${plain.slice(0, MAX_TOOL_NAME_LENGTH - digest.length - 1)}_${digest}`;
}

function sanitize(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, '_');
}
