import { formatHumanTime } from '@opperator/protocol';
import { logJson } from '../json-output.js';
import { toTerminalJson, toTerminalText } from '../terminal-text.js';
import { withDaemon } from './with-daemon.js';

interface LogEntry { time: number; level: string; message: string; fields?: Record<string, unknown>; source: string }

/** `opperator agent logs NAME [-f] [-n N] [--json]`: the last N lines, then (with -f) every new one, with no cap. */
export async function agentLogs(name: string, options: { follow?: boolean; lines?: string; json?: boolean }): Promise<void> {
  const lines = options.lines === undefined ? 100 : Number(options.lines);
  const print = (entry: LogEntry) => {
    if (options.json) {
      process.stdout.write(`${toTerminalJson(logJson(entry))}\n`);
      return;
    }
    const fields = entry.fields && Object.keys(entry.fields).length > 0 ? ` ${toTerminalJson(entry.fields)}` : '';
    // One line per entry: the agent's text can neither act on the terminal nor fake a line of its own.
    process.stdout.write(`${formatHumanTime(entry.time)} ${toTerminalText(entry.level.toUpperCase().padEnd(7))} ${toTerminalText(entry.message)}${fields}\n`);
  };
  await withDaemon((client) => client.request('agent.logs', { name, lines: Number.isFinite(lines) && lines >= 0 ? Math.floor(lines) : 100, follow: options.follow === true }, { onEvent: (event) => print(event.log) }));
}
