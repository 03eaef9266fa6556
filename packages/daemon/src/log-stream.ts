import type { ControlContext } from './control-server.js';
import type { AgentLog } from './stores/log-store.js';

/** Past lines `agent.logs` sends when the request names no count. */
export const DEFAULT_LOG_LINES = 100;

/**
 * Serves `agent.logs`: the last `params.lines` entries (only those at or
 * after `params.since` when given) as events, then, with `params.follow`,
 * every new entry until the client goes away.
 *
 * @example
 * ```ts
 * 'agent.logs': async (params, context) => serveLogs(log, params, context),
 * ```
 */
export async function serveLogs(log: AgentLog, params: Record<string, unknown>, context: ControlContext): Promise<{ followed: boolean }> {
  const lines = typeof params.lines === 'number' ? params.lines : DEFAULT_LOG_LINES;
  // Filtered here rather than by the client: what is older than `since` never crosses the socket.
  const since = typeof params.since === 'number' ? params.since : undefined;
  if (context.signal.aborted) return { followed: false };
  for (const entry of await log.tail(lines, since === undefined ? {} : { since })) context.emit({ log: entry });
  // A client already gone is not followed: its abort has fired and would never end the wait.
  if (params.follow !== true || context.signal.aborted) return { followed: false };
  await new Promise<void>((resolve) => {
    const unfollow = log.follow((entry) => {
      if (since === undefined || entry.time >= since) context.emit({ log: entry });
    });
    context.signal.addEventListener('abort', () => {
      unfollow();
      resolve();
    }, { once: true });
  });
  return { followed: true };
}
