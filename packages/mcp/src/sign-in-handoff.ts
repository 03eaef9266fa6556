import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SIGN_IN_COMMAND_PREFIXES, type Progress } from '@opperator/protocol';
import { textResult } from './tool-results.js';

/** Where the user finishes a sign-in, read from its progress. */
export interface SignInPrompt {
  /** The page to open. */
  url: string;
  /** The device flow's code to enter there, when it is one. */
  userCode?: string;
  /** The progress line as the agent wrote it. */
  text: string;
}

/**
 * A sign-in called without a progress token would keep the page to open
 * (and the device code) in progress notifications nobody receives: many
 * hosts show the model only the tool's result. So for such a call, the
 * first progress line that names the page answers the call at once, with
 * the page, the code and the task that goes on, and `task_status` tells the
 * outcome. A call with a progress token streams as any command does, and
 * its result comes once the user has signed in.
 *
 * @example
 * ```ts
 * const handoff = SignInHandoff.applies(command.name, extra) ? new SignInHandoff() : undefined;
 * onEvent: (event) => ('task' in event ? handoff?.taskStarted(event.task.id) : handoff?.offer(event.progress, { agent, command }));
 * ```
 */
export class SignInHandoff {
  readonly #answer: Promise<CallToolResult>;
  #resolve!: (result: CallToolResult) => void;
  #done = false;
  #prompt: (SignInPrompt & { agent: string; command: string }) | undefined;
  #taskId: string | undefined;

  constructor() {
    this.#answer = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** True for a sign-in command (`authorize_<name>`) called without a progress token. */
  static applies(commandName: string, progressToken: unknown): boolean {
    return progressToken === undefined && commandName.startsWith(SIGN_IN_COMMAND_PREFIXES.authorize);
  }

  /** Settles once a progress line names the page (and the task is known): the call's early answer. */
  get answer(): Promise<CallToolResult> {
    return this.#answer;
  }

  /** Looks at one progress update of the sign-in (the task id may come before or after the page). */
  offer(update: Progress, describe: { agent: string; command: string }): void {
    if (this.#prompt) return;
    const prompt = signInPrompt(update);
    if (!prompt) return;
    this.#prompt = { ...prompt, ...describe };
    this.#settle();
  }

  /** The sign-in's task id, once the daemon names it. */
  taskStarted(taskId: string): void {
    this.#taskId = taskId;
    this.#settle();
  }

  #settle(): void {
    const prompt = this.#prompt;
    const taskId = this.#taskId;
    if (this.#done || !prompt || taskId === undefined) return;
    this.#done = true;
    const follow = `task_status {"task_id":${JSON.stringify(taskId)}}`;
    const text = [
      `The user must finish signing in: ${prompt.text}`,
      `Show them ${prompt.userCode ? `the page ${prompt.url} and the code ${prompt.userCode}` : `the page ${prompt.url}`}.`,
      `${prompt.agent} ${prompt.command} goes on as task ${taskId} until they do (or the code expires); ${follow} tells when it is done and as whom.`,
    ].join('\n');
    this.#resolve(textResult(text, { status: 'waiting-for-user', url: prompt.url, ...(prompt.userCode ? { userCode: prompt.userCode } : {}), taskId }));
  }
}

/**
 * The page (and device code) a sign-in's progress asks the user to visit:
 * `openUrl` when the agent sends one, else the first http(s) URL of the
 * text, with the code from "enter the code X". Undefined for other lines.
 *
 * @example
 * ```ts
 * signInPrompt({ text: 'Open http://127.0.0.1:9440/device and enter the code BCDF-GHJK (valid until 14:03:07).' });
 * // { url: 'http://127.0.0.1:9440/device', userCode: 'BCDF-GHJK', text: '…' }
 * ```
 */
export function signInPrompt(update: Progress): SignInPrompt | undefined {
  const text = update.text ?? '';
  const url = update.openUrl ?? /https?:\/\/[^\s)>"']+/.exec(text)?.[0]?.replace(/[.,;:]+$/, '');
  if (!url) return undefined;
  const userCode = /\benter the code ([A-Za-z0-9-]+)/.exec(text)?.[1];
  return { url, ...(userCode ? { userCode } : {}), text };
}
