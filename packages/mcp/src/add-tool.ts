import { commandToolName } from './tool-names.js';
import { errorResult, textResult } from './tool-results.js';
import type { BuiltInTool } from './tool-definition.js';

/** What `add_agent` asks the host (the CLI) to install: `opperator agent add FOLDER` with these choices. */
export interface AddRequest {
  /** The agent folder (one holding agent.ts); a relative path is taken from the server's working directory. */
  folder: string;
  name?: string;
  force?: boolean;
  install?: boolean;
}

/** What the host installed, or why it refused (no such folder, a taken name): the message names the fix. */
export type AddOutcome =
  | {
      ok: true;
      name: string;
      dir: string;
      /** The secrets agents.yaml lets it read: the user sets them. */
      secrets: string[];
      /** The command that signs it in (`authorize_<name>`), if its folder names one. */
      authorize: string | null;
      /** `--force` replaced an earlier copy (restart it to run the new one). */
      replaced: boolean;
      /** Dependencies left to install (`install: false`). */
      notInstalled: string[];
      /** The `opperator` commands to run next, in order, as `agent add` prints them. */
      nextSteps: string[];
      /** What `agent add` prints: copied, left out, installed, registered. */
      summary: string;
    }
  | { ok: false; message: string };

/** Copies an agent folder into the home and registers it (the CLI's `agent add`, without printing). */
export type AddAgent = (request: AddRequest) => Promise<AddOutcome>;

/** The CLI's flags the host's messages name, and this tool's arguments for them. */
const FLAG_ARGUMENTS = 'With add_agent: "name" for --name, "force": true for --force, "install": false for --no-install.';

/**
 * `add_agent`: installs an existing agent folder (an example, a clone) into
 * the Opperator home, registered stopped. The host does the work (this
 * package writes no files); the result says which secrets the user sets in
 * a terminal and which tools come next. Destructive only with `force`,
 * which replaces an agent of that name (its sign-ins are kept).
 *
 * @example
 * ```ts
 * const tool = addAgentTool((request) => addFromCli(request));
 * ```
 */
export function addAgentTool(add: AddAgent): BuiltInTool {
  return {
    name: 'add_agent',
    title: 'Add an agent folder',
    description:
      'Install an existing agent folder (one holding agent.ts, e.g. an example or a clone) into the Opperator home: copied without node_modules, .git, tokens or .env, ' +
      'its npm dependencies installed, registered in agents.yaml, stopped. Give an absolute path. force: true replaces an agent of that name (its sign-ins are kept). ' +
      'The secrets it reads are set by the user in a terminal (the result gives the exact commands). Then: start_agent, and its sign-in tool if it has one.',
    arguments: [
      { name: 'folder', type: 'string', required: true, description: 'The agent folder, an absolute path (a relative one is taken from the MCP server\'s working directory).' },
      { name: 'name', type: 'string', description: 'Add it under this name (default: its package.json name, else the folder name).' },
      { name: 'force', type: 'boolean', description: 'Replace an agent of that name: its folder is moved to deleted-agents, its sign-ins kept. Default false.' },
      { name: 'install', type: 'boolean', description: 'Install its npm dependencies now (default true); false leaves that to `opperator agent install NAME`.' },
    ],
    // Annotations hold for every call: without force it only adds, but a call with force replaces an agent,
    // so "may be destructive" (the description says when). A repeat is refused as taken: not idempotent.
    // npm install reaches the registry: open world.
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    outputSchema: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        dir: { type: 'string' },
        secrets: { type: 'array', items: { type: 'string' } },
        nextSteps: { type: 'array', items: { type: 'string' } },
        signInTool: { type: 'string' },
      },
      required: ['name', 'dir', 'secrets', 'nextSteps'],
    },
    async run(args) {
      const request: AddRequest = {
        folder: String(args.folder),
        ...(typeof args.name === 'string' ? { name: args.name } : {}),
        ...(typeof args.force === 'boolean' ? { force: args.force } : {}),
        ...(typeof args.install === 'boolean' ? { install: args.install } : {}),
      };
      const added = await add(request);
      if (!added.ok) return errorResult(`${added.message}\n${FLAG_ARGUMENTS}`);
      const signInTool = added.authorize === null ? undefined : commandToolName(added.name, added.authorize, new Set());
      const agent = JSON.stringify(added.name);
      const withTools = [
        '',
        'With tools:',
        added.notInstalled.length > 0 ? `  the user installs its dependencies first: opperator agent install ${added.name}` : undefined,
        added.secrets.length > 0 ? `  the user sets ${added.secrets.join(' and ')} in a terminal (opperator secret set NAME); secret_status {"agent":${agent}} shows which are missing` : undefined,
        added.replaced ? `  restart_agent {"agent":${agent}}: runs the new copy (starts it if it is stopped)` : `  start_agent {"agent":${agent}}`,
        signInTool ? `  ${signInTool}: sign in (show the user the page and code its progress reports)` : `  agent_commands {"agent":${agent}}: what it offers, once it runs`,
        `  agent_sections {"agent":${agent}}: its state`,
      ].filter((line) => line !== undefined);
      return textResult(`${added.summary.trimEnd()}\n${withTools.join('\n')}`, {
        name: added.name,
        dir: added.dir,
        secrets: added.secrets,
        nextSteps: added.nextSteps,
        ...(signInTool ? { signInTool } : {}),
      });
    },
  };
}
