import type { TaskRow } from '../state/types.js';
import { findUrl } from './task-text.js';

/** A device-flow code as a sign-in's progress text gives it. */
export interface DeviceCode {
  /** The page to enter the code on. */
  url: string;
  /** What the user types there, such as `ABCD-EFGH`. */
  userCode: string;
  /** Until when it may be entered, as the agent wrote it (local time). */
  validUntil?: string;
}

/** A sign-in waiting for the address a browser elsewhere ended on (a progress report's `pasteBack`). */
export interface PasteBackRequest {
  /** The sign-in page, to open in a browser on any machine. */
  url: string;
  /** The agent's loopback receiver: the pasted address must start with it. */
  redirectUri: string;
}

/**
 * What a running sign-in asks of the user, from its latest progress: paste
 * the address a browser ended on (`paste`), enter a code (`device`), or
 * just open a page (`open`).
 *
 * @example
 * ```ts
 * const prompt: SignInPrompt = { kind: 'device', url: 'https://example.com/device', userCode: 'ABCD-EFGH', taskId: 't1' };
 * ```
 */
export type SignInPrompt = { taskId: string } & (({ kind: 'paste' } & PasteBackRequest) | ({ kind: 'device' } & DeviceCode) | { kind: 'open'; url: string });

// The SDK's device-flow line: "Open <url> and enter the code <code> (valid until <time>)."
const DEVICE_PATTERN = /(https?:\/\/[^\s"'<>`]+)\s+and enter the code\s+([A-Z0-9][A-Z0-9-]*)/i;
const VALID_UNTIL_PATTERN = /\(valid until ([^)]+)\)/i;

/**
 * The device code and its page in a sign-in's progress text ("Open <url>
 * and enter the code ABCD-EFGH (valid until 12:34:56)"), or `undefined`
 * when the text asks for no code.
 *
 * @example
 * ```ts
 * parseDeviceCode('Open https://x.test/device and enter the code ABCD-EFGH (valid until 12:34:56). Waiting...');
 * // { url: 'https://x.test/device', userCode: 'ABCD-EFGH', validUntil: '12:34:56' }
 * ```
 */
export function parseDeviceCode(text: string | undefined): DeviceCode | undefined {
  const match = text === undefined ? null : DEVICE_PATTERN.exec(text);
  if (!match) return undefined;
  const url = findUrl(match[1]);
  if (url === undefined) return undefined;
  const validUntil = VALID_UNTIL_PATTERN.exec(text!.slice(match.index))?.[1]?.trim();
  return { url, userCode: match[2]!, ...(validUntil ? { validUntil } : {}) };
}

/** Options of {@link taskSignInPrompt} and {@link signInPrompt}. */
export interface SignInPromptOptions {
  /**
   * Redirect URIs of sign-ins that wait for no pasted address any more
   * (this client's paste field had one accepted, or finally refused): until
   * its task ends, such a sign-in asks nothing of the user.
   */
  settledPasteBacks?: ReadonlySet<string>;
}

/**
 * What one task asks of the user while it runs, if anything: a paste-back
 * request first (its text also names the scope URLs that explain why; none
 * once settled, see {@link SignInPromptOptions}), then a device code, then a
 * page handed to the client (`openUrl`), then the first URL of the text.
 *
 * @example
 * ```ts
 * taskSignInPrompt(task); // { kind: 'device', url, userCode: 'ABCD-EFGH', taskId: task.id }
 * taskSignInPrompt(pasteTask, { settledPasteBacks: new Set([redirectUri]) }); // undefined: its address was accepted
 * ```
 */
export function taskSignInPrompt(task: TaskRow, options: SignInPromptOptions = {}): SignInPrompt | undefined {
  if (task.state !== 'running') return undefined;
  const { pasteBack, openUrl, text } = task.progress;
  // Settled: not the text's URLs either (the first is a scope's), nothing until the task ends.
  if (pasteBack && options.settledPasteBacks?.has(pasteBack.redirectUri)) return undefined;
  if (pasteBack) return { kind: 'paste', url: pasteBack.url, redirectUri: pasteBack.redirectUri, taskId: task.id };
  const device = parseDeviceCode(text);
  if (device) return { kind: 'device', ...device, taskId: task.id };
  const url = openUrl ?? findUrl(text);
  return url === undefined ? undefined : { kind: 'open', url, taskId: task.id };
}

/**
 * The prompt to put in front of the user: that of the newest running task
 * that has one (see {@link taskSignInPrompt}); with `kind`, the newest of
 * that kind only.
 *
 * @example
 * ```ts
 * signInPrompt(tasks)?.url;      // the sign-in URL to show
 * signInPrompt(tasks, 'paste');  // the newest sign-in waiting for a pasted address
 * signInPrompt(tasks, undefined, { settledPasteBacks }); // leaving out sign-ins whose address was accepted
 * ```
 */
export function signInPrompt<K extends SignInPrompt['kind']>(tasks: readonly TaskRow[], kind?: K, options: SignInPromptOptions = {}): Extract<SignInPrompt, { kind: K }> | undefined {
  let newest: { prompt: SignInPrompt; createdAt: number } | undefined;
  for (const task of tasks) {
    const prompt = taskSignInPrompt(task, options);
    if (prompt === undefined || (kind !== undefined && prompt.kind !== kind)) continue;
    if (newest === undefined || task.createdAt > newest.createdAt) newest = { prompt, createdAt: task.createdAt };
  }
  return newest?.prompt as Extract<SignInPrompt, { kind: K }> | undefined;
}

/**
 * The sign-in URL to put in front of the user: from the newest running task
 * that has one (see {@link signInPrompt}).
 *
 * @example
 * ```ts
 * signInUrl(tasks); // 'https://127.0.0.1:4000/device?user_code=ABCD' or undefined
 * ```
 */
export function signInUrl(tasks: readonly TaskRow[]): string | undefined {
  return signInPrompt(tasks)?.url;
}
