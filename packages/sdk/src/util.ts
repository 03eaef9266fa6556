// Small helpers shared by the agent and the runtime.
import { SdkError } from './errors.js';
import type { LogFields } from './types.js';

/**
 * Throws SDK_INVALID_ARGUMENT unless `name` fits the protocol's names (1 to 128 characters).
 *
 * @example
 * ```ts
 * checkName('registerSection', id);
 * ```
 */
export function checkName(method: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > 128) {
    throw new SdkError('SDK_INVALID_ARGUMENT', `${method}(): the id/name must be a string of 1 to 128 characters`);
  }
}

/**
 * Log fields as they can cross the wire: Error values become `{ name, message }`,
 * since JSON.stringify would turn them into `{}`.
 *
 * @example
 * ```ts
 * plainFields({ error: new Error('boom') }); // { error: { name: 'Error', message: 'boom' } }
 * ```
 */
export function plainFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) out[key] = value instanceof Error ? { name: value.name, message: value.message } : value;
  return out;
}

/**
 * True when `work` settled within `ms`, false when the time ran out first (the work goes on).
 *
 * @example
 * ```ts
 * if (!(await settlesWithin(server.close(), 1_000))) log('still closing');
 * ```
 */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
