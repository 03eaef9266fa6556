/** The `minimal` template's agent.ts: a command, a section and a background loop, runnable as is. */
export function minimalAgentSource(name: string): string {
  return `import { Agent } from '@opperator/sdk';

/**
 * ${name}: an Opperator agent. Edit initialize() to add commands, sidebar
 * sections and background work; \`opperator agent restart ${name}\` reloads it.
 */
export default class ${className(name)} extends Agent {
  async initialize() {
    this.registerCommand(
      'hello',
      async (args) => ({ message: \`Hello, \${args.name ?? 'world'}!\` }),
      { description: 'Say hello', arguments: [{ name: 'name', type: 'string' }] },
    );
    this.registerSection('status', '${name}', "<c fg='green'>✓ Running</c>");
    this.every(5 * 60_000, () => this.logInfo('still running'));
  }
}
`;
}

function className(name: string): string {
  const words = name.split(/[-_]/).filter(Boolean).map((word) => word[0]!.toUpperCase() + word.slice(1));
  const joined = words.join('') || 'My';
  return /^[A-Za-z]/.test(joined) ? `${joined}Agent` : `Agent${joined}`;
}
