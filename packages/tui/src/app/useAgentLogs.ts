import { useEffect } from 'react';
import type { ConnectClient, TuiClient } from '../state/client.js';
import type { LogEntry } from '../state/types.js';
import { useThrottledState } from './throttled-state.js';

/** Log lines kept in memory for the selected agent. */
export const MAX_LOG_LINES = 2_000;

/** Lines asked for when an agent is selected. */
export const INITIAL_LOG_LINES = 500;

/**
 * The selected agent's log: its tail, then every new line, over a
 * connection of its own (closing it ends the follow when the selection
 * changes).
 *
 * @example
 * ```ts
 * const logs = useAgentLogs(connect, selectedAgent);
 * ```
 */
export function useAgentLogs(connect: ConnectClient, agent: string | undefined): readonly LogEntry[] {
  const [logs, setLogs, current] = useThrottledState<readonly LogEntry[]>([]);
  useEffect(() => {
    setLogs([]);
    if (!agent) return;
    let client: TuiClient | undefined;
    let stopped = false;
    void connect().then((open) => {
      if (stopped) return open.close();
      client = open;
      void open
        .request('agent.logs', { name: agent, lines: INITIAL_LOG_LINES, follow: true }, (event) => {
          if (!event.log) return;
          const next = [...current(), event.log as LogEntry];
          setLogs(next.length > MAX_LOG_LINES ? next.slice(next.length - MAX_LOG_LINES) : next);
        })
        .catch(() => undefined);
    }, () => undefined);
    return () => {
      stopped = true;
      client?.close();
    };
  }, [connect, agent, current, setLogs]);
  return logs;
}
