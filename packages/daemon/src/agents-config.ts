import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { AGENT_NAME_PATTERN, RESERVED_AGENT_NAMES } from '@opperator/protocol';

export { AGENT_NAME_PATTERN };

/** Restarts allowed within {@link DEFAULT_RESTART_WINDOW_S} unless an agent says otherwise. */
export const DEFAULT_MAX_RESTARTS = 5;

/** The window `max_restarts` counts within, in seconds. */
export const DEFAULT_RESTART_WINDOW_S = 300;

/** A token store location (see `openTokenStore` in @opperator/oauth); its credentials never appear in messages. */
const tokenStoreLocation = z.string().trim().min(1, 'is empty: give a path, redis://… or postgres://…');

const agentSchema = z
  .object({
    name: z
      .string()
      .regex(AGENT_NAME_PATTERN, 'must match [a-z0-9][a-z0-9_-]*')
      // `opperator agent start all` means every agent: an agent of that name could not be addressed alone.
      .refine((name) => !RESERVED_AGENT_NAMES.includes(name), 'is reserved (`opperator agent start all` means every agent): rename the agent and its folder'),
    description: z.string().default(''),
    entry: z.string().min(1).default('agent.ts'),
    secrets: z.array(z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'is not a valid secret name')).default([]),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'is not an environment variable name'), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
    auto_restart: z.boolean().default(true),
    /** Restarts allowed within `restart_window_s`; 0 means never restart automatically. */
    max_restarts: z.number().int().min(0).default(DEFAULT_MAX_RESTARTS),
    restart_window_s: z.number().positive().default(DEFAULT_RESTART_WINDOW_S),
    start_with_daemon: z.boolean().default(false),
    /** Run the agent under bubblewrap: it sees only its folder, its build and the system (docs/security.md). */
    isolate: z.boolean().default(false),
    /** Where its sign-ins keep tokens (`openTokenStore`): a path, redis://… or postgres://…; null: the file-level default, else token.json in its folder. Given to the agent as OPPERATOR_TOKEN_STORE. */
    token_store: tokenStoreLocation.nullable().default(null),
    /** What MCP clients (`opperator mcp`) see of it: `hidden` hides the agent, `hide_commands` only those commands. */
    mcp: z
      .object({ hidden: z.boolean().default(false), hide_commands: z.array(z.string().min(1)).default([]) })
      .strict()
      .default({ hidden: false, hide_commands: [] }),
  })
  .strict();

/** One agent of `agents.yaml`, with defaults applied. */
export type AgentDefinition = z.infer<typeof agentSchema>;

/** `token_store` at the top is every agent's default; an agent's own `token_store` wins. */
const fileSchema = z.object({ token_store: tokenStoreLocation.optional(), agents: z.array(agentSchema).default([]) }).strict();

/** A problem in agents.yaml, naming the file, the place and the fix. */
export class AgentsConfigError extends Error {
  readonly code = 'DAEMON_AGENTS_CONFIG_INVALID';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentsConfigError';
  }
}

/**
 * Reads `agents.yaml`. A missing file means no agents; a broken one is an
 * error naming the file, the line or field, and what is allowed.
 *
 * @example
 * ```ts
 * const agents = await loadAgentsConfig(join(home, 'agents.yaml'));
 * ```
 */
export async function loadAgentsConfig(path: string): Promise<AgentDefinition[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new AgentsConfigError(`Cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`, { cause: err });
  }
  return parseAgentsConfig(text, path);
}

/** Parses agents.yaml text; `path` is only for messages. */
export function parseAgentsConfig(text: string, path: string): AgentDefinition[] {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    const [first] = document.errors;
    throw new AgentsConfigError(`${path} is not valid YAML: ${first?.message ?? 'parse error'}`);
  }
  const parsed = fileSchema.safeParse(document.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? describePath(issue.path) : 'the file';
    throw new AgentsConfigError(`${path}: ${where} ${issue?.message ?? 'is invalid'}. The fields an agent takes: ${Object.keys(agentSchema.shape).join(', ')} (a new agents.yaml explains each in its opening comment).`);
  }
  const seen = new Set<string>();
  for (const agent of parsed.data.agents) {
    if (seen.has(agent.name)) throw new AgentsConfigError(`${path}: agent ${JSON.stringify(agent.name)} is defined twice; names must be unique.`);
    seen.add(agent.name);
  }
  const fallback = parsed.data.token_store ?? null;
  return parsed.data.agents.map((agent) => ({ ...agent, token_store: agent.token_store ?? fallback }));
}

function describePath(path: ReadonlyArray<PropertyKey>): string {
  if (path[0] === 'agents' && typeof path[1] === 'number') {
    const rest = path.slice(2).map(String).join('.');
    return `agents[${path[1]}]${rest ? `.${rest}` : ''}`;
  }
  return path.map(String).join('.') || 'the file';
}
