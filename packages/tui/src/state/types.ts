/**
 * What the TUI shows, as plain data. The daemon's `watch` stream and a few
 * requests fill it (see `daemon-state.ts`); the views only read it.
 */

/** An agent as `agent.list` and `watch` report it. */
export interface AgentRow {
  name: string;
  description: string;
  /** `starting | running | stopping | stopped | crashed | restarting`. */
  state: string;
  pid: number | null;
  restarts: number;
  /** Names of the secrets agents.yaml lets it read (never values). */
  secrets?: string[];
}

/** A sidebar section as the daemon keeps it (content is SPEC §4 markup). */
export interface SectionRow {
  id: string;
  title: string;
  content: string;
  collapsed: boolean;
  updatedAt: number;
}

/** Where a task stands. */
export type TaskState = 'running' | 'succeeded' | 'failed' | 'cancelled';

/** An async command's task record. */
export interface TaskRow {
  id: string;
  agent: string;
  command: string;
  /** The arguments it was invoked with. */
  args?: Record<string, unknown>;
  state: TaskState;
  /**
   * `openUrl`: a page the agent asked the invoking client to open (a sign-in
   * page); `pasteBack`: a sign-in waiting for the address a browser elsewhere
   * ended on (its page, and the loopback receiver the address goes to).
   */
  progress: { text?: string; progress?: number; status?: string; openUrl?: string; pasteBack?: { url: string; redirectUri: string } };
  progressLabel?: string;
  result?: unknown;
  error?: { message: string; code?: string };
  createdAt: number;
  updatedAt: number;
}

/** One log line of an agent. */
export interface LogEntry {
  time: number;
  level: 'debug' | 'info' | 'warning' | 'error' | (string & {});
  /** `agent` (its own logs), `stderr`/`stdout`, `daemon` or `supervisor`. */
  source: string;
  message: string;
  fields?: Record<string, unknown>;
}

/** A command an agent registered, with what the palette needs. */
export interface CommandRow {
  name: string;
  title?: string;
  description?: string;
  async: boolean;
  progressLabel?: string;
  arguments?: Array<{ name: string; type: string; required?: boolean; description?: string }>;
  hidden?: boolean;
}

/** The connection to the daemon. */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected';
