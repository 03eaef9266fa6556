import { commandToolName } from './tool-names.js';
import { errorResult, textResult } from './tool-results.js';
import type { BuiltInTool } from './tool-definition.js';

/** What `bootstrap_agent` asks the host (the CLI) to make. */
export interface BootstrapRequest {
  name: string;
  template?: string;
  provider?: string;
}

/** What the host made, or why it refused (a taken name, an unknown provider): the message names the fix. */
export type BootstrapOutcome =
  | { ok: true; name: string; dir: string; secrets: string[]; signIn?: string; nextSteps: string; warning?: string }
  | { ok: false; message: string };

/** Writes an agent from a template into the home and registers it (the CLI's `agent bootstrap`, without printing). */
export type BootstrapAgent = (request: BootstrapRequest) => Promise<BootstrapOutcome>;

/**
 * `bootstrap_agent`: a new agent from the CLI's templates, registered
 * stopped. The host does the work (this package writes no files); the
 * result says what the user must do (set the client credentials in their
 * terminal) and which tools come next.
 *
 * @example
 * ```ts
 * const tool = bootstrapAgentTool((request) => bootstrapFromCli(request));
 * ```
 */
export function bootstrapAgentTool(bootstrap: BootstrapAgent): BuiltInTool {
  return {
    name: 'bootstrap_agent',
    title: 'Create an agent',
    description:
      'Create a runnable TypeScript agent (agent.ts) in the Opperator home and register it in agents.yaml, stopped. ' +
      'template "oauth" with a provider (google, github, microsoft, sandbox, or an issuer URL) makes an agent that signs in with this.useOAuth(); ' +
      'its client credentials are secrets the user sets in a terminal (the result gives the exact commands). Then: start_agent, and the <agent>__authorize_<name> tool to sign in.',
    arguments: [
      { name: 'name', type: 'string', required: true, description: 'The agent name: lowercase letters, digits, _ and -.' },
      { name: 'template', type: 'string', enum: ['minimal', 'oauth'], description: 'minimal (the default), or oauth.' },
      { name: 'provider', type: 'string', description: 'For oauth: google, github, microsoft, sandbox, or an issuer URL (read by OpenID discovery).' },
    ],
    // Writes new files only (never replaces an agent); an issuer URL is read from the network.
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    outputSchema: {
      type: 'object',
      properties: { name: { type: 'string' }, dir: { type: 'string' }, secrets: { type: 'array', items: { type: 'string' } }, signInTool: { type: 'string' } },
      required: ['name', 'dir', 'secrets'],
    },
    async run(args) {
      const request: BootstrapRequest = { name: String(args.name), ...(typeof args.template === 'string' ? { template: args.template } : {}), ...(typeof args.provider === 'string' ? { provider: args.provider } : {}) };
      const made = await bootstrap(request);
      if (!made.ok) return errorResult(made.message);
      const signInTool = made.signIn === undefined ? undefined : commandToolName(made.name, `authorize_${made.signIn}`, new Set());
      const withTools = [
        '',
        'With tools:',
        made.secrets.length > 0 ? `  the user sets ${made.secrets.join(' and ')} in a terminal (opperator secret set NAME); secret_status shows which are missing` : undefined,
        `  start_agent {"agent":${JSON.stringify(made.name)}}`,
        signInTool ? `  ${signInTool}: sign in (show the user the page and code its progress reports)` : undefined,
        `  agent_sections {"agent":${JSON.stringify(made.name)}}: the sign-in state`,
      ].filter((line) => line !== undefined);
      const text = `${made.warning ? `Note: ${made.warning}\n` : ''}${made.nextSteps.trimEnd()}\n${withTools.join('\n')}`;
      return textResult(text, { name: made.name, dir: made.dir, secrets: made.secrets, ...(signInTool ? { signInTool } : {}) });
    },
  };
}
