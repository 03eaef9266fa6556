import { withDaemon } from './with-daemon.js';

interface LogEntry { time: number; level: string; message: string; fields?: Record<string, unknown>; source: string }

/** `opperator agent logs NAME [-f] [-n N] [--json]`: the last N lines, then (with -f) every new one, with no cap. */
export async function agentLogs(name: string, options: { follow?: boolean; lines?: string; json?: boolean }): Promise<void> {
  const lines = options.lines === undefined ? 100 : Number(options.lines);
  const print = (entry: LogEntry) => {
    if (options.json) {
      process.stdout.write(`${JSON.stringify(entry)}\n`);
      return;
    }
    const fields = entry.fields && Object.keys(entry.fields).length > 0 ? ` ${JSON.stringify(entry.fields)}` : '';
    process.stdout.write(`${new Date(entry.time).toISOString()} ${entry.level.toUpperCase().padEnd(7)} ${entry.message}${fields}\n`);
  };
  await withDaemon((client) => client.request('agent.logs', { name, lines: Number.isFinite(lines) && lines >= 0 ? lines : 100, follow: options.follow === true }, (event) => print(event.log as LogEntry)));
}
