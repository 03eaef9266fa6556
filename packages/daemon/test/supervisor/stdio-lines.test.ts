import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LogTail, readLines } from '../../src/supervisor/index.js';

describe('readLines', () => {
  it('splits lines across chunks, drops \\r, and reads a last line without newline', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    readLines(stream, (line) => lines.push(line));
    stream.write('first\r\nsec');
    stream.write('ond\nthi');
    stream.end('rd');
    await once(stream, 'end');
    expect(lines).toEqual(['first', 'second', 'third']);
  });

  it('cuts an over-long line once and skips its rest without buffering it', () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    readLines(stream, (line) => lines.push(line), 10);
    stream.write('a'.repeat(25));
    stream.write('a'.repeat(25));
    stream.write('\nnext\n');
    expect(lines).toEqual([`${'a'.repeat(10)}… (line truncated)`, 'next']);
  });
});

describe('LogTail', () => {
  it('keeps the last lines only, with control characters made harmless', () => {
    const tail = new LogTail(2);
    for (const line of ['one', 'two', '\u001b[31mthree']) tail.push(line);
    expect(tail.lines()).toEqual(['two', '�[31mthree']);
  });
});
