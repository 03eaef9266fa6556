import { z } from 'zod';

/** Version of the agent <-> daemon protocol this package speaks. */
export const AGENT_PROTOCOL_VERSION = 1;

/** Longest line accepted on the wire (1 MiB); longer lines are rejected and skipped. */
export const MAX_LINE_BYTES = 1024 * 1024;

const name = z.string().min(1).max(128);
const id = z.string().min(1).max(128);

/** Log levels, lowest first. */
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One argument of a command, as the agent declares it (validated by the SDK before the handler runs). */
export const commandArgumentSchema = z.object({
  name,
  type: z.enum(['string', 'number', 'integer', 'boolean', 'object', 'array']),
  required: z.boolean().optional(),
  description: z.string().optional(),
  /** For strings: the allowed values. */
  enum: z.array(z.string()).optional(),
});
export type CommandArgument = z.infer<typeof commandArgumentSchema>;

/** A command an agent offers. */
export const commandDescriptorSchema = z.object({
  name,
  title: z.string().optional(),
  description: z.string().optional(),
  /** Async commands run as tasks: they report progress and never block other commands. */
  async: z.boolean(),
  progressLabel: z.string().optional(),
  arguments: z.array(commandArgumentSchema).optional(),
  hidden: z.boolean().optional(),
});
export type CommandDescriptor = z.infer<typeof commandDescriptorSchema>;

/** Longest `openUrl` in a progress message (sign-in URLs with PKCE and state are about 500 characters). */
export const MAX_OPEN_URL_LENGTH = 8_192;

/** Progress of a running command: text, a fraction 0..1, and/or a status word. */
export const progressSchema = z.object({
  text: z.string().optional(),
  progress: z.number().min(0).max(1).optional(),
  status: z.string().optional(),
  /**
   * A page the invoking client should open in the user's browser (a sign-in
   * page), with the client's own environment; only http(s) URLs.
   */
  openUrl: z.string().max(MAX_OPEN_URL_LENGTH).regex(/^https?:\/\//i, 'must be an http(s) URL').optional(),
  /**
   * A browser sign-in waiting for the address the browser ends on (paste-back):
   * `url` is the page to open on any machine; `redirectUri` is the agent's
   * loopback receiver, where the client delivers the address the user pastes.
   * Only a loopback http address, so a client never sends anything elsewhere.
   */
  pasteBack: z
    .object({
      url: z.string().max(MAX_OPEN_URL_LENGTH).regex(/^https?:\/\//i, 'must be an http(s) URL'),
      redirectUri: z.string().max(2_048).regex(/^http:\/\/127\.0\.0\.1:\d{1,5}\//, 'must be an http://127.0.0.1:PORT/ address'),
    })
    .optional(),
});
export type Progress = z.infer<typeof progressSchema>;

/**
 * Who is waiting on a command, when someone is: an interactive client
 * (`opperator agent invoke`, the TUI) that shows progress, can open pages in
 * the user's browser (`browser: true`) with its own environment, and can take
 * the address a browser elsewhere ended on from the user (`paste: true`, see
 * `pasteBack`). Absent for detached invocations: then nobody is watching.
 */
export const invokingClientSchema = z.object({ browser: z.boolean(), paste: z.boolean().optional() });
export type InvokingClient = z.infer<typeof invokingClientSchema>;

/** A failure, as it crosses the wire. Never carries a secret or token. */
export const wireErrorSchema = z.object({ message: z.string(), code: z.string().optional() });
export type WireError = z.infer<typeof wireErrorSchema>;

/** Messages an agent writes on its stdout, one JSON object per line. */
export const agentToDaemonSchema = z.discriminatedUnion('type', [
  /** First message: the agent is initialized and its commands and sections are registered. */
  z.object({ type: z.literal('ready'), protocolVersion: z.number().int(), sdk: z.string().optional(), pid: z.number().int().optional() }),
  z.object({ type: z.literal('log'), level: z.enum(LOG_LEVELS), message: z.string(), fields: z.record(z.string(), z.unknown()).optional(), time: z.number().optional() }),
  z.object({ type: z.literal('command_registry'), commands: z.array(commandDescriptorSchema) }),
  z.object({ type: z.literal('command_progress'), id, ...progressSchema.shape }),
  /** The end of a command: `ok` with its result, or not with its error. */
  z.discriminatedUnion('ok', [
    z.object({ type: z.literal('response'), id, ok: z.literal(true), result: z.unknown() }),
    z.object({ type: z.literal('response'), id, ok: z.literal(false), error: wireErrorSchema }),
  ]),
  z.object({ type: z.literal('sidebar_section'), id: name, title: z.string(), content: z.string(), collapsed: z.boolean().optional() }),
  z.object({ type: z.literal('sidebar_section_removal'), id: name }),
  z.object({ type: z.literal('lifecycle_event'), event: z.enum(['starting', 'started', 'stopping', 'stopped']), detail: z.string().optional() }),
  z.object({ type: z.literal('secret_request'), requestId: id, name }),
]);
export type AgentToDaemon = z.infer<typeof agentToDaemonSchema>;

/** Messages the daemon writes on an agent's stdin, one JSON object per line. */
export const daemonToAgentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('command'), id, name, args: z.record(z.string(), z.unknown()), client: invokingClientSchema.optional() }),
  z.object({ type: z.literal('cancel'), id }),
  z.discriminatedUnion('ok', [
    z.object({ type: z.literal('secret_response'), requestId: id, ok: z.literal(true), value: z.string() }),
    z.object({ type: z.literal('secret_response'), requestId: id, ok: z.literal(false), error: wireErrorSchema }),
  ]),
  /** Asks the agent to stop cleanly (then SIGTERM, then SIGKILL follow if it does not exit). */
  z.object({ type: z.literal('shutdown'), reason: z.string().optional() }),
]);
export type DaemonToAgent = z.infer<typeof daemonToAgentSchema>;

/** Agent names (also their folder names under `agents/`): lowercase letters, digits, `_` and `-`. */
export const AGENT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Names that match {@link AGENT_NAME_PATTERN} but no agent may have: `all`
 * means every agent in `opperator agent start|stop|restart all`, so an agent
 * named `all` could never be addressed alone. agents.yaml, `agent bootstrap`
 * and `agent add` refuse them.
 *
 * @example
 * ```ts
 * if (RESERVED_AGENT_NAMES.includes(name)) throw new Error(`${name} is reserved`);
 * ```
 */
export const RESERVED_AGENT_NAMES: readonly string[] = ['all'];
