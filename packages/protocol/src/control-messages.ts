import { z } from 'zod';
import { wireErrorSchema } from './agent-messages.js';

/** Version of the client <-> daemon control protocol. */
export const CONTROL_PROTOCOL_VERSION = 1;

const requestId = z.union([z.string().min(1).max(128), z.number().int()]);

/** A client's request on the control socket. Methods are listed in docs/protocol.md. */
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
