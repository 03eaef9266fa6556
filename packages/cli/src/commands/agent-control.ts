import { toTerminalText as oneLine } from '../terminal-text.js';
import { printResult, withDaemon } from './with-daemon.js';
import { sectionJson } from '../json-output.js';


/** `opperator agent list [--json]`. */
export async function agentList(options: { json?: boolean }): Promise<void> {
  const agents = await withDaemon((client) => client.request('agent.list'));
  printResult(agents, options.json, (rows) => {
    if (rows.length === 0) return 'No agents. Create one: opperator agent bootstrap NAME';
    // Table cells stay on their row (oneLine), whatever agents.yaml or the daemon says.
    const width = Math.max(4, ...rows.map((r) => oneLine(r.name).length));
    // Crashed though the user wants it running (the supervisor gave up): the daemon's next start tries it again.
    const givenUp = rows.filter((r) => r.wanted && r.state === 'crashed').map((r) => oneLine(`${r.name} crashed and is not restarted now, but you left it running: the next daemon start tries it again. Its log: opperator agent logs ${r.name}; after a fix: opperator agent start ${r.name}`));
    return [`${'NAME'.padEnd(width)}  STATE       PID      RESTARTS  DESCRIPTION`, ...rows.map((r) => `${oneLine(r.name).padEnd(width)}  ${oneLine(r.state).padEnd(10)}  ${String(r.pid ?? '-').padEnd(7)}  ${String(r.restarts).padEnd(8)}  ${oneLine(r.description)}`), ...(givenUp.length > 0 ? ['', ...givenUp] : [])].join('\n');
  });
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
  printResult(sections, options.json, (rows) => rows.map((s) => `== ${oneLine(s.title)} ==\n${stripMarkup(s.content)}`).join('\n\n') || `Agent ${name} has no sections.`, (rows) => rows.map(sectionJson));
}

/** Section markup (SPEC §4) as plain text for the terminal. */
function stripMarkup(content: string): string {
  return content.replace(/<\/?[a-zA-Z][^>]*>/g, '');
}
