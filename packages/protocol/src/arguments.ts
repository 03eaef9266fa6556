import type { CommandArgument } from './agent-messages.js';

/** Arguments of a command invocation: a JSON object. */
export type CommandArgs = Record<string, unknown>;

/**
 * Checks `args` against a command's declared arguments and returns the
 * problems, in words a user can act on (empty when the args are fine). The
 * SDK checks every invocation with it; UIs check before sending.
 * Values are never echoed: an argument may carry something private.
 *
 * - `null` or a missing key counts as absent; absent required args are refused.
 * - Types: `number` is any finite number, `integer` a whole number, `object`
 *   a plain JSON object (not an array), `enum` applies to strings.
 * - With declared arguments, keys that are not declared are refused, so a
 *   misspelt option fails loudly. Without a declaration, anything passes.
 *
 * @example
 * ```ts
 * validateArguments([{ name: 'count', type: 'integer', required: true }], { count: 1.5 });
 * // ['argument "count" must be an integer, got a number']
 * ```
 */
export function validateArguments(declared: readonly CommandArgument[] | undefined, args: CommandArgs): string[] {
  if (declared === undefined) return [];
  const problems: string[] = [];
  const known = new Set(declared.map((argument) => argument.name));
  for (const argument of declared) {
    const value = args[argument.name];
    const label = `argument ${JSON.stringify(argument.name)}`;
    if (value === undefined || value === null) {
      if (argument.required) problems.push(`${label} is required`);
      continue;
    }
    if (!matchesType(argument.type, value)) {
      problems.push(`${label} must be ${article(argument.type)}, got ${article(describe(value))}`);
      continue;
    }
    if (argument.enum && typeof value === 'string' && !argument.enum.includes(value)) {
      problems.push(`${label} must be one of ${argument.enum.map((choice) => JSON.stringify(choice)).join(', ')}`);
    }
  }
  const unknown = Object.keys(args).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    const accepted = declared.length === 0 ? 'it takes no arguments' : `it accepts ${[...known].map((key) => JSON.stringify(key)).join(', ')}`;
    problems.push(`unknown ${unknown.length === 1 ? 'argument' : 'arguments'} ${unknown.map((key) => JSON.stringify(key)).join(', ')} (${accepted})`);
  }
  return problems;
}

function matchesType(type: CommandArgument['type'], value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && !Array.isArray(value);
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'number';
  if (typeof value === 'number') return 'integer';
  return typeof value;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}
