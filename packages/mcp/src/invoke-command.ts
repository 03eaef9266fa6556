import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { CONTROL_ERROR, ControlClientError, validateArguments } from '@opperator/protocol';
import type { CommandTarget } from './command-catalog.js';
import type { McpDaemonClient } from './daemon-link.js';
import { ProgressForwarder } from './progress-forwarder.js';
import { SignInHandoff } from './sign-in-handoff.js';
import { errorResult, textResult } from './tool-results.js';

/** How long a cancelled call waits for its task to end before it stops waiting (the answer is dropped either way). */
export const CANCEL_WAIT_MS = 10_000;

/** What a tool handler gets from the SDK for the request it serves. */
export type ToolRequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * Runs an agent's command for a `tools/call`:
 *
 * - arguments are checked with `validateArguments` first; refused ones come
 *   back as an `isError` result naming each problem and the schema;
 * - `agent.invoke` with client `{ browser: false, paste: false }`: the MCP
 *   host may be on another machine, so a sign-in never opens a browser here
 *   and its page (and device code) reaches the user in the progress text;
 * - each progress update becomes `notifications/progress` when the request
 *   carries a progress token (see {@link ProgressForwarder});
 * - `notifications/cancelled` (the SDK aborts `extra.signal`) cancels the
 *   command's task with `task.cancel`, then stops waiting after
 *   {@link CANCEL_WAIT_MS}.
 *
 * @example
 * ```ts
 * return invokeCommand(client, { agent: 'mail', command }, { folder: 'INBOX' }, extra);
 * ```
 */
export async function invokeCommand(client: McpDaemonClient, target: CommandTarget, args: Record<string, unknown>, extra: ToolRequestExtra): Promise<CallToolResult> {
  const { agent, command } = target;
  const problems = validateArguments(command.arguments, args);
  if (problems.length > 0) {
    const takes = command.arguments && command.arguments.length > 0 ? command.arguments.map((argument) => `${argument.name} (${argument.type}${argument.required ? ', required' : ''})`).join(', ') : 'no arguments';
    return errorResult(`Refused arguments for ${agent} ${command.name}: ${problems.join('; ')}. It takes ${takes}.`);
  }
  const progress = new ProgressForwarder(extra);
  const cancel = new TaskCancel(client, extra.signal, command.async);
  const handoff = SignInHandoff.applies(command.name, extra._meta?.progressToken) ? new SignInHandoff() : undefined;
  try {
    const request = client.request(
      'agent.invoke',
      { name: agent, command: command.name, args, client: { browser: false, paste: false } },
      {
        signal: cancel.stopWaiting.signal,
        onEvent: (event) => {
          if ('task' in event) {
            cancel.started(event.task.id);
            handoff?.taskStarted(event.task.id);
          } else {
            progress.forward(event.progress);
            handoff?.offer(event.progress, { agent, command: command.name });
          }
        },
      },
    );
    const early = handoff ? await Promise.race([request.then(() => undefined, () => undefined), handoff.answer]) : undefined;
    if (early) {
      // The sign-in goes on in the agent as its task; this call only stops waiting for it.
      cancel.detach();
      request.catch(() => undefined);
      return early;
    }
    const outcome = await request;
    await progress.flushed();
    if ('detached' in outcome) return textResult(`Started task ${outcome.task.id}; task_status {"task_id":${JSON.stringify(outcome.task.id)}} follows it.`);
    if (!outcome.ok) {
      const task = outcome.taskId ? ` (task ${outcome.taskId})` : '';
      return errorResult(`${agent} ${command.name} failed${task}: ${outcome.error.message}`);
    }
    return commandResult(outcome.result);
  } catch (err) {
    if (err instanceof ControlClientError && err.code === CONTROL_ERROR.ABORTED) return errorResult(`${agent} ${command.name} was cancelled${cancel.taskId ? ` (task ${cancel.taskId})` : ''}.`);
    throw err;
  } finally {
    progress.stop();
    cancel.dispose();
  }
}

/** A command's result as a tool result: strings as they are, anything else as JSON (objects also as structured content). */
function commandResult(result: unknown): CallToolResult {
  if (typeof result === 'string') return textResult(result);
  const text = result === undefined ? 'Done.' : JSON.stringify(result, null, 2);
  const structured = result !== null && typeof result === 'object' && !Array.isArray(result) ? (result as Record<string, unknown>) : undefined;
  return textResult(text, structured);
}

/** Cancels the command's task when the MCP request is cancelled, whichever of the two comes first. */
class TaskCancel {
  readonly stopWaiting = new AbortController();
  taskId: string | undefined;
  readonly #client: McpDaemonClient;
  readonly #signal: AbortSignal;
  #timer: NodeJS.Timeout | undefined;
  #asked = false;
  readonly #onAbort = () => {
    if (this.taskId) this.#cancel(this.taskId);
    // A sync command has no task: it runs on in the agent, and nothing waits for it. An async one's task id may still be on its way.
    this.#timer = setTimeout(() => this.stopWaiting.abort(), this.#async ? CANCEL_WAIT_MS : 0);
  };
  readonly #async: boolean;

  constructor(client: McpDaemonClient, signal: AbortSignal, async: boolean) {
    this.#client = client;
    this.#signal = signal;
    this.#async = async;
    if (signal.aborted) this.stopWaiting.abort();
    else signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  started(id: string): void {
    this.taskId = id;
    if (this.#signal.aborted) this.#cancel(id);
  }

  /** Stops waiting without cancelling: the task goes on (a sign-in handed to the user). */
  detach(): void {
    this.#signal.removeEventListener('abort', this.#onAbort);
    this.stopWaiting.abort();
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#signal.removeEventListener('abort', this.#onAbort);
  }

  #cancel(id: string): void {
    if (this.#asked) return;
    this.#asked = true;
    // A task that already ended cannot be cancelled (DAEMON_TASK_NOT_FOUND): its answer is on its way.
    this.#client.request('task.cancel', { id }).catch((err: unknown) => {
      if (!(err instanceof ControlClientError)) throw err;
    });
  }
}
