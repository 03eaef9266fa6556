/**
 * Bounds on what the daemon keeps for an agent, so no agent (or client) can
 * grow the daemon's memory or its state files without end. Each is checked
 * where a value enters a store.
 */

/** Most sidebar sections one agent keeps; updates of existing ones still go through past it. */
export const MAX_SECTIONS_PER_AGENT = 200;

/** Largest section (title and content, UTF-8 bytes) the daemon keeps. */
export const MAX_SECTION_BYTES = 64 * 1024;

/**
 * Largest task argument object or result (encoded JSON bytes) kept in a task
 * record; a larger one is left out of the record (its size is kept in
 * `omitted`). The invoking client still gets the whole result.
 */
export const MAX_TASK_VALUE_BYTES = 16 * 1024;

/** Longest progress or error text kept in a task record, in characters. */
export const MAX_TASK_TEXT_LENGTH = 4 * 1024;

/**
 * Writes of tasks.json are at least this far apart: progress messages and
 * task changes in between only replace the pending document. The daemon
 * flushes on stop; a crash loses at most this much of the record.
 */
export const TASK_WRITE_INTERVAL_MS = 250;

/** Stable codes of {@link StoreLimitError}. */
export type StoreLimitCode = 'DAEMON_SECTION_LIMIT';

/**
 * A value refused by a store because it is past one of its bounds; the
 * agent that sent it is told (in its log), everyone else is unaffected.
 *
 * @example
 * ```ts
 * throw new StoreLimitError('DAEMON_SECTION_LIMIT', `section "x" is 90000 bytes; the limit is ${MAX_SECTION_BYTES}`);
 * ```
 */
export class StoreLimitError extends Error {
  readonly code: StoreLimitCode;

  constructor(code: StoreLimitCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreLimitError';
    this.code = code;
  }
}

/**
 * The encoded size of a JSON value in bytes, or `undefined` when it cannot
 * be encoded (too deep, a cycle): such a value is never stored either.
 *
 * @example
 * ```ts
 * encodedBytes({ a: 1 }); // 7
 * ```
 */
export function encodedBytes(value: unknown): number | undefined {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : Buffer.byteLength(text);
  } catch {
    return undefined;
  }
}
