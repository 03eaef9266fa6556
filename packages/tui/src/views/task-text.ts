import type { TaskRow } from '../state/types.js';

// Stops at whitespace, quotes and angle brackets (markup or `<url>` style
// delimiters); trailing sentence punctuation is trimmed after the match.
const URL_PATTERN = /https?:\/\/[^\s"'<>`]+/i;

/**
 * The first http(s) URL in a progress text, without trailing punctuation
 * (`Open https://x/device.` gives `https://x/device`). A sign-in reports
 * "open this URL"; the tasks pane shows it whole so it can be copied.
 *
 * @example
 * ```ts
 * findUrl('Open https://127.0.0.1:4000/device?user_code=ABCD, then wait'); // 'https://127.0.0.1:4000/device?user_code=ABCD'
 * findUrl('Listing messages'); // undefined
 * ```
 */
export function findUrl(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const match = URL_PATTERN.exec(text);
  if (!match) return undefined;
  let url = match[0].replace(/[.,;:!?]+$/, '');
  // A URL in parentheses keeps its own balanced ones (Wikipedia-style) only.
  while (url.endsWith(')') && count(url, '(') < count(url, ')')) url = url.slice(0, -1);
  return url;
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/**
 * What a task is called on screen: its progress label, else its command.
 *
 * @example
 * ```ts
 * taskLabel({ command: 'check_now', progressLabel: 'Checking Gmail' } as TaskRow); // 'Checking Gmail'
 * ```
 */
export function taskLabel(task: Pick<TaskRow, 'command' | 'progressLabel'>): string {
  return task.progressLabel !== undefined && task.progressLabel !== '' ? task.progressLabel : task.command;
}

/**
 * A finished task's outcome as one line: the result as compact JSON for a
 * success (nothing for `undefined`/`null`), the error message for a failure,
 * `cancelled` for a cancellation. Callers truncate it.
 *
 * @example
 * ```ts
 * outcomeText({ state: 'succeeded', result: { unread: 3 } } as TaskRow); // '{"unread":3}'
 * outcomeText({ state: 'failed', error: { message: 'agent exited' } } as TaskRow); // 'agent exited'
 * ```
 */
export function outcomeText(task: Pick<TaskRow, 'state' | 'result' | 'error'>): string {
  switch (task.state) {
    case 'succeeded':
      return task.result === undefined || task.result === null ? '' : toCompactJson(task.result);
    case 'failed':
      return task.error?.message ?? 'failed';
    case 'cancelled':
      return 'cancelled';
    default:
      return '';
  }
}

/**
 * A value as single-line JSON; values JSON cannot hold (cycles, BigInt) are
 * shown as `String(value)` rather than throwing inside a render.
 *
 * @example
 * ```ts
 * toCompactJson({ a: [1, 2] }); // '{"a":[1,2]}'
 * ```
 */
export function toCompactJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch (error) {
    // A result the daemon passed on came from JSON, so this is a caller's
    // hand-built value; showing something beats failing the whole frame.
    return `${String(value)} (${error instanceof Error ? error.message : 'not JSON'})`;
  }
}
