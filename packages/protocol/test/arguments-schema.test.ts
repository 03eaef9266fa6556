import { describe, expect, it } from 'vitest';
import { commandArgumentsJsonSchema, validateArguments, type CommandArgument } from '../src/index.js';

const declared: CommandArgument[] = [
  { name: 'folder', type: 'string', required: true, description: 'which folder', enum: ['INBOX', 'SENT'] },
  { name: 'limit', type: 'integer' },
  { name: 'ratio', type: 'number' },
  { name: 'unread', type: 'boolean', required: true },
  { name: 'labels', type: 'array' },
  { name: 'filter', type: 'object' },
  // enum on a non-string: validateArguments ignores it, so the schema does too.
  { name: 'odd', type: 'integer', enum: ['1'] },
];

describe('commandArgumentsJsonSchema', () => {
  it('describes declared arguments: types, descriptions, enums, required, nothing else accepted', () => {
    expect(commandArgumentsJsonSchema(declared)).toEqual({
      type: 'object',
      properties: {
        folder: { type: 'string', description: 'which folder', enum: ['INBOX', 'SENT'] },
        limit: { type: 'integer' },
        ratio: { type: 'number' },
        unread: { type: 'boolean' },
        labels: { type: 'array' },
        filter: { type: 'object' },
        odd: { type: 'integer' },
      },
      required: ['folder', 'unread'],
      additionalProperties: false,
    });
  });

  it('takes no arguments when none are declared as an empty list', () => {
    expect(commandArgumentsJsonSchema([])).toEqual({ type: 'object', properties: {}, additionalProperties: false });
    expect(validateArguments([], { any: 1 })).toHaveLength(1);
  });

  it('accepts any object when the command declares nothing, as validateArguments does', () => {
    expect(commandArgumentsJsonSchema(undefined)).toEqual({ type: 'object', properties: {} });
    expect(validateArguments(undefined, { any: 1 })).toEqual([]);
  });

  it('leaves no required list when every argument is optional', () => {
    expect(commandArgumentsJsonSchema([{ name: 'limit', type: 'integer' }])).not.toHaveProperty('required');
  });

  it('copies enums, so editing the schema never edits the definitions', () => {
    const schema = commandArgumentsJsonSchema(declared);
    schema.properties.folder?.enum?.push('SPAM');
    expect(declared[0]?.enum).toEqual(['INBOX', 'SENT']);
  });
});
