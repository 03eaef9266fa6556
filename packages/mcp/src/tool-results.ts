import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CONTROL_ERROR, ControlClientError } from '@opperator/protocol';
import { suggestName } from '@opperator/protocol/suggest-name';

/**
 * A successful tool result: `text` for the model, and `structured` as
 * `structuredContent` when the tool declares an output schema.
 *
 * @example
 * ```ts
 * return textResult('Started mail.', { agent: 'mail', state: 'running' });
 * ```
 */
export function textResult(text: string, structured?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], ...(structured ? { structuredContent: structured } : {}) };
}

/**
 * A failed tool call the model can act on: `isError: true` with the reason
 * and the fix, never a protocol error (those are for broken clients).
 *
 * @example
 * ```ts
 * return errorResult('Agent "mail" is not running. Start it: start_agent {"agent":"mail"}');
 * ```
 */
export function errorResult(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

/** What a tool was doing when the daemon refused it, for the fix in the message. */
export interface FailureContext {
  agent?: string;
  taskId?: string;
  /** Agent names the daemon knows, for a did-you-mean on an unknown agent. */
  knownAgents?: () => Promise<string[]>;
}

/**
 * Turns a daemon refusal into an `isError` result naming the fix (a tool to
 * call, or the `opperator` command to run). Anything that is not a
 * {@link ControlClientError} is a bug and is thrown on.
 *
 * @example
 * ```ts
 * try { … } catch (err) { return await failureResult(err, { agent }); }
 * ```
 */
export async function failureResult(err: unknown, context: FailureContext = {}): Promise<CallToolResult> {
  if (!(err instanceof ControlClientError)) throw err;
  const agent = context.agent === undefined ? 'the agent' : JSON.stringify(context.agent);
  switch (err.code) {
    case CONTROL_ERROR.AGENT_NOT_FOUND: {
      const suggestion = context.agent !== undefined && context.knownAgents ? suggestName(context.agent, await context.knownAgents().catch(() => [])) : undefined;
      return errorResult(`No agent named ${agent}.${suggestion ? ` Did you mean ${JSON.stringify(suggestion)}?` : ''} list_agents shows them; a new one: opperator agent bootstrap NAME`);
    }
    case CONTROL_ERROR.AGENT_NOT_RUNNING:
      return errorResult(`${err.message} Start it with start_agent {"agent":${JSON.stringify(context.agent ?? 'NAME')}} (or: opperator agent start ${context.agent ?? 'NAME'}).`);
    case CONTROL_ERROR.COMMAND_NOT_FOUND:
      return errorResult(`${err.message} agent_commands {"agent":${JSON.stringify(context.agent ?? 'NAME')}} lists what it offers.`);
    case CONTROL_ERROR.TASK_NOT_FOUND:
      return errorResult(`${err.message} task_status lists the tasks and their states.`);
    case CONTROL_ERROR.NOT_RUNNING:
    case CONTROL_ERROR.UNREACHABLE:
    case CONTROL_ERROR.DISCONNECTED:
      return errorResult(`${err.message} Check it: opperator daemon status; start it: opperator daemon start`);
    case CONTROL_ERROR.AGENT_START_FAILED:
      return errorResult(`${err.message} agent_logs {"agent":${JSON.stringify(context.agent ?? 'NAME')}} shows why; fix the agent, then start_agent again.`);
    default:
      return errorResult(err.message);
  }
}
