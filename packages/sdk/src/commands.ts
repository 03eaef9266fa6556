import { AsyncLocalStorage } from 'node:async_hooks';
import { MAX_LINE_BYTES, encodeMessage, type AgentToDaemon, type InvokingClient, type LogLevel, type WireError } from '@opperator/protocol';
import { progressSchema, validateArguments, type Progress } from '@opperator/protocol';
import { messageOf } from './errors.js';
import type { RegisteredCommand } from './internal.js';
import type { CommandArgs, CommandContext, ProgressUpdate } from './types.js';

/**
 * Error codes of failed command responses (a handler's own `code`, on a thrown
 * error or a `{ status: 'error', code }` result, is passed through instead).
 *
 * @example
 * ```ts
 * if (!response.ok && response.error.code === COMMAND_ERROR_CODES.cancelled) console.log('cancelled');
 * ```
 */
export const COMMAND_ERROR_CODES = {
  unknown: 'UNKNOWN_COMMAND',
  invalidArguments: 'INVALID_ARGUMENTS',
  failed: 'COMMAND_FAILED',
  cancelled: 'CANCELLED',
  notSerialisable: 'RESULT_NOT_SERIALISABLE',
  tooLarge: 'RESULT_TOO_LARGE',
  stopping: 'AGENT_STOPPING',
} as const;

/** One invocation in flight. */
interface Invocation {
  id: string;
  name: string;
  controller: AbortController;
  /** Set once its response is sent; late progress and results are dropped. */
  done: boolean;
}

/**
 * What the {@link CommandRunner} needs from the runtime.
 *
 * @example
 * ```ts
 * const deps: CommandRunnerDependencies = { lookup: (name) => commands.get(name), send, log };
 * ```
 */
export interface CommandRunnerDependencies {
  lookup: (name: string) => RegisteredCommand | undefined;
  send: (message: AgentToDaemon) => void;
  log: (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;
}

/**
 * Runs commands: validates args, calls handlers off the message loop, keeps
 * each invocation in an AsyncLocalStorage so `this.reportProgress()` finds it
 * from any depth, and turns every outcome into exactly one `response`.
 *
 * @example
 * ```ts
 * const runner = new CommandRunner({ lookup: (n) => commands.get(n), send, log });
 * runner.start({ id: 't1', name: 'check_now', args: {} });
 * ```
 */
export class CommandRunner {
  readonly #deps: CommandRunnerDependencies;
  readonly #running = new Map<string, Invocation>();
  readonly #storage = new AsyncLocalStorage<Invocation>();
  readonly #settled = new Set<Promise<void>>();

  constructor(deps: CommandRunnerDependencies) {
    this.#deps = deps;
  }

  /** Starts an invocation; returns at once (the handler runs on a later tick). */
  start(command: { id: string; name: string; args: CommandArgs; client?: InvokingClient | undefined }): void {
    const { id, name, args } = command;
    if (this.#running.has(id)) {
      this.#deps.log('warning', `ignored a second command with the running id ${JSON.stringify(id)}`);
      return;
    }
    const registered = this.#deps.lookup(name);
    if (!registered) {
      this.#respondError(id, { code: COMMAND_ERROR_CODES.unknown, message: `unknown command ${JSON.stringify(name)}` });
      return;
    }
    const problems = validateArguments(registered.descriptor.arguments, args);
    if (problems.length > 0) {
      this.#respondError(id, { code: COMMAND_ERROR_CODES.invalidArguments, message: `invalid arguments for ${JSON.stringify(name)}: ${problems.join('; ')}` });
      return;
    }
    const invocation: Invocation = { id, name, controller: new AbortController(), done: false };
    this.#running.set(id, invocation);
    const context: CommandContext = {
      id,
      name,
      signal: invocation.controller.signal,
      reportProgress: (update) => this.#progress(invocation, update),
      ...(command.client ? { client: command.client } : {}),
    };
    // The handler starts inside the invocation's store, so every await, timer
    // and callback it creates carries the store along.
    const settled = this.#storage.run(invocation, async () => {
      await Promise.resolve(); // never run a handler synchronously inside the message loop
      try {
        this.#finish(invocation, await registered.handler(args, context));
      } catch (err) {
        this.#fail(invocation, err);
      }
    });
    this.#settled.add(settled);
    void settled.finally(() => this.#settled.delete(settled));
  }

  /** Reports progress against the invocation of the caller's async context; false outside one. */
  reportProgress(update: ProgressUpdate): boolean {
    const invocation = this.#storage.getStore();
    if (!invocation) return false;
    this.#progress(invocation, update);
    return true;
  }

  /** Runs `fn` with no invocation in its async context. */
  runDetached<T>(fn: () => T): T {
    return this.#storage.exit(fn);
  }

  /** Cancels one invocation: its signal aborts and it fails with code CANCELLED now. */
  cancel(id: string, message = 'was cancelled'): boolean {
    const invocation = this.#running.get(id);
    if (!invocation) return false;
    invocation.controller.abort(new DOMException(message, 'AbortError'));
    this.#respondError(id, { code: COMMAND_ERROR_CODES.cancelled, message: `command ${JSON.stringify(invocation.name)} ${message}` }, invocation);
    return true;
  }

  /**
   * Aborts every running invocation's signal without answering yet: a handler
   * that finishes in the stop window still delivers its real result, and one
   * that gives up because of the signal answers CANCELLED.
   */
  abortAll(message: string): void {
    for (const invocation of this.#running.values()) invocation.controller.abort(new DOMException(message, 'AbortError'));
  }

  /** Cancels everything still running: each answers CANCELLED now. */
  cancelAll(message: string): void {
    for (const id of [...this.#running.keys()]) this.cancel(id, message);
  }

  /** Handlers still running (cancelled or not), to wait for while stopping. */
  inFlight(): Promise<void>[] {
    return [...this.#settled];
  }

  #progress(invocation: Invocation, update: ProgressUpdate): void {
    if (invocation.done) {
      this.#deps.log('debug', `progress for the finished command ${JSON.stringify(invocation.id)} ignored`);
      return;
    }
    const progress = typeof update === 'string' ? { text: update } : update;
    const fraction = typeof progress.progress === 'number' && Number.isFinite(progress.progress) ? Math.min(1, Math.max(0, progress.progress)) : undefined;
    this.#deps.send({
      type: 'command_progress',
      id: invocation.id,
      ...(typeof progress.text === 'string' ? { text: progress.text } : {}),
      ...(fraction === undefined ? {} : { progress: fraction }),
      ...(typeof progress.status === 'string' ? { status: progress.status } : {}),
      ...(typeof progress.openUrl === 'string' && /^https?:\/\//i.test(progress.openUrl) ? { openUrl: progress.openUrl } : {}),
      ...pasteBackOf(progress),
    });
  }

  #finish(invocation: Invocation, result: unknown): void {
    if (invocation.done) {
      this.#deps.log('debug', `result of the cancelled command ${JSON.stringify(invocation.id)} dropped`);
      return;
    }
    if (isErrorResult(result)) {
      const message = typeof result.message === 'string' ? result.message : typeof result.error === 'string' ? result.error : `command ${JSON.stringify(invocation.name)} failed`;
      this.#respondError(invocation.id, { code: typeof result.code === 'string' ? result.code : COMMAND_ERROR_CODES.failed, message }, invocation);
      return;
    }
    const response: AgentToDaemon = { type: 'response', id: invocation.id, ok: true, result: result === undefined ? null : result };
    let line: string;
    try {
      line = encodeMessage(response);
    } catch (err) {
      // Cycles and BigInt make JSON.stringify throw: a failed command, not a crashed agent.
      const message = `command ${JSON.stringify(invocation.name)} returned a value JSON cannot carry: ${messageOf(err)}`;
      this.#respondError(invocation.id, { code: COMMAND_ERROR_CODES.notSerialisable, message }, invocation);
      return;
    }
    if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
      const message = `command ${JSON.stringify(invocation.name)} returned ${Buffer.byteLength(line)} bytes; the limit is ${MAX_LINE_BYTES}`;
      this.#respondError(invocation.id, { code: COMMAND_ERROR_CODES.tooLarge, message }, invocation);
      return;
    }
    invocation.done = true;
    this.#running.delete(invocation.id);
    this.#deps.send(response);
  }

  #fail(invocation: Invocation, err: unknown): void {
    // The stack stays in the agent's log; only the message crosses to the caller.
    if (err instanceof Error && err.stack) this.#deps.log('debug', `command ${JSON.stringify(invocation.name)} threw`, { id: invocation.id, stack: err.stack });
    if (invocation.done) return;
    const signal = invocation.controller.signal;
    if (signal.aborted && (err === signal.reason || (err instanceof Error && err.name === 'AbortError'))) {
      // The handler gave up because we aborted it: that is a cancellation, not a failure of its own.
      this.#respondError(invocation.id, { code: COMMAND_ERROR_CODES.cancelled, message: `command ${JSON.stringify(invocation.name)} was cancelled: ${messageOf(signal.reason)}` }, invocation);
      return;
    }
    const code = err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' ? err.code : COMMAND_ERROR_CODES.failed;
    this.#respondError(invocation.id, { code, message: messageOf(err) }, invocation);
  }

  #respondError(id: string, error: WireError, invocation?: Invocation): void {
    if (invocation) {
      invocation.done = true;
      this.#running.delete(id);
    }
    this.#deps.send({ type: 'response', id, ok: false, error });
  }
}

function isErrorResult(result: unknown): result is { status: 'error'; message?: unknown; error?: unknown; code?: unknown } {
  return typeof result === 'object' && result !== null && !Array.isArray(result) && (result as { status?: unknown }).status === 'error';
}

/** The paste-back request of an update, when it is well formed (a malformed one would fail the whole progress line at the daemon). */
function pasteBackOf(progress: Progress): Pick<Progress, 'pasteBack'> {
  const parsed = progressSchema.shape.pasteBack.safeParse(progress.pasteBack);
  return parsed.success && parsed.data ? { pasteBack: parsed.data } : {};
}
