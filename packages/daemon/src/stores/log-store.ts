import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogLevel } from '@opperator/protocol';

/** One log line of an agent, as stored (one JSON object per line) and streamed. */
export interface LogEntry {
  time: number;
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown>;
  /** `agent`: through the SDK; `stdout`/`stderr`: printed outside the protocol; `supervisor`/`daemon`: about the agent. */
  source: 'agent' | 'stdout' | 'stderr' | 'supervisor' | 'daemon';
}

/** A log file is rotated when it grows past this. */
export const LOG_ROTATE_BYTES = 5 * 1024 * 1024;

/** Rotated files kept per agent (`<agent>.log.1` .. `.3`). */
export const LOG_KEPT_FILES = 3;

/**
 * An agent's log: appended to `state/logs/<agent>.log` with rotation, and
 * streamed to followers as lines arrive, with no cap on how many.
 */
export class AgentLog {
  readonly path: string;
  readonly #followers = new Set<(entry: LogEntry) => void>();
  #stream: WriteStream | undefined;
  #bytes = -1;
  /** Writes happen one after another, in order. */
  #chain: Promise<void> = Promise.resolve();

  readonly #rotateBytes: number;

  constructor(logsDir: string, agent: string, options: { rotateBytes?: number } = {}) {
    this.path = join(logsDir, `${agent}.log`);
    this.#rotateBytes = options.rotateBytes ?? LOG_ROTATE_BYTES;
  }

  /**
   * Stores and streams one entry. Never throws: logging must not take the
   * daemon down. Fields that cannot be encoded (a cycle, nesting too deep for
   * the stack) are replaced by a note saying so, for followers too.
   */
  append(entry: LogEntry): void {
    let line: string;
    try {
      line = `${JSON.stringify(entry)}\n`;
    } catch (err) {
      const { fields: _fields, ...rest } = entry;
      entry = { ...rest, fields: { unencodable: `the fields could not be encoded (${err instanceof Error ? err.message : String(err)}) and were left out` } };
      line = `${JSON.stringify(entry)}\n`;
    }
    for (const follower of this.#followers) follower(entry);
    this.#chain = this.#chain.then(() => this.#write(line));
  }

  /** Calls `listener` for every new entry until the returned function is called. */
  follow(listener: (entry: LogEntry) => void): () => void {
    this.#followers.add(listener);
    return () => this.#followers.delete(listener);
  }

  /** How many followers are attached (a stream that ended must have left). */
  get followerCount(): number {
    return this.#followers.size;
  }

  /**
   * The last `count` entries, from the current file and, when needed, the
   * rotated ones; with `since` (ms since the epoch), only those at or after
   * it. Read from the newest line back, so an old `since` costs no more than
   * the lines it returns.
   */
  async tail(count: number, options: { since?: number } = {}): Promise<LogEntry[]> {
    await this.#chain;
    const since = options.since ?? -Infinity;
    const newestFirst: LogEntry[] = [];
    const files = [this.path, ...Array.from({ length: LOG_KEPT_FILES }, (_, i) => `${this.path}.${i + 1}`)];
    for (const path of files) {
      if (newestFirst.length >= count) break;
      const lines = (await readFile(path, 'utf8').catch(() => '')).split('\n');
      for (let index = lines.length - 1; index >= 0 && newestFirst.length < count; index -= 1) {
        const entry = parseEntry(lines[index]!);
        if (!entry) continue;
        // Lines are appended as they happen: the first one before `since` ends the search.
        if (entry.time < since) return newestFirst.reverse();
        newestFirst.push(entry);
      }
    }
    return newestFirst.reverse();
  }

  async close(): Promise<void> {
    await this.#chain;
    const stream = this.#stream;
    this.#stream = undefined;
    if (stream) await new Promise<void>((resolve) => stream.end(resolve));
  }

  async #write(line: string): Promise<void> {
    try {
      if (this.#bytes < 0) {
        await mkdir(join(this.path, '..'), { recursive: true, mode: 0o700 });
        this.#bytes = await stat(this.path).then((s) => s.size, () => 0);
      }
      const stream = (this.#stream ??= createWriteStream(this.path, { flags: 'a', mode: 0o600 }));
      // Wait for the write so tail() (which waits for the chain) reads what was appended.
      await new Promise<void>((resolve, reject) => stream.write(line, (err) => (err ? reject(err) : resolve())));
      this.#bytes += Buffer.byteLength(line);
      if (this.#bytes > this.#rotateBytes) await this.#rotate();
    } catch {
      // The disk is full or the directory vanished: the entry still reached
      // followers; the next append tries the file again.
      this.#bytes = -1;
    }
  }

  async #rotate(): Promise<void> {
    const stream = this.#stream;
    this.#stream = undefined;
    if (stream) await new Promise<void>((resolve) => stream.end(resolve));
    await rm(`${this.path}.${LOG_KEPT_FILES}`, { force: true });
    for (let index = LOG_KEPT_FILES - 1; index >= 1; index -= 1) {
      await rename(`${this.path}.${index}`, `${this.path}.${index + 1}`).catch(() => undefined);
    }
    await rename(this.path, `${this.path}.1`).catch(() => undefined);
    this.#bytes = 0;
  }
}

/** One stored line as an entry; undefined for an empty line or one cut by a crash mid-write. */
function parseEntry(line: string): LogEntry | undefined {
  if (line === '') return undefined;
  try {
    const entry = JSON.parse(line) as LogEntry;
    return typeof entry?.time === 'number' ? entry : undefined;
  } catch {
    return undefined; // a line cut by a crash mid-write
  }
}
