import { agentClassName } from './class-name.js';

/**
 * The `minimal` template's agent.ts: a command, a section and a background
 * loop, runnable as is.
 *
 * @example
 * ```ts
 * await writeFile(join(dir, 'agent.ts'), minimalAgentSource('hello-agent'));
 * ```
 */
export function minimalAgentSource(name: string): string {
  return `import { Agent } from '@opperator/sdk';

/**
 * ${name}: an Opperator agent. Edit initialize() to add commands, sidebar
 * sections and background work; \`opperator agent restart ${name}\` reloads it.
 */
export default class ${agentClassName(name)} extends Agent {
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
