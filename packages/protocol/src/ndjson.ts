import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { z } from 'zod';
import { MAX_LINE_BYTES } from './agent-messages.js';
import { describeHead, MAX_MESSAGE_DEPTH, MAX_MESSAGE_ENTRIES, scanMessageLimits, type MessageLimit } from './limits.js';

/** A line that did not become a message. */
export type InvalidLine =
  /** Not JSON at all: often a library printing to stdout. `text` is the line (trimmed to 500 characters). */
  | { kind: 'not-json'; text: string }
  /**
   * JSON, but not a message of the protocol (unknown `type`, missing fields),
   * or a line past a limit of limits.ts (`limit` says which; it was not
   * parsed). Values are not echoed; `id` is the top-level `id`/`requestId`
   * when one could be read, so the reader can answer or fail that request.
   */
  | { kind: 'invalid'; messageType?: string; problem: string; limit?: MessageLimit; id?: string | number }
  /**
   * Longer than the limit; dropped without being read into memory whole.
   * `messageType` and `id` are the top-level ones met in its first 4,096
   * characters, so the reader can fail the request or command it carried.
   */
  | { kind: 'oversized'; bytes: number; messageType?: string; id?: string | number };

/** Options of {@link readMessages}. */
export interface ReadMessagesOptions<T> {
  schema: z.ZodType<T>;
  onMessage: (message: T) => void;
  onInvalid: (line: InvalidLine) => void;
  maxLineBytes?: number;
  /** Deepest nesting accepted (default {@link MAX_MESSAGE_DEPTH}). */
  maxDepth?: number;
  /** Most entries accepted (default {@link MAX_MESSAGE_ENTRIES}). */
  maxEntries?: number;
}

/**
 * Reads newline-delimited JSON from `stream`, validating every line against
 * `schema`. A bad line never stops the reader: it is reported through
 * `onInvalid` and the next line is read. Returns a function that detaches.
 *
 * @example
 * ```ts
 * readMessages(child.stdout, { schema: agentToDaemonSchema, onMessage: handle, onInvalid: (bad) => log.warn(bad) });
 * ```
 */
export function readMessages<T>(stream: Readable, options: ReadMessagesOptions<T>): () => void {
  const max = options.maxLineBytes ?? MAX_LINE_BYTES;
  const maxDepth = options.maxDepth ?? MAX_MESSAGE_DEPTH;
  const maxEntries = options.maxEntries ?? MAX_MESSAGE_ENTRIES;
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let skippedBytes = 0; // > 0 while skipping the rest of an oversized line
  let skippedHead: ReturnType<typeof describeHead> = {}; // what the start of the skipped line told

  const handleLine = (line: string) => {
    if (line.trim() === '') return;
    const scan = scanMessageLimits(line, { maxDepth, maxEntries });
    if (!scan.ok) {
      const { ok: _ok, limit, ...found } = scan;
      const problem = limit === 'depth' ? `nests deeper than ${maxDepth} levels` : `holds more than ${maxEntries} entries`;
      options.onInvalid({ kind: 'invalid', problem, limit, ...found });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      options.onInvalid({ kind: 'not-json', text: line.length > 500 ? `${line.slice(0, 500)}...` : line });
      return;
    }
    const parsed = options.schema.safeParse(json);
    if (parsed.success) {
      options.onMessage(parsed.data);
      return;
    }
    const messageType = json && typeof json === 'object' && 'type' in json && typeof json.type === 'string' ? json.type.slice(0, 64) : undefined;
    const id = idOf(json);
    const problem = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`).slice(0, 3).join('; ');
    options.onInvalid({ kind: 'invalid', problem, ...(messageType === undefined ? {} : { messageType }), ...(id === undefined ? {} : { id }) });
  };

  const onData = (chunk: Buffer | string) => {
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    while (text.length > 0) {
      const newline = text.indexOf('\n');
      if (skippedBytes > 0) {
        if (newline === -1) {
          skippedBytes += Buffer.byteLength(text);
          return;
        }
        options.onInvalid({ kind: 'oversized', bytes: skippedBytes + Buffer.byteLength(text.slice(0, newline)), ...skippedHead });
        skippedBytes = 0;
        skippedHead = {};
        text = text.slice(newline + 1);
        continue;
      }
      if (newline === -1) {
        buffer += text;
        if (Buffer.byteLength(buffer) > max) {
          skippedBytes = Buffer.byteLength(buffer);
          skippedHead = describeHead(buffer);
          buffer = '';
        }
        return;
      }
      const line = buffer + text.slice(0, newline);
      buffer = '';
      text = text.slice(newline + 1);
      if (Buffer.byteLength(line) > max) options.onInvalid({ kind: 'oversized', bytes: Buffer.byteLength(line), ...describeHead(line) });
      else handleLine(line);
    }
  };
  const onEnd = () => {
    const rest = buffer + decoder.end();
    buffer = '';
    if (skippedBytes > 0) options.onInvalid({ kind: 'oversized', bytes: skippedBytes + Buffer.byteLength(rest), ...skippedHead });
    else if (rest.trim() !== '') handleLine(rest);
  };
  stream.on('data', onData);
  stream.on('end', onEnd);
  return () => {
    stream.off('data', onData);
    stream.off('end', onEnd);
  };
}

/** The top-level `id` (or `requestId`) of an invalid message, when it is one that could be answered. */
function idOf(json: unknown): string | number | undefined {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const record = json as Record<string, unknown>;
  const id = 'id' in record ? record.id : record.requestId;
  if (typeof id === 'string' && id.length >= 1 && id.length <= 128) return id;
  return Number.isSafeInteger(id) ? (id as number) : undefined;
}

/**
 * One message as one line. Throws `TypeError` for values JSON cannot carry
 * (cycles, BigInt, nesting too deep for the stack), so callers can turn that
 * into a failed command.
 *
 * @example
 * ```ts
 * socket.write(encodeMessage({ type: 'response', id: 1, ok: true, result: null }));
 * ```
 */
export function encodeMessage(message: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(message);
  } catch (err) {
    // A stack overflow is a RangeError: the value nests too deep, which is the value's fault like a cycle.
    if (err instanceof RangeError) throw new TypeError('message nests too deep to be encoded', { cause: err });
    throw err;
  }
  if (text === undefined) throw new TypeError('message is not JSON-serialisable');
  return `${text}\n`;
}
