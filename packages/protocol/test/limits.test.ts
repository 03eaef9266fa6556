import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { agentToDaemonSchema, controlRequestSchema, encodeMessage, MAX_MESSAGE_DEPTH, MAX_MESSAGE_ENTRIES, readMessages, scanMessageLimits, type InvalidLine } from '../src/index.js';

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

function collect<T>(schema: ZodType<T>) {
  const stream = new PassThrough();
  const messages: T[] = [];
  const invalid: InvalidLine[] = [];
  readMessages(stream, { schema, onMessage: (m) => messages.push(m), onInvalid: (i) => invalid.push(i) });
  return { stream, messages, invalid };
}

describe('message limits', () => {
  it('refuses a 40 KB request nesting 20,000 deep before parsing it, telling its id, and reads on', () => {
    const { stream, messages, invalid } = collect(controlRequestSchema);
    const line = `{"id":7,"method":"agent.invoke","params":{"name":"a","command":"c","args":{"x":${nested(20_000)}}}}\n`;
    expect(line.length).toBeGreaterThan(40_000);
    stream.write(line);
    stream.write('{"id":"after","method":"agent.list"}\n');
    expect(invalid).toEqual([{ kind: 'invalid', limit: 'depth', id: 7, problem: `nests deeper than ${MAX_MESSAGE_DEPTH} levels` }]);
    expect(messages).toEqual([{ id: 'after', method: 'agent.list' }]);
  });

  it('tells the type and id of an agent response too deep to read, so its command can be failed', () => {
    const { stream, invalid } = collect(agentToDaemonSchema);
    stream.write(`{"type":"response","id":"task-1","ok":true,"result":${nested(MAX_MESSAGE_DEPTH)}}\n`);
    stream.write(`{"type":"log","level":"info","message":"m","fields":{"a":${nested(5_000)}}}\n`);
    expect(invalid).toEqual([
      { kind: 'invalid', limit: 'depth', messageType: 'response', id: 'task-1', problem: expect.any(String) },
      { kind: 'invalid', limit: 'depth', messageType: 'log', problem: expect.any(String) },
    ]);
  });

  it('accepts nesting up to the limit, and counts brackets inside strings as text', () => {
    const { stream, messages, invalid } = collect(agentToDaemonSchema);
    // The message object is level 1, fields level 2: MAX_MESSAGE_DEPTH - 2 more levels fit.
    stream.write(`{"type":"log","level":"info","message":"${'[{'.repeat(10_000)}\\"[","fields":{"a":${nested(MAX_MESSAGE_DEPTH - 2)}}}\n`);
    expect(invalid).toEqual([]);
    expect(messages).toHaveLength(1);
  });

  it('refuses a line with more entries than the limit', () => {
    const { stream, invalid } = collect(controlRequestSchema);
    stream.write(`{"id":"big","method":"m","params":{"a":[${'0,'.repeat(MAX_MESSAGE_ENTRIES)}0]}}\n`);
    expect(invalid).toEqual([{ kind: 'invalid', limit: 'entries', id: 'big', problem: `holds more than ${MAX_MESSAGE_ENTRIES} entries` }]);
  });

  it('reads ids with escapes as unknown rather than guessing, and ignores nested ids', () => {
    expect(scanMessageLimits(`{"id":"a\\"b","x":${nested(100)}}`)).toEqual({ ok: false, limit: 'depth' });
    expect(scanMessageLimits(`{"p":{"id":3},"x":${nested(100)}}`)).toEqual({ ok: false, limit: 'depth' });
    expect(scanMessageLimits(`{"x":1,"id":-12,"y":${nested(100)}}`)).toEqual({ ok: false, limit: 'depth', id: -12 });
  });

  it('encodes a value too deep for the stack as a TypeError, never a RangeError', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    expect(() => encodeMessage({ deep })).toThrow(TypeError);
  });
});

describe('oversized lines', () => {
  it('tell the type and id found at their start, whether they arrive whole or in parts', () => {
    const whole = collect(agentToDaemonSchema);
    whole.stream.write(`{"type":"response","id":"t1","ok":true,"result":"${'x'.repeat(2 * 1024 * 1024)}"}\n`);
    const parts = collect(agentToDaemonSchema);
    parts.stream.write(`{"type":"response","id":"t2","ok":true,"result":"`);
    for (let i = 0; i < 3; i += 1) parts.stream.write('y'.repeat(512 * 1024));
    parts.stream.write('"}\n');
    expect(whole.invalid).toEqual([{ kind: 'oversized', bytes: expect.any(Number), messageType: 'response', id: 't1' }]);
    expect(parts.invalid).toEqual([{ kind: 'oversized', bytes: expect.any(Number), messageType: 'response', id: 't2' }]);
  });
});

describe('invalid messages', () => {
  it('tell their id when it could be answered', () => {
    const { stream, invalid } = collect(controlRequestSchema);
    stream.write('{"id":1,"method":7}\n{"id":{"x":1},"method":7}\n{"id":"","method":"m","params":[]}\n{"id":"ok","params":[]}\n');
    expect(invalid.map((line) => (line.kind === 'invalid' ? line.id : 'other'))).toEqual([1, undefined, undefined, 'ok']);
  });
});
