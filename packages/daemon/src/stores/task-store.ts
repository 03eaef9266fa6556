import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Progress } from '@opperator/protocol';
import { JsonStateFile } from './json-state-file.js';
import { encodedBytes, MAX_TASK_TEXT_LENGTH, MAX_TASK_VALUE_BYTES, TASK_WRITE_INTERVAL_MS } from './store-limits.js';

export { MAX_TASK_VALUE_BYTES, TASK_WRITE_INTERVAL_MS } from './store-limits.js';

/** Where a task stands. Only `running` tasks can change. */
export type TaskState = 'running' | 'succeeded' | 'failed' | 'cancelled';

/** An async command run, as `opperator task` shows it. */
export interface TaskRecord {
  id: string;
  agent: string;
  command: string;
  args: Record<string, unknown>;
  progressLabel?: string;
  state: TaskState;
  /** Latest progress, every field the agent reported (text, numeric progress, status). */
  progress: Progress;
  result?: unknown;
  error?: { message: string; code?: string };
  /**
   * Encoded sizes (bytes) of the arguments or result left out of this record
   * for being over {@link MAX_TASK_VALUE_BYTES} (or not encodable: -1); then
   * `args` is `{}` and `result` absent.
   */
  omitted?: { args?: number; result?: number };
  createdAt: number;
  updatedAt: number;
}

/** Keep at most this many finished tasks; the oldest are dropped first. */
export const MAX_FINISHED_TASKS = 500;

/** Options of {@link TaskStore}. */
export interface TaskStoreOptions {
  /** Told when tasks.json cannot be written (the records stay in memory; the next change tries again). Default: stderr. */
  onSaveError?: (err: unknown) => void;
  /** Least time between two writes of tasks.json (default {@link TASK_WRITE_INTERVAL_MS}). */
  writeIntervalMs?: number;
}

/**
 * Tasks persisted in `state/tasks.json`. A task is never re-run: when its
 * agent exits, or the daemon restarts, a running task is marked failed with
 * the reason.
 *
 * Records are bounded (large arguments and results are left out, texts cut),
 * served from memory, and written at most every {@link TASK_WRITE_INTERVAL_MS}:
 * a change never waits for the disk, and a burst of progress messages costs
 * one write. {@link flush} writes what is pending (the daemon's stop).
 */
export class TaskStore {
  readonly #file: JsonStateFile<TaskRecord[]>;
  readonly #changes = new EventEmitter<{ task: [TaskRecord] }>();
  readonly #onSaveError: (err: unknown) => void;
  #tasks = new Map<string, TaskRecord>();

  constructor(stateDir: string, options: TaskStoreOptions = {}) {
    this.#file = new JsonStateFile(join(stateDir, 'tasks.json'), { minIntervalMs: options.writeIntervalMs ?? TASK_WRITE_INTERVAL_MS });
    this.#onSaveError = options.onSaveError ?? ((err) => process.stderr.write(`opperator daemon: cannot write tasks.json: ${err instanceof Error ? err.message : String(err)}\n`));
  }

  /** Writes pending changes now; resolves when they are on disk. */
  async flush(): Promise<void> {
    await this.#file.flush();
  }

  /** Loads the tasks of the previous daemon run, failing those it left running. */
  async load(now = Date.now()): Promise<void> {
    // Bounded as new records are: a file written before the bounds (or by hand) must not poison every later write.
    const stored = (await this.#file.read([])).map(boundStored);
    this.#tasks = new Map(stored.map((task) => [task.id, task.state === 'running' ? { ...task, state: 'failed' as const, error: { message: 'daemon restarted while the task was running; it was not re-run', code: 'DAEMON_RESTARTED' }, updatedAt: now } : task]));
    this.#save();
    await this.#file.flush();
  }

  async create(agent: string, command: string, args: Record<string, unknown>, progressLabel: string | undefined, now = Date.now()): Promise<TaskRecord> {
    const argsBytes = encodedBytes(args) ?? -1;
    const kept = argsBytes >= 0 && argsBytes <= MAX_TASK_VALUE_BYTES;
    const task: TaskRecord = { id: randomUUID(), agent, command, args: kept ? args : {}, state: 'running', progress: {}, createdAt: now, updatedAt: now, ...(progressLabel ? { progressLabel: cut(progressLabel) } : {}), ...(kept ? {} : { omitted: { args: argsBytes } }) };
    this.#tasks.set(task.id, task);
    this.#changes.emit('task', task);
    this.#save();
    return task;
  }

  /** Calls `listener` with every created or changed task. Returns the unsubscribe function. */
  onChange(listener: (task: TaskRecord) => void): () => void {
    this.#changes.on('task', listener);
    return () => this.#changes.off('task', listener);
  }

  get(id: string): TaskRecord | undefined {
    return this.#tasks.get(id);
  }

  list(filter: { agent?: string } = {}): TaskRecord[] {
    return [...this.#tasks.values()].filter((task) => !filter.agent || task.agent === filter.agent).sort((a, b) => b.createdAt - a.createdAt);
  }

  async progress(id: string, progress: Progress, now = Date.now()): Promise<TaskRecord | undefined> {
    return this.#update(id, (task) => ({ ...task, progress: boundProgress({ ...task.progress, ...progress }), updatedAt: now }));
  }

  async finish(id: string, outcome: { state: Exclude<TaskState, 'running'>; result?: unknown; error?: { message: string; code?: string } }, now = Date.now()): Promise<TaskRecord | undefined> {
    const { result, error, state } = outcome;
    const resultBytes = result === undefined ? 0 : (encodedBytes(result) ?? -1);
    const keepResult = resultBytes >= 0 && resultBytes <= MAX_TASK_VALUE_BYTES;
    return this.#update(id, (task) => ({
      ...task,
      state,
      ...(result !== undefined && keepResult ? { result } : {}),
      ...(error ? { error: { message: cut(error.message), ...(error.code === undefined ? {} : { code: cut(error.code) }) } } : {}),
      ...(keepResult ? {} : { omitted: { ...task.omitted, result: resultBytes } }),
      updatedAt: now,
    }));
  }

  /** Fails every running task of `agent` (it exited): they are not re-run. */
  async failRunning(agent: string, message: string, now = Date.now()): Promise<TaskRecord[]> {
    const failed: TaskRecord[] = [];
    for (const task of this.#tasks.values()) {
      if (task.agent === agent && task.state === 'running') {
        const next = { ...task, state: 'failed' as const, error: { message, code: 'AGENT_EXITED' }, updatedAt: now };
        this.#tasks.set(task.id, next);
        this.#changes.emit('task', next);
        failed.push(next);
      }
    }
    if (failed.length > 0) this.#save();
    return failed;
  }

  async #update(id: string, change: (task: TaskRecord) => TaskRecord): Promise<TaskRecord | undefined> {
    const task = this.#tasks.get(id);
    if (!task || task.state !== 'running') return undefined;
    const next = change(task);
    this.#tasks.set(id, next);
    this.#changes.emit('task', next);
    this.#save();
    return next;
  }

  /** Queues a write of every record (coalesced with the writes pending); a failure is reported, never thrown. */
  #save(): void {
    const finished = [...this.#tasks.values()].filter((task) => task.state !== 'running').sort((a, b) => a.updatedAt - b.updatedAt);
    for (const old of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED_TASKS))) this.#tasks.delete(old.id);
    this.#file.write([...this.#tasks.values()]).catch((err: unknown) => this.#onSaveError(err));
  }
}

function cut(text: string): string {
  return text.length > MAX_TASK_TEXT_LENGTH ? `${text.slice(0, MAX_TASK_TEXT_LENGTH)}…` : text;
}

/** A stored record with its arguments and result left out when over the bound or not encodable. */
function boundStored(task: TaskRecord): TaskRecord {
  const argsBytes = encodedBytes(task.args) ?? -1;
  const resultBytes = task.result === undefined ? 0 : (encodedBytes(task.result) ?? -1);
  const keepArgs = argsBytes >= 0 && argsBytes <= MAX_TASK_VALUE_BYTES;
  const keepResult = resultBytes >= 0 && resultBytes <= MAX_TASK_VALUE_BYTES;
  if (keepArgs && keepResult) return task;
  const { result, ...rest } = task;
  return { ...rest, args: keepArgs ? task.args : {}, ...(keepResult && result !== undefined ? { result } : {}), omitted: { ...task.omitted, ...(keepArgs ? {} : { args: argsBytes }), ...(keepResult ? {} : { result: resultBytes }) } };
}

/** Progress with its texts cut to {@link MAX_TASK_TEXT_LENGTH}. */
function boundProgress(progress: Progress): Progress {
  const bounded: Progress = { ...progress };
  if (bounded.text !== undefined) bounded.text = cut(bounded.text);
  if (bounded.status !== undefined) bounded.status = cut(bounded.status);
  return bounded;
}
