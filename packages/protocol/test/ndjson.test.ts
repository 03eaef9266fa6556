import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { agentToDaemonSchema, encodeMessage, readMessages, type AgentToDaemon, type InvalidLine } from '../src/index.js';

function collect(maxLineBytes?: number) {
  const stream = new PassThrough();
  const messages: AgentToDaemon[] = [];
  const invalid: InvalidLine[] = [];
  readMessages(stream, { schema: agentToDaemonSchema, onMessage: (m) => messages.push(m), onInvalid: (i) => invalid.push(i), ...(maxLineBytes ? { maxLineBytes } : {}) });
  return { stream, messages, invalid };
}

describe('readMessages', () => {
  it('reads messages split across chunks and several per chunk, including multi-byte characters split in two', () => {
    const { stream, messages } = collect();
    const text = encodeMessage({ type: 'log', level: 'info', message: 'héllo ✓' }) + encodeMessage({ type: 'ready', protocolVersion: 1 });
    const bytes = Buffer.from(text);
    const cut = bytes.indexOf(Buffer.from('✓')) + 1; // inside the 3-byte character
    stream.write(bytes.subarray(0, cut));
    stream.write(bytes.subarray(cut));
    expect(messages).toEqual([{ type: 'log', level: 'info', message: 'héllo ✓' }, { type: 'ready', protocolVersion: 1 }]);
  });

  it('reports garbage, unknown types and invalid fields, and keeps reading', () => {
    const { stream, messages, invalid } = collect();
    stream.write('plain text from a library\n{"type":"teleport"}\n{"type":"log","level":"loud","message":"x"}\n');
    stream.write(encodeMessage({ type: 'sidebar_section_removal', id: 'auth' }));
    expect(invalid).toEqual([
      { kind: 'not-json', text: 'plain text from a library' },
      { kind: 'invalid', messageType: 'teleport', problem: expect.stringContaining('type') },
      { kind: 'invalid', messageType: 'log', problem: expect.stringContaining('level') },
    ]);
    expect(messages).toEqual([{ type: 'sidebar_section_removal', id: 'auth' }]);
  });

  it('drops oversized lines without keeping them, then reads on', () => {
    const { stream, messages, invalid } = collect(1000);
    stream.write(`{"type":"log","level":"info","message":"${'x'.repeat(600)}`);
    stream.write(`${'y'.repeat(600)}"}\n`);
    stream.write(`${'z'.repeat(2000)}\n`);
    stream.write(encodeMessage({ type: 'ready', protocolVersion: 1 }));
    expect(invalid.map((i) => i.kind)).toEqual(['oversized', 'oversized']);
    expect(invalid[0]).toMatchObject({ bytes: expect.any(Number) });
    expect(messages).toEqual([{ type: 'ready', protocolVersion: 1 }]);
  });

  it('accepts both response shapes and rejects a response with neither result nor error', () => {
    const { stream, messages, invalid } = collect();
    stream.write(encodeMessage({ type: 'response', id: '1', ok: true, result: { n: 1 } }));
    stream.write(encodeMessage({ type: 'response', id: '2', ok: false, error: { message: 'no' } }));
    stream.write(encodeMessage({ type: 'response', id: '3', ok: false }));
    expect(messages).toHaveLength(2);
    expect(invalid).toHaveLength(1);
  });

  it('reads a last line without a newline at the end of the stream', async () => {
    const { stream, messages } = collect();
    stream.end('{"type":"ready","protocolVersion":1}');
    await new Promise((resolve) => setImmediate(resolve));
    expect(messages).toHaveLength(1);
  });
});

describe('encodeMessage', () => {
  it('writes one line and refuses what JSON cannot carry', () => {
    expect(encodeMessage({ type: 'log', level: 'info', message: 'a\nb' })).toBe('{"type":"log","level":"info","message":"a\\nb"}\n');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeMessage(cyclic)).toThrow(TypeError);
    expect(() => encodeMessage({ n: 1n })).toThrow(TypeError);
  });
});
