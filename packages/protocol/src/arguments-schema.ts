import type { CommandArgument } from './agent-messages.js';

/** A JSON Schema (draft 2020-12 subset) of one command argument. */
export interface ArgumentJsonSchema {
  type: CommandArgument['type'];
  description?: string;
  enum?: string[];
}

/** The JSON Schema of a command's arguments object, as {@link commandArgumentsJsonSchema} builds it. */
export interface CommandArgumentsJsonSchema {
  type: 'object';
  properties: Record<string, ArgumentJsonSchema>;
  required?: string[];
  additionalProperties?: false;
  [key: string]: unknown;
}

/**
 * The JSON Schema of a command's arguments, from the same definitions
 * `validateArguments` checks with, so the SDK, the TUI and the MCP server
 * (a tool's `inputSchema`) share one source:
 *
 * - declared arguments become `properties` with their type, description and
 *   (for strings) `enum`; required ones are listed in `required`;
 * - with a declaration, other keys are refused (`additionalProperties: false`),
 *   as `validateArguments` refuses them; without one, any object passes.
 *
 * `validateArguments` stays the judge: it also treats `null` as absent, which
 * a schema cannot say as simply.
 *
 * @example
 * ```ts
 * commandArgumentsJsonSchema([{ name: 'folder', type: 'string', required: true, enum: ['INBOX', 'SENT'] }]);
 * // { type: 'object', properties: { folder: { type: 'string', enum: ['INBOX', 'SENT'] } }, required: ['folder'], additionalProperties: false }
 * ```
 */
export function commandArgumentsJsonSchema(declared: readonly CommandArgument[] | undefined): CommandArgumentsJsonSchema {
  if (declared === undefined) return { type: 'object', properties: {} };
  const properties: Record<string, ArgumentJsonSchema> = {};
  for (const argument of declared) {
    properties[argument.name] = {
      type: argument.type,
      ...(argument.description === undefined ? {} : { description: argument.description }),
      // validateArguments applies enum to strings only; a schema says the same.
      ...(argument.enum !== undefined && argument.type === 'string' ? { enum: [...argument.enum] } : {}),
    };
  }
  const required = declared.filter((argument) => argument.required === true).map((argument) => argument.name);
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
}
