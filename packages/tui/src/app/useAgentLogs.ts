import { useEffect, useRef, useState } from 'react';
import type { ConnectClient, TuiClient } from '../state/client.js';
import type { LogEntry } from '../state/types.js';
import { RENDER_INTERVAL_MS } from './throttled-state.js';

/** Log lines kept in memory for the selected agent. */
export const MAX_LOG_LINES = 2_000;

/** Lines asked for when an agent is selected. */
export const INITIAL_LOG_LINES = 500;

/**
 * The selected agent's log: its tail, then every new line, over a
 * connection of its own (closing it ends the follow when the selection
 * changes). Lines collect in a buffer and are published at most every
 * {@link RENDER_INTERVAL_MS}, one copy per publish rather than per line, so
 * an agent logging hundreds of lines a second costs ~30 copies a second.
 *
 * @example
 * ```ts
 * const logs = useAgentLogs(connect, selectedAgent);
 * ```
 */
export function useAgentLogs(connect: ConnectClient, agent: string | undefined): readonly LogEntry[] {
  const [logs, setLogs] = useState<readonly LogEntry[]>([]);
  const buffer = useRef<LogEntry[]>([]);
  useEffect(() => {
    buffer.current = [];
    setLogs([]);
    if (!agent) return;
    let client: TuiClient | undefined;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const publish = () => {
      timer = undefined;
      if (stopped) return;
      if (buffer.current.length > MAX_LOG_LINES) buffer.current = buffer.current.slice(-MAX_LOG_LINES);
      setLogs(buffer.current.slice());
    };
    void connect().then((open) => {
      if (stopped) return open.close();
      client = open;
      void open
        .request('agent.logs', { name: agent, lines: INITIAL_LOG_LINES, follow: true }, {
          onEvent: (event) => {
            buffer.current.push(event.log as LogEntry);
            timer ??= setTimeout(publish, RENDER_INTERVAL_MS);
          },
        })
        .catch(() => undefined);
    }, () => undefined);
    return () => {
      stopped = true;
      clearTimeout(timer);
      client?.close();
    };
  }, [connect, agent]);
  return logs;
}
