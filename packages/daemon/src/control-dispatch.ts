import { CONTROL_ERROR, CONTROL_PROTOCOL_VERSION, controlMethods, protocolMismatchMessage, type ControlMethod } from '@opperator/protocol';
import type { z } from 'zod';
import type { ControlContext, ControlHandler } from './control-server.js';
import { DaemonError } from './daemon-error.js';

type Schemas = typeof controlMethods;

/**
 * A method's handler, given its params parsed by the method's schema. It
 * returns what the result schema describes; that is checked by the clients
 * (records are loose objects, which the stores' interfaces cannot be typed
 * against), not here.
 */
export type MethodHandler<M extends ControlMethod> = (params: z.output<Schemas[M]['params']>, context: ControlContext) => Promise<unknown>;

/** One handler per control method but `hello`, which {@link dispatchTable} answers itself. */
export type MethodHandlers = { [M in Exclude<ControlMethod, 'hello'>]: MethodHandler<M> };

/**
 * The control server's handler table from typed handlers: every request's
 * params are parsed with its method's schema first, so a handler never sees
 * a wrong type (`DAEMON_BAD_REQUEST`, naming the field, otherwise). Adds
 * `hello`, which refuses another protocol version with
 * `DAEMON_PROTOCOL_MISMATCH`. Methods outside `controlMethods` are unknown
 * (`DAEMON_UNKNOWN_METHOD`, from the server).
 *
 * @example
 * ```ts
 * new ControlServer(socketPath, dispatchTable({ 'agent.list': async () => rows(), ... }));
 * ```
 */
export function dispatchTable(handlers: MethodHandlers): Record<string, ControlHandler> {
  const all: { [M in ControlMethod]: MethodHandler<M> } = { ...handlers, hello: answerHello };
  const table: Record<string, ControlHandler> = {};
  for (const method of Object.keys(controlMethods) as ControlMethod[]) {
    const handler = all[method] as (params: unknown, context: ControlContext) => Promise<unknown>;
    const schema = controlMethods[method].params;
    table[method] = async (params, context) => {
      const parsed = schema.safeParse(params);
      if (!parsed.success) throw new DaemonError(CONTROL_ERROR.BAD_REQUEST, `Invalid params for ${method}: ${describeIssues(parsed.error.issues)}`);
      return handler(parsed.data, context);
    };
  }
  return table;
}

const answerHello: MethodHandler<'hello'> = async ({ protocolVersion }) => {
  if (protocolVersion !== CONTROL_PROTOCOL_VERSION) throw new DaemonError(CONTROL_ERROR.PROTOCOL_MISMATCH, protocolMismatchMessage(CONTROL_PROTOCOL_VERSION, protocolVersion));
  return { protocolVersion: CONTROL_PROTOCOL_VERSION };
};

/** The first issues of a failed parse, by path, with the schema's words (custom messages name the fix); values are never echoed. */
function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues.slice(0, 3).map((issue) => `${issue.path.map(String).join('.') || '(params)'}: ${issue.message}`).join('; ');
}
