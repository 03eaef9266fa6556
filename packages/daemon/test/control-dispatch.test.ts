import { CONTROL_ERROR, CONTROL_PROTOCOL_VERSION, controlMethods } from '@opperator/protocol';
import { describe, expect, it } from 'vitest';
import { dispatchTable, type MethodHandlers } from '../src/control-dispatch.js';
import type { ControlContext } from '../src/control-server.js';

// The daemon's side of the typed control API: every request's params are
// parsed with its method's schema before a handler runs.

const context: ControlContext = { emit: () => undefined, emitAll: () => undefined, signal: new AbortController().signal };
const seen: unknown[] = [];
const handlers = Object.fromEntries(
  Object.keys(controlMethods)
    .filter((method) => method !== 'hello')
    .map((method) => [method, async (params: unknown) => (seen.push(params), { handled: method })]),
) as unknown as MethodHandlers;
const table = dispatchTable(handlers);

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(() => undefined, (err: { code?: string }) => err.code);
}

describe('dispatchTable', () => {
  it('has a handler for every method of the protocol, and no other', () => {
    expect(Object.keys(table).sort()).toEqual(Object.keys(controlMethods).sort());
  });

  it('hands a handler its parsed params', async () => {
    seen.length = 0;
    expect(await table['agent.invoke']!({ name: 'mail', command: 'check_now', args: { folder: 'INBOX' } }, context)).toEqual({ handled: 'agent.invoke' });
    expect(seen).toEqual([{ name: 'mail', command: 'check_now', args: { folder: 'INBOX' } }]);
  });

  it('refuses params of the wrong shape with DAEMON_BAD_REQUEST naming the field, before the handler runs', async () => {
    seen.length = 0;
    expect(await codeOf(table['agent.start']!({}, context))).toBe(CONTROL_ERROR.BAD_REQUEST);
    expect(await codeOf(table['agent.logs']!({ name: 'mail', lines: 'many' }, context))).toBe(CONTROL_ERROR.BAD_REQUEST);
    const args = await table['agent.invoke']!({ name: 'mail', command: 'c', args: [1] }, context).catch((err: Error) => err);
    expect(args).toMatchObject({ code: CONTROL_ERROR.BAD_REQUEST, message: expect.stringContaining('args: Command arguments must be a JSON object') });
    expect(await codeOf(table['agent.invoke']!({ name: 'mail', command: 'c', client: { browser: 'yes' } }, context))).toBe(CONTROL_ERROR.BAD_REQUEST);
    expect(await codeOf(table['task.cancel']!({ id: 7 }, context))).toBe(CONTROL_ERROR.BAD_REQUEST);
    expect(seen).toEqual([]);
  });

  it('answers hello with its version, and refuses another with DAEMON_PROTOCOL_MISMATCH naming both', async () => {
    expect(await table.hello!({ protocolVersion: CONTROL_PROTOCOL_VERSION }, context)).toEqual({ protocolVersion: CONTROL_PROTOCOL_VERSION });
    const other = await table.hello!({ protocolVersion: 99 }, context).catch((err: Error) => err);
    expect(other).toMatchObject({ code: CONTROL_ERROR.PROTOCOL_MISMATCH, message: expect.stringContaining(`control protocol ${CONTROL_PROTOCOL_VERSION}, this client 99`) });
    expect((other as Error).message).toContain('opperator daemon stop && opperator daemon start');
  });
});
