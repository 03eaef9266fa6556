import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Progress } from '@opperator/protocol';
import { JsonStateFile } from './json-state-file.js';

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
  createdAt: number;
  updatedAt: number;
}

/** Keep at most this many finished tasks; the oldest are dropped first. */
export const MAX_FINISHED_TASKS = 500;

/**
 * Tasks persisted in `state/tasks.json`. A task is never re-run: when its
 * agent exits, or the daemon restarts, a running task is marked failed with
 * the reason.
 */
export class TaskStore {
  readonly #file: JsonStateFile<TaskRecord[]>;
  readonly #changes = new EventEmitter<{ task: [TaskRecord] }>();
  #tasks = new Map<string, TaskRecord>();

  constructor(stateDir: string) {
    this.#file = new JsonStateFile(join(stateDir, 'tasks.json'));
  }

  /** Loads the tasks of the previous daemon run, failing those it left running. */
  async load(now = Date.now()): Promise<void> {
    const stored = await this.#file.read([]);
    this.#tasks = new Map(stored.map((task) => [task.id, task.state === 'running' ? { ...task, state: 'failed' as const, error: { message: 'daemon restarted while the task was running; it was not re-run', code: 'DAEMON_RESTARTED' }, updatedAt: now } : task]));
    await this.#save();
  }

  async create(agent: string, command: string, args: Record<string, unknown>, progressLabel: string | undefined, now = Date.now()): Promise<TaskRecord> {
    const task: TaskRecord = { id: randomUUID(), agent, command, args, state: 'running', progress: {}, createdAt: now, updatedAt: now, ...(progressLabel ? { progressLabel } : {}) };
    this.#tasks.set(task.id, task);
    this.#changes.emit('task', task);
    await this.#save();
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
    return this.#update(id, (task) => ({ ...task, progress: { ...task.progress, ...progress }, updatedAt: now }));
  }

  async finish(id: string, outcome: { state: Exclude<TaskState, 'running'>; result?: unknown; error?: { message: string; code?: string } }, now = Date.now()): Promise<TaskRecord | undefined> {
    return this.#update(id, (task) => ({ ...task, ...outcome, updatedAt: now }));
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
    if (failed.length > 0) await this.#save();
    return failed;
  }

  async #update(id: string, change: (task: TaskRecord) => TaskRecord): Promise<TaskRecord | undefined> {
    const task = this.#tasks.get(id);
    if (!task || task.state !== 'running') return undefined;
    const next = change(task);
    this.#tasks.set(id, next);
    this.#changes.emit('task', next);
    await this.#save();
    return next;
  }

  #save(): Promise<void> {
    const finished = [...this.#tasks.values()].filter((task) => task.state !== 'running').sort((a, b) => a.updatedAt - b.updatedAt);
    for (const old of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED_TASKS))) this.#tasks.delete(old.id);
    return this.#file.write([...this.#tasks.values()]);
  }
}
