import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/app/command-line.js';
import type { CommandRow } from '../../src/state/types.js';

const authorize: CommandRow = { name: 'authorize_gmail', async: true, arguments: [{ name: 'device', type: 'boolean' }] };
const search: CommandRow = { name: 'search', async: false, arguments: [{ name: 'query', type: 'string', required: true }, { name: 'limit', type: 'integer' }] };

describe('parseCommandLine', () => {
  it('reads a bare command, key=value pairs typed by the declaration, and JSON', () => {
    expect(parseCommandLine('/authorize_gmail', authorize)).toEqual({ ok: true, command: 'authorize_gmail', args: {} });
    expect(parseCommandLine('/authorize_gmail device=true', authorize)).toEqual({ ok: true, command: 'authorize_gmail', args: { device: true } });
    expect(parseCommandLine('search query="two words" limit=5', search)).toEqual({ ok: true, command: 'search', args: { query: 'two words', limit: 5 } });
    expect(parseCommandLine('/search {"query": "x"}', search)).toEqual({ ok: true, command: 'search', args: { query: 'x' } });
  });

  it('refuses what the agent would refuse, before sending, naming the problem', () => {
    expect(parseCommandLine('/search', search)).toEqual({ ok: false, error: 'search: argument "query" is required' });
    expect(parseCommandLine('/search query=a limit=many', search)).toMatchObject({ ok: false, error: expect.stringContaining('"limit" must be an integer') });
    expect(parseCommandLine('/authorize_gmail device=maybe', authorize)).toMatchObject({ ok: false, error: expect.stringContaining('"device" must be a boolean') });
    expect(parseCommandLine('/authorize_gmail colour=red', authorize)).toMatchObject({ ok: false, error: expect.stringContaining('unknown argument "colour"') });
    expect(parseCommandLine('/search oops', search)).toMatchObject({ ok: false, error: expect.stringContaining('key=value') });
    expect(parseCommandLine('/search {bad json', search)).toMatchObject({ ok: false, error: expect.stringContaining('not valid JSON') });
  });
});
