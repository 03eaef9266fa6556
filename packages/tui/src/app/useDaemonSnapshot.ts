import { useEffect, useState } from 'react';
import { messageOf, type ConnectClient, type TuiClient } from '../state/client.js';
import { EMPTY_SNAPSHOT, applyWatchEvent, withSections, withTasks, type DaemonSnapshot } from '../state/daemon-snapshot.js';
import type { ConnectionState } from '../state/types.js';
import { useThrottledState } from './throttled-state.js';

/** How long to wait before connecting again after the daemon went away. */
export const RECONNECT_DELAY_MS = 2_000;

/** What {@link useDaemonSnapshot} gives the app. */
export interface DaemonConnection {
  snapshot: DaemonSnapshot;
  connection: ConnectionState;
  /** Why the connection failed or ended, in words. */
  error?: string;
  /** The connection requests go over (undefined while not connected). */
  client?: TuiClient;
}

/**
 * Keeps a {@link DaemonSnapshot} in sync with the daemon: one `watch` stream
 * (pushed changes), plus `agent.sections` and `task.list` for what existed
 * before. Reconnects after the daemon goes away.
 *
 * @example
 * ```ts
 * const { snapshot, connection } = useDaemonSnapshot(connect);
 * ```
 */
export function useDaemonSnapshot(connect: ConnectClient): DaemonConnection {
  const [snapshot, setSnapshot, current] = useThrottledState<DaemonSnapshot>(EMPTY_SNAPSHOT);
  const [state, setState] = useState<Omit<DaemonConnection, 'snapshot'>>({ connection: 'connecting' });

  useEffect(() => {
    let stopped = false;
    let client: TuiClient | undefined;
    let retry: NodeJS.Timeout | undefined;
    const listedAgents = new Set<string>();

    const run = async () => {
      try {
        client = await connect();
      } catch (err) {
        if (!stopped) setState({ connection: 'disconnected', error: messageOf(err) });
        retry = setTimeout(() => void run(), RECONNECT_DELAY_MS);
        return;
      }
      const open = client;
      listedAgents.clear();
      setState({ connection: 'connected', client: open });
      const watching = open.request('watch', {}, { onEvent: (event) => {
        setSnapshot(applyWatchEvent(current(), event));
        // Sections that existed before the watch began come from one request per agent.
        for (const agent of current().agents) {
          if (listedAgents.has(agent.name)) continue;
          listedAgents.add(agent.name);
          void open.request('agent.sections', { name: agent.name }).then((rows) => setSnapshot(withSections(current(), agent.name, rows)), () => undefined);
        }
      } });
      void open.request('task.list').then((rows) => setSnapshot(withTasks(current(), rows)), () => undefined);
      try {
        await watching;
      } catch (err) {
        if (stopped) return;
        setState({ connection: 'disconnected', error: messageOf(err) });
        retry = setTimeout(() => void run(), RECONNECT_DELAY_MS);
      }
    };
    void run();
    return () => {
      stopped = true;
      clearTimeout(retry);
      client?.close();
    };
  }, [connect, current, setSnapshot]);

  return { snapshot, ...state };
}
