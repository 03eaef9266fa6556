import { markupToPlainText, type AgentRow } from '@opperator/protocol';
import { formatUptime } from '../duration-text.js';
import { toTerminalText as oneLine } from '../terminal-text.js';
import { printResult, withDaemon } from './with-daemon.js';
import { sectionJson } from '../json-output.js';


/**
 * `opperator agent list [--json]`: each agent's state, pid, restarts and,
 * while it runs, uptime, CPU and memory (the daemon measures its process
 * group; where it cannot, on systems without `/proc`, they show as `-`).
 * `--json` carries `startedAt` as ISO 8601, `uptimeSeconds`, `cpuPercent`
 * (% of one core since the previous list, or since its start) and
 * `memoryBytes`, each absent when unknown.
 */
export async function agentList(options: { json?: boolean }): Promise<void> {
  const rows = await withDaemon((client) => client.request('agent.list'));
  const now = Date.now();
  if (options.json) return printResult(rows.map((row) => jsonRow(row, now)), true, () => '');
  printResult(rows, false, (rows) => {
    if (rows.length === 0) return 'No agents. Create one: opperator agent bootstrap NAME';
    // Table cells stay on their row (oneLine), whatever agents.yaml or the daemon says.
    const width = Math.max(4, ...rows.map((r) => oneLine(r.name).length));
    // Crashed though the user wants it running (the supervisor gave up): the daemon's next start tries it again.
    const givenUp = rows.filter((r) => r.wanted && r.state === 'crashed').map((r) => oneLine(`${r.name} crashed and is not restarted now, but you left it running: the next daemon start tries it again. Its log: opperator agent logs ${r.name}; after a fix: opperator agent start ${r.name}`));
    // Numbers right-aligned, words left; a header cell goes through the same padding as its column.
    const line = (name: string, state: string, pid: string, cpu: string, mem: string, uptime: string, restarts: string, description: string) =>
      [name.padEnd(width), state.padEnd(10), pid.padEnd(7), cpu.padStart(6), mem.padStart(7), uptime.padEnd(7), restarts.padEnd(8), description].join('  ');
    const table = rows.map((r) =>
      line(
        oneLine(r.name),
        oneLine(r.state),
        String(r.pid ?? '-'),
        r.cpuPercent === undefined ? '-' : `${r.cpuPercent.toFixed(1)}%`,
        r.memoryBytes === undefined ? '-' : formatBytes(r.memoryBytes),
        r.startedAt === undefined ? '-' : formatUptime((now - r.startedAt) / 1000),
        String(r.restarts),
        oneLine(r.description),
      ),
    );
    return [line('NAME', 'STATE', 'PID', 'CPU', 'MEM', 'UPTIME', 'RESTARTS', 'DESCRIPTION'), ...table, ...(givenUp.length > 0 ? ['', ...givenUp] : [])].join('\n');
  });
}

/** A row of `agent list --json`: times as ISO 8601 and seconds, not the wire's milliseconds. */
function jsonRow({ startedAt, ...row }: AgentRow, now: number): Record<string, unknown> {
  return { ...row, ...(startedAt === undefined ? {} : { startedAt: new Date(startedAt).toISOString(), uptimeSeconds: Math.max(0, Math.floor((now - startedAt) / 1000)) }) };
}

/** Bytes in decimal units, as `ls --si` counts: `820 kB`, `41 MB`, `1.2 GB`. */
function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`;
  return `${Math.round(bytes / 1e3)} kB`;
}

/** `opperator agent start|stop|restart NAME`. */
export async function agentLifecycle(action: 'start' | 'stop' | 'restart', name: string): Promise<void> {
  const { state } = await withDaemon((client) => client.request(`agent.${action}`, { name }));
  process.stdout.write(`${oneLine(`Agent ${name} is ${state}.`)}\n`);
}

/** `opperator agent commands NAME [--json]`. */
export async function agentCommands(name: string, options: { json?: boolean }): Promise<void> {
  const commands = await withDaemon((client) => client.request('agent.commands', { name }));
  printResult(commands, options.json, (rows) =>
    rows.filter((c) => !c.hidden).map((c) => {
      const args = (c.arguments ?? []).map((a) => (a.required ? `<${a.name}:${a.type}>` : `[${a.name}:${a.type}]`)).join(' ');
      return `${oneLine(c.name)}${args ? ` ${oneLine(args)}` : ''}${c.async ? '  (async)' : ''}${c.description ? `\n    ${oneLine(c.description)}` : ''}`;
    }).join('\n') || `Agent ${name} has registered no commands (is it running?).`,
  );
}

/** `opperator agent sections NAME [--json]`. */
export async function agentSections(name: string, options: { json?: boolean }): Promise<void> {
  const sections = await withDaemon((client) => client.request('agent.sections', { name }));
  printResult(sections, options.json, (rows) => rows.map((s) => `== ${oneLine(s.title)} ==\n${markupToPlainText(s.content)}`).join('\n\n') || `Agent ${name} has no sections.`, (rows) => rows.map(sectionJson));
}

