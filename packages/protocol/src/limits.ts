/**
 * Limits on what one wire message may hold, checked on the raw line before
 * it is parsed, on the control socket and on the agent pipes alike. Values
 * past them would cost the reader memory or a stack (`JSON.stringify` and
 * schema checks recurse), so a line that breaks one is refused whole.
 */

/** Deepest nesting of arrays and objects in one message (the message object itself is level 1). */
export const MAX_MESSAGE_DEPTH = 64;

/** Most array elements plus object members in one message, counted over every level. */
export const MAX_MESSAGE_ENTRIES = 100_000;

/** Which limit a line broke. */
export type MessageLimit = 'depth' | 'entries';

/** The outcome of {@link scanMessageLimits}. */
export type LimitScan =
  /** Within the limits; `messageType` and `id` as below, when met. */
  | { ok: true; messageType?: string; id?: string | number }
  | {
      ok: false;
      limit: MessageLimit;
      /** The top-level `type`, when it is a string met before the limit was broken (at most 64 characters). */
      messageType?: string;
      /** The top-level `id` (or `requestId`), when a string or number met before the limit was broken: whom to answer. */
      id?: string | number;
    };

/** Options of {@link scanMessageLimits}. */
export interface LimitOptions {
  maxDepth?: number;
  maxEntries?: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const ID_KEYS = new Set(['id', 'requestId']);

/**
 * Checks one raw line against the nesting and entry limits without parsing
 * it: one pass over the characters, strings skipped. Not a JSON validator:
 * a line it passes may still fail `JSON.parse`. When a limit is broken, it
 * also tells the top-level `type` and `id` it met on the way, so the reader
 * can answer the request or fail the command that line was meant to end.
 *
 * @example
 * ```ts
 * const scan = scanMessageLimits('{"id":1,"params":[[[[...]]]]}');
 * if (!scan.ok) reply(scan.id, `the request breaks the ${scan.limit} limit`);
 * ```
 */
export function scanMessageLimits(line: string, options: LimitOptions = {}): LimitScan {
  const maxDepth = options.maxDepth ?? MAX_MESSAGE_DEPTH;
  const maxEntries = options.maxEntries ?? MAX_MESSAGE_ENTRIES;
  let depth = 0;
  let entries = 0;
  let key: string | undefined; // the last top-level key, while its value is read
  let expectKey = false; // at depth 1 inside an object, before a key
  const found: { messageType?: string; id?: string | number } = {};
  const broken = (limit: MessageLimit): LimitScan => ({ ok: false, limit, ...found });
  const length = line.length;
  for (let i = 0; i < length; i += 1) {
    const code = line.charCodeAt(i);
    if (code === QUOTE) {
      const start = i + 1;
      let escaped = false;
      for (i = start; i < length; i += 1) {
        const c = line.charCodeAt(i);
        if (c === BACKSLASH) {
          escaped = true;
          i += 1; // the escaped character, which may be a quote
        } else if (c === QUOTE) break;
      }
      if (depth === 1) {
        // Escapes are rare in these keys and values; a string holding one is left out rather than decoded.
        const text = escaped ? undefined : line.slice(start, i);
        if (expectKey) {
          key = text;
          expectKey = false;
        } else if (text !== undefined && key !== undefined) {
          if (key === 'type') found.messageType = text.slice(0, 64);
          else if (ID_KEYS.has(key) && text.length <= 128) found.id = text;
        }
      }
      continue;
    }
    if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth += 1;
      entries += 1;
      if (depth > maxDepth) return broken('depth');
      if (entries > maxEntries) return broken('entries');
      if (depth === 1) expectKey = code === OPEN_BRACE;
      continue;
    }
    if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth -= 1;
      continue;
    }
    if (code === COMMA) {
      entries += 1;
      if (entries > maxEntries) return broken('entries');
      if (depth === 1) {
        expectKey = true;
        key = undefined;
      }
      continue;
    }
    if (depth === 1 && code !== COLON && key !== undefined && ID_KEYS.has(key) && found.id === undefined && isNumberStart(code)) {
      let end = i;
      while (end < length && isNumberPart(line.charCodeAt(end))) end += 1;
      const value = Number(line.slice(i, end));
      if (Number.isSafeInteger(value)) found.id = value;
      i = end - 1;
    }
  }
  return { ok: true, ...found };
}

/** Characters of an oversized line kept to tell its type and id (see {@link scanMessageLimits}). */
export const OVERSIZED_HEAD_CHARS = 4096;

/**
 * The top-level `type` and `id` met in the first {@link OVERSIZED_HEAD_CHARS}
 * characters of a line too long to read whole: whom to tell it was refused.
 *
 * @example
 * ```ts
 * describeHead('{"type":"response","id":"t1","result":"xxxx…'); // { messageType: 'response', id: 't1' }
 * ```
 */
export function describeHead(head: string): { messageType?: string; id?: string | number } {
  const scan = scanMessageLimits(head.slice(0, OVERSIZED_HEAD_CHARS));
  return { ...(scan.messageType === undefined ? {} : { messageType: scan.messageType }), ...(scan.id === undefined ? {} : { id: scan.id }) };
}

function isNumberStart(code: number): boolean {
  return code === 0x2d || (code >= 0x30 && code <= 0x39);
}

function isNumberPart(code: number): boolean {
  return isNumberStart(code) || code === 0x2e || code === 0x2b || code === 0x65 || code === 0x45;
}
