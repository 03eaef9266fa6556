import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ErrorCode, GetPromptRequestSchema, ListPromptsRequestSchema, McpError, type GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { buildOAuthAgentPrompt } from './oauth-guide.js';

/** The prompts this server offers. */
const PROMPTS = [
  {
    name: 'build_oauth_agent',
    title: 'Build an OAuth agent',
    description: 'Walks the assistant through writing, starting and signing in an Opperator agent for one OAuth provider, with the user setting the secrets.',
    arguments: [
      { name: 'provider', description: 'google, github, microsoft, sandbox, or an issuer URL', required: true },
      { name: 'name', description: 'The agent name (lowercase letters, digits, _ and -)', required: false },
      { name: 'purpose', description: 'What the agent should do once signed in', required: false },
    ],
  },
];

/**
 * Registers `prompts/list` and `prompts/get`: `build_oauth_agent`, the
 * guide's steps for one provider.
 *
 * @example
 * ```ts
 * registerPrompts(server);
 * ```
 */
export function registerPrompts(server: Server): void {
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: PROMPTS }));
  server.setRequestHandler(GetPromptRequestSchema, async (request): Promise<GetPromptResult> => {
    const { name, arguments: args = {} } = request.params;
    if (name !== 'build_oauth_agent') throw new McpError(ErrorCode.InvalidParams, `Unknown prompt ${JSON.stringify(name)}; prompts/list shows build_oauth_agent.`);
    const provider = args.provider?.trim();
    if (!provider) throw new McpError(ErrorCode.InvalidParams, 'build_oauth_agent needs a provider: google, github, microsoft, sandbox, or an issuer URL.');
    const text = buildOAuthAgentPrompt({ provider, ...(args.name ? { name: args.name } : {}), ...(args.purpose ? { purpose: args.purpose } : {}) });
    return { description: `Build an OAuth agent for ${provider}`, messages: [{ role: 'user', content: { type: 'text', text } }] };
  });
}
