import type { CommandArgument, InvokingClient, Progress } from '@opperator/protocol';

/** What a command receives as arguments: the JSON object the caller sent, validated against the declared `arguments`. */
export type CommandArgs = Record<string, unknown>;

/**
 * Progress of a running command: a line of text, a fraction 0..1 and/or a
 * status word. A plain string is shorthand for `{ text }`.
 *
 * @example
 * ```ts
 * ctx.reportProgress({ text: 'Downloading', progress: 0.25 });
 * ctx.reportProgress('Almost done');
 * ```
 */
export type ProgressUpdate = string | Progress;

/**
 * The second argument of every command handler.
 *
 * @example
 * ```ts
 * this.registerCommand('sync', async (_args, ctx) => {
 *   ctx.reportProgress('Fetching');
 *   const res = await fetch(url, { signal: ctx.signal }); // aborted when the user cancels
 *   return { status: res.status };
 * });
 * ```
 */
export interface CommandContext {
  /** The id the daemon gave this invocation (the task id). */
  readonly id: string;
  /** The command's name. */
  readonly name: string;
  /** Aborted when the invocation is cancelled or the agent is stopping. */
  readonly signal: AbortSignal;
  /** Reports progress of this invocation. */
  reportProgress(update: ProgressUpdate): void;
  /**
   * The interactive client waiting on this invocation (`opperator agent
   * invoke`, the TUI), when there is one; `browser` says whether it can open
   * a page in the user's browser (send `{ openUrl }` in a progress update).
   * Undefined for detached and scheduled invocations: nobody is watching.
   */
  readonly client?: InvokingClient;
}

/**
 * A command handler. Its result is the command's result; throwing, or
 * returning an object with `status: 'error'`, makes the command fail.
 *
 * @example
 * ```ts
 * const handler: CommandHandler<{ folder?: string }> = async ({ folder = 'INBOX' }) => ({ folder, unread: 3 });
 * ```
 */
export type CommandHandler<A extends CommandArgs = CommandArgs> = (args: A, ctx: CommandContext) => unknown;

/**
 * Options of `registerCommand`.
 *
 * @example
 * ```ts
 * this.registerCommand('check_now', check, {
 *   description: 'Check the inbox now', async: true, progressLabel: 'Checking Gmail',
 *   arguments: [{ name: 'folder', type: 'string', enum: ['INBOX', 'SPAM'] }],
 * });
 * ```
 */
export interface CommandOptions {
  /** One line shown in listings. */
  description?: string;
  /** Display name; defaults to the command's name. */
  title?: string;
  /**
   * Runs as a task with progress in the daemon (default false). Either way the
   * SDK never lets a command block the message loop.
   */
  async?: boolean;
  /** What the TUI shows while the task runs. */
  progressLabel?: string;
  /**
   * Declared arguments, checked before the handler runs (type, required,
   * enum). When given, arguments not declared here are refused, so a typo is
   * reported instead of ignored; when omitted, args are passed as they come.
   */
  arguments?: CommandArgument[];
  /** Kept out of listings and slash-command completion. */
  hidden?: boolean;
}

/**
 * Options of `registerSection`.
 *
 * @example
 * ```ts
 * this.registerSection('auth', 'Gmail', '<b>Account:</b> none', { collapsed: true });
 * ```
 */
export interface SectionOptions {
  /** Shown folded in the sidebar. */
  collapsed?: boolean;
}

/**
 * Structured fields of a log line. Error values are sent as `{ name, message }`.
 *
 * @example
 * ```ts
 * this.logInfo('polled', { folder: 'INBOX', unread: 3 });
 * ```
 */
export type LogFields = Record<string, unknown>;

/**
 * Work `every()` repeats. It receives the agent's stop signal, to pass on to
 * whatever it waits for.
 *
 * @example
 * ```ts
 * const poll: BackgroundTask = (signal) => fetch(url, { signal });
 * ```
 */
export type BackgroundTask = (signal: AbortSignal) => unknown;

/**
 * Options of `every()`.
 *
 * @example
 * ```ts
 * this.every(60_000, () => this.poll(), { immediate: true, name: 'poll' });
 * ```
 */
export interface EveryOptions {
  /** Also run once right away instead of waiting a first interval (default false). */
  immediate?: boolean;
  /** Name used in log lines about this loop; defaults to the function's name. */
  name?: string;
}

/**
 * Lifecycle methods an agent may define besides `initialize()`. They are not
 * members of `Agent` itself, so a subclass defines them without `override`;
 * `implements AgentLifecycle` gets them type-checked.
 *
 * @example
 * ```ts
 * export default class Watcher extends Agent implements AgentLifecycle {
 *   async initialize() {}
 *   async start() { this.logInfo('running'); }
 *   async stop() { await this.server?.close(); }
 * }
 * ```
 */
export interface AgentLifecycle {
  /** Called after the agent announced itself ready; should return promptly (use `every()` for loops). */
  start?(): Promise<void> | void;
  /** Called once when the agent is asked to stop, after `stopSignal` aborted; bounded by the stop timeout. */
  stop?(): Promise<void> | void;
}
