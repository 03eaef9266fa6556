import { validateArguments } from '@opperator/protocol';
import type { CommandRow } from '../state/types.js';

/** A palette line turned into an invocation, or why it cannot be sent. */
export type ParsedCommandLine = { ok: true; command: string; args: Record<string, unknown> } | { ok: false; error: string };

/**
 * Reads what was typed in the palette: `/name` then either a JSON object
 * (`{"device": true}`) or `key=value` pairs (`device=true folder="My Inbox"`),
 * values typed by the command's declared arguments; then validates them as
 * the agent will, so a mistake is shown before anything is sent.
 *
 * @example
 * ```ts
 * parseCommandLine('/authorize_gmail device=true', command); // { ok: true, command: 'authorize_gmail', args: { device: true } }
 * ```
 */
export function parseCommandLine(input: string, command: CommandRow): ParsedCommandLine {
  const rest = input.trim().replace(/^\//, '').slice(firstWord(input).length).trim();
  let args: Record<string, unknown>;
  if (rest.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(rest);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, error: 'The arguments must be a JSON object, e.g. {"device": true}.' };
      args = parsed as Record<string, unknown>;
    } catch {
      return { ok: false, error: 'The arguments are not valid JSON; use {"key": value} or key=value pairs.' };
    }
  } else {
    const pairs = splitPairs(rest);
    if (!pairs.ok) return pairs;
    args = Object.fromEntries(pairs.pairs.map(([key, raw]) => [key, typed(raw, command.arguments?.find((a) => a.name === key)?.type)]));
  }
  const problems = command.arguments ? validateArguments(command.arguments as Parameters<typeof validateArguments>[0], args) : [];
  if (problems.length > 0) return { ok: false, error: `${command.name}: ${problems.join('; ')}` };
  return { ok: true, command: command.name, args };
}

function firstWord(input: string): string {
  return input.trim().replace(/^\//, '').split(/\s+/)[0] ?? '';
}

/** `a=1 b="two words"` → pairs; a bare word is an error naming the form. */
function splitPairs(text: string): { ok: true; pairs: Array<[string, string]> } | { ok: false; error: string } {
  const pairs: Array<[string, string]> = [];
  const pattern = /([A-Za-z_][\w-]*)=("(?:[^"\\]|\\.)*"|\S*)|(\S+)/g;
  for (const match of text.matchAll(pattern)) {
    if (match[3] !== undefined) return { ok: false, error: `Cannot read "${match[3]}": give arguments as key=value, or as a JSON object.` };
    pairs.push([match[1]!, match[2]!]);
  }
  return { ok: true, pairs };
}

/** The value as the declared type wants it; left as text when it does not parse, so validation names the problem. */
function typed(raw: string, type: string | undefined): unknown {
  if (raw.startsWith('"')) {
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw;
    }
  }
  switch (type) {
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'number':
    case 'integer':
      return raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    case 'object':
    case 'array':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        return raw;
      }
    default:
      return raw;
  }
}
