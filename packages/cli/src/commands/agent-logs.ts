import { CliError } from '../cli-error.js';
import { parseSince } from '../duration-text.js';
import { formatHumanTime } from '@opperator/protocol';
import { logJson } from '../json-output.js';
import { toTerminalJson, toTerminalText } from '../terminal-text.js';
import { withDaemon } from './with-daemon.js';

interface LogEntry { time: number; level: string; message: string; fields?: Record<string, unknown>; source: string }

/** Past lines printed when neither `-n` nor `--since` says otherwise. */
export const DEFAULT_LOG_LINES = 100;

/**
 * `opperator agent logs NAME [-f] [-n N] [--since WHEN] [--json]`: the last
 * N lines (with `--since` only those from then on, all of them unless `-n`
 * is given), then (with -f) every new one, with no cap.
 */
export async function agentLogs(name: string, options: { follow?: boolean; lines?: string; since?: string; json?: boolean }): Promise<void> {
  const since = options.since === undefined ? undefined : parseSince(options.since);
  if (options.since !== undefined && since === undefined) {
    throw new CliError('usage', `--since ${JSON.stringify(options.since)} is not a time: use a duration back from now (30s, 10m, 2h, 1d) or an ISO date/time (2026-12-06, 2026-12-06T14:30, 2026-12-06T14:30:00Z). Example: opperator agent logs ${name} --since 10m`);
  }
  const asked = options.lines === undefined ? undefined : Number(options.lines);
  const lines = asked !== undefined && Number.isFinite(asked) && asked >= 0 ? Math.floor(asked) : since === undefined ? DEFAULT_LOG_LINES : Number.MAX_SAFE_INTEGER;
  const print = (entry: LogEntry) => {
    // The daemon filters by `since`; a daemon older than this CLI ignores it, so it is checked here too.
    if (since !== undefined && entry.time < since) return;
    if (options.json) {
      process.stdout.write(`${toTerminalJson(logJson(entry))}\n`);
      return;
    }
    const fields = entry.fields && Object.keys(entry.fields).length > 0 ? ` ${toTerminalJson(entry.fields)}` : '';
    // One line per entry: the agent's text can neither act on the terminal nor fake a line of its own.
    process.stdout.write(`${formatHumanTime(entry.time)} ${toTerminalText(entry.level.toUpperCase().padEnd(7))} ${toTerminalText(entry.message)}${fields}\n`);
  };
  await withDaemon((client) => client.request('agent.logs', { name, lines, follow: options.follow === true, ...(since === undefined ? {} : { since: Math.max(0, since) }) }, { onEvent: (event) => print(event.log) }));
}
