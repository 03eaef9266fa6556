import { z } from 'zod';
import { wireErrorSchema } from './agent-messages.js';

/**
 * Version of the client <-> daemon control protocol, exchanged by `hello`
 * on connect. 2: `hello`, params checked against `controlMethods`.
 */
export const CONTROL_PROTOCOL_VERSION = 2;

const requestId = z.union([z.string().min(1).max(128), z.number().int()]);

/** A client's request on the control socket. Methods and their params: `controlMethods` (control-methods.ts). */
export const controlRequestSchema = z.object({
  id: requestId,
  method: z.string().min(1).max(64),
  params: z.record(z.string(), z.unknown()).optional(),
});
export type ControlRequest = z.infer<typeof controlRequestSchema>;

/** The daemon's messages to a client: one final `response` per request, and `event`s before it for streams. */
export const controlMessageSchema = z.discriminatedUnion('type', [
  z.discriminatedUnion('ok', [
    z.object({ type: z.literal('response'), id: requestId, ok: z.literal(true), result: z.unknown() }),
    z.object({ type: z.literal('response'), id: requestId, ok: z.literal(false), error: wireErrorSchema }),
  ]),
  /** A streamed item of a request still running (progress of an invoke, a followed log line). */
  z.object({ type: z.literal('event'), id: requestId, event: z.record(z.string(), z.unknown()) }),
]);
export type ControlMessage = z.infer<typeof controlMessageSchema>;

/**
 * The variables that decide whether a browser can open from a process
 * (`canOpenBrowser` of @opperator/oauth/browser): the daemon tells their
 * values in `daemon.status`, and passes them to every agent it starts.
 */
export const BROWSER_ENVIRONMENT_VARIABLES = ['BROWSER', 'DISPLAY', 'WAYLAND_DISPLAY'] as const;

/** Longest environment value `daemon.status` carries. */
export const MAX_ENVIRONMENT_VALUE_LENGTH = 4096;

const environmentValue = z.string().min(1).max(MAX_ENVIRONMENT_VALUE_LENGTH);

/** The daemon's {@link BROWSER_ENVIRONMENT_VARIABLES} that are set (to a non-empty value). */
export const browserEnvironmentSchema = z.object({ BROWSER: environmentValue.optional(), DISPLAY: environmentValue.optional(), WAYLAND_DISPLAY: environmentValue.optional() });
export type BrowserEnvironment = z.infer<typeof browserEnvironmentSchema>;

/**
 * The result of `daemon.status`. `environment` tells where the daemon's
 * agents run: its platform and the browser variables above, never the rest of
 * its environment (no tokens, no secrets). A daemon older than the field
 * leaves it out; a client reads an unreadable one as left out.
 *
 * @example
 * ```ts
 * const status = daemonStatusSchema.parse(await client.request('daemon.status'));
 * const opens = status.environment && canOpenBrowser(status.environment.browser, status.environment.platform as NodeJS.Platform);
 * ```
 */
export const daemonStatusSchema = z.object({
  pid: z.number().int().positive(),
  home: z.string(),
  startedAt: z.number(),
  /** How many agents agents.yaml defines. */
  agents: z.number().int().nonnegative(),
  // Unreadable (a value over the limit) reads as absent: the rest of the status still counts.
  environment: z.object({ platform: z.string().min(1).max(32), browser: browserEnvironmentSchema }).optional().catch(undefined),
  /** Where this daemon keeps its files (`homeLayout`), and its socket; absent from daemons older than the XDG layout. */
  paths: z
    .object({ config: z.string(), state: z.string(), cache: z.string(), data: z.string(), run: z.string(), socket: z.string(), forced: z.boolean() })
    .optional()
    .catch(undefined),
});
export type DaemonStatus = z.infer<typeof daemonStatusSchema>;
