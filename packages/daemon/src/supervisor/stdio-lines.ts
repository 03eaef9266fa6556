import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Longest stderr line kept whole; the rest of a longer line is dropped, so a runaway line cannot grow memory. @example `readLines(stderr, onLine, MAX_STDERR_LINE_CHARS)` */
export const MAX_STDERR_LINE_CHARS = 16 * 1024;

/** How many log lines a start failure quotes. @example `new LogTail(LOG_TAIL_LINES)` */
export const LOG_TAIL_LINES = 20;

/**
 * Calls `onLine` for every line of `stream` (without the newline, `\r\n`
 * tolerated). Lines longer than `maxLineChars` are cut and marked, and the
 * remainder up to the next newline is skipped without being buffered.
 * Returns a function that detaches.
 *
 * @example
 * ```ts
 * const detach = readLines(child.stderr, (line) => log('warning', line));
 * ```
 */
export function readLines(stream: Readable, onLine: (line: string) => void, maxLineChars = MAX_STDERR_LINE_CHARS): () => void {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let skipping = false; // true while dropping the rest of an over-long line

  const emit = (line: string) => onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  const onData = (chunk: Buffer | string) => {
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n')) {
      if (skipping) skipping = false;
      else emit(buffer + text.slice(0, newline));
      buffer = '';
      text = text.slice(newline + 1);
    }
    if (skipping) return;
    buffer += text;
    if (buffer.length > maxLineChars) {
      emit(`${buffer.slice(0, maxLineChars)}… (line truncated)`);
      buffer = '';
      skipping = true;
    }
  };
  const onEnd = () => {
    const rest = buffer + decoder.end();
    buffer = '';
    if (!skipping && rest !== '') emit(rest);
  };
  stream.on('data', onData);
  stream.on('end', onEnd);
  return () => {
    stream.off('data', onData);
    stream.off('end', onEnd);
  };
}

/**
 * The last `size` lines seen: a start failure quotes them. Bounded, so a
 * flooding agent costs nothing here.
 *
 * @example
 * ```ts
 * const tail = new LogTail(20);
 * tail.push('[stderr] Error: boom');
 * tail.lines(); // ['[stderr] Error: boom']
 * ```
 */
export class LogTail {
  private readonly entries: string[] = [];

  constructor(private readonly size = LOG_TAIL_LINES) {}

  /** Adds a line, dropping the oldest beyond the size. Control characters are replaced: these lines end up on terminals. */
  push(line: string): void {
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    this.entries.push(line.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '�'));
    if (this.entries.length > this.size) this.entries.shift();
  }

  /** A copy of the lines, oldest first. */
  lines(): string[] {
    return [...this.entries];
  }
}
