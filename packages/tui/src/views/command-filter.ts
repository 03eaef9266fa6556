import type { CommandRow } from '../state/types.js';

/**
 * The command-name part of what was typed in the palette: without the
 * leading `/`, up to the first space (the arguments follow it).
 *
 * @example
 * ```ts
 * commandQuery('/check_now folder=INBOX'); // 'check_now'
 * ```
 */
export function commandQuery(input: string): string {
  return input.trimStart().replace(/^\//, '').split(/\s/, 1)[0] ?? '';
}

/**
 * The palette's list for what was typed: visible commands whose name or
 * title contains the query (case-insensitive), names starting with it first,
 * otherwise in the agent's order. The key handler and the view must use this
 * same function so the selected index means the same row.
 *
 * @example
 * ```ts
 * filterCommands(commands, '/auth'); // authorize, reauthorize, …
 * ```
 */
export function filterCommands(commands: readonly CommandRow[], input: string): CommandRow[] {
  const query = commandQuery(input).toLowerCase();
  const visible = commands.filter((command) => command.hidden !== true);
  if (query === '') return visible;
  const matches = visible.filter(
    (command) => command.name.toLowerCase().includes(query) || (command.title ?? '').toLowerCase().includes(query),
  );
  const starts = matches.filter((command) => command.name.toLowerCase().startsWith(query));
  return [...starts, ...matches.filter((command) => !command.name.toLowerCase().startsWith(query))];
}

/**
 * A command's arguments as hints: `<name:type>` when required,
 * `[name:type]` when optional.
 *
 * @example
 * ```ts
 * argumentHints({ name: 'login', async: true, arguments: [{ name: 'device', type: 'boolean' }] }); // '[device:boolean]'
 * ```
 */
export function argumentHints(command: Pick<CommandRow, 'arguments'>): string {
  return (command.arguments ?? [])
    .map((argument) => (argument.required === true ? `<${argument.name}:${argument.type}>` : `[${argument.name}:${argument.type}]`))
    .join(' ');
}
