import { z } from 'zod';
import { commandDescriptorSchema, invokingClientSchema, LOG_LEVELS, progressSchema, wireErrorSchema } from './agent-messages.js';
import { daemonStatusSchema } from './control-messages.js';

// Every method of the control socket, with the schema of its params, its
// result and its streamed events. The daemon parses params with these, the
// client parses results and events with them: one home per method. Records
// are loose objects (fields a newer daemon adds pass through), so an older
// client still reads them.

const agentName = z.string().min(1).max(128);
const taskId = z.string().min(1).max(128);
const noParams = z.object({});

/** An agent as `agent.list` and `watch` report it. */
export const agentRowSchema = z.looseObject({
  name: z.string(),
  description: z.string(),
  /** `starting | running | stopping | stopped | crashed | restarting`. */
  state: z.string(),
  pid: z.number().int().nullable(),
  restarts: z.number().int(),
  /** Names of the secrets agents.yaml lets it read (never values). */
  secrets: z.array(z.string()).optional(),
  /** The user wants it running (restored at the next daemon start). */
  wanted: z.boolean().optional(),
  /** When the current run became ready (ms since the epoch); absent while no run is up. `agent.list` only. */
  startedAt: z.number().optional(),
  /** CPU of the agent's process group since the previous `agent.list` (or since its start), in % of one core. Absent where it cannot be measured (no `/proc`). */
  cpuPercent: z.number().nonnegative().optional(),
  /** Resident memory of the agent's process group, in bytes. Absent where it cannot be measured. */
  memoryBytes: z.number().int().nonnegative().optional(),
  /** What agents.yaml lets MCP clients see of it (its `mcp:` field); absent: everything but hidden commands. */
  mcp: z.looseObject({ hidden: z.boolean().optional(), hideCommands: z.array(z.string()).optional() }).optional(),
});
export type AgentRow = z.infer<typeof agentRowSchema>;

/** A sidebar section as the daemon keeps it. */
export const sectionRowSchema = z.looseObject({ id: z.string(), title: z.string(), content: z.string(), collapsed: z.boolean(), updatedAt: z.number() });
export type SectionRow = z.infer<typeof sectionRowSchema>;

/** An async command's task record. */
export const taskRecordSchema = z.looseObject({
  id: z.string(),
  agent: z.string(),
  command: z.string(),
  args: z.record(z.string(), z.unknown()).optional(),
  progressLabel: z.string().optional(),
  state: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  progress: z.looseObject(progressSchema.partial().shape),
  result: z.unknown().optional(),
  error: wireErrorSchema.optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type TaskRecordRow = z.infer<typeof taskRecordSchema>;

/** One log line of an agent. */
export const logEntrySchema = z.looseObject({
  time: z.number(),
  level: z.union([z.enum(LOG_LEVELS), z.string()]),
  /** `agent` (its own logs), `stdout`/`stderr`, `daemon` or `supervisor`. */
  source: z.string(),
  message: z.string(),
  fields: z.record(z.string(), z.unknown()).optional(),
});
export type LogEntryRow = z.infer<typeof logEntrySchema>;

/** A change of one agent's sections, as `watch` sends it. */
export const sectionChangeSchema = z.union([
  z.object({ agent: z.string(), section: sectionRowSchema }),
  z.object({ agent: z.string(), removed: z.string() }),
  z.object({ agent: z.string(), cleared: z.literal(true) }),
]);

/** The end of an attached `agent.invoke`: a failed command is a successful request with `ok: false`. */
export const invokeOutcomeSchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown(), taskId: z.string().optional() }),
  z.object({ ok: z.literal(false), error: wireErrorSchema, taskId: z.string().optional() }),
  z.object({ detached: z.literal(true), task: taskRecordSchema }),
]);
export type InvokeOutcome = z.infer<typeof invokeOutcomeSchema>;

/** What one method takes, answers and streams. */
export interface ControlMethodSchemas {
  params: z.ZodType<Record<string, unknown>>;
  result: z.ZodType;
  /** Absent: the method streams nothing. */
  event?: z.ZodType<Record<string, unknown>>;
}

const agentAction = { params: z.object({ name: agentName }), result: z.looseObject({ state: z.string() }) };

/**
 * The control methods, by name. Adding a method adds its entry here, its
 * handler in the daemon, and a row in docs/protocol.md section 7.
 *
 * @example
 * ```ts
 * const params = controlMethods['agent.invoke'].params.parse({ name: 'mail', command: 'check_now' });
 * ```
 */
export const controlMethods = {
  /** First request of a connection: both sides say which protocol they speak (see `CONTROL_PROTOCOL_VERSION`). */
  hello: { params: z.object({ protocolVersion: z.number().int() }), result: z.looseObject({ protocolVersion: z.number().int() }) },
  'daemon.status': { params: noParams, result: daemonStatusSchema },
  'daemon.stop': { params: noParams, result: z.object({ stopping: z.literal(true) }) },
  'agents.reload': { params: noParams, result: z.object({ added: z.array(z.string()), removed: z.array(z.string()), changed: z.array(z.string()), restartToApply: z.array(z.string()) }) },
  'agent.list': { params: noParams, result: z.array(agentRowSchema) },
  'agent.start': agentAction,
  'agent.stop': agentAction,
  'agent.restart': agentAction,
  'agent.commands': { params: z.object({ name: agentName }), result: z.array(commandDescriptorSchema) },
  'agent.sections': { params: z.object({ name: agentName }), result: z.array(sectionRowSchema) },
  'agent.logs': {
    /** `since` (ms since the epoch): only entries at or after it, for the past lines and the followed ones alike. */
    params: z.object({ name: agentName, lines: z.number().int().nonnegative().optional(), follow: z.boolean().optional(), since: z.number().nonnegative().optional() }),
    result: z.object({ followed: z.boolean() }),
    event: z.object({ log: logEntrySchema }),
  },
  'agent.invoke': {
    params: z.object({
      name: agentName,
      command: z.string({ error: 'A command name is required.' }).min(1).max(128),
      args: z.record(z.string(), z.unknown(), { error: 'Command arguments must be a JSON object, e.g. {"folder":"INBOX"}.' }).optional(),
      detach: z.boolean().optional(),
      client: invokingClientSchema.optional(),
    }),
    result: invokeOutcomeSchema,
    event: z.union([z.object({ task: z.object({ id: z.string(), progressLabel: z.string().nullable() }) }), z.object({ progress: progressSchema })]),
  },
  'task.list': { params: z.object({ agent: agentName.optional() }), result: z.array(taskRecordSchema) },
  'task.get': { params: z.object({ id: taskId }), result: taskRecordSchema },
  'task.cancel': { params: z.object({ id: taskId }), result: z.object({ cancelling: z.string() }) },
  /** Streams until the client disconnects, so a client never sees its answer. */
  watch: {
    params: noParams,
    result: z.object({ watched: z.literal(true) }),
    event: z.union([z.object({ agents: z.array(agentRowSchema) }), z.object({ section: sectionChangeSchema }), z.object({ task: taskRecordSchema })]),
  },
} as const satisfies Record<string, ControlMethodSchemas>;

/** The name of a control method. */
export type ControlMethod = keyof typeof controlMethods;
/** What `method` takes (as sent: optional fields may be left out). */
export type ControlParams<M extends ControlMethod> = z.input<(typeof controlMethods)[M]['params']>;
/** What `method` answers. */
export type ControlResult<M extends ControlMethod> = z.output<(typeof controlMethods)[M]['result']>;
/** What `method` streams before its answer (`never` when it streams nothing). */
export type ControlEvent<M extends ControlMethod> = (typeof controlMethods)[M] extends { event: z.ZodType } ? z.output<(typeof controlMethods)[M]['event']> : never;

/**
 * Whether `name` is a method of {@link controlMethods} (own keys only: `toString` is not a method).
 *
 * @example
 * ```ts
 * if (!isControlMethod(request.method)) throw new Error('unknown method');
 * ```
 */
export function isControlMethod(name: string): name is ControlMethod {
  return Object.hasOwn(controlMethods, name);
}
