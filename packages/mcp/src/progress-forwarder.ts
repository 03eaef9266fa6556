import type { Progress } from '@opperator/protocol';
import type { ToolRequestExtra } from './invoke-command.js';

/**
 * How long the result waits after a progress notification sent just before
 * it. The SDK's client dispatches notifications a microtask late but
 * responses at once, so progress read in the same chunk as the response is
 * dropped as "unknown token" (modelcontextprotocol/typescript-sdk#2580):
 * a separate write a moment later lets the last step (often "done") arrive.
 */
export const PROGRESS_SETTLE_MS = 15;

/**
 * How often a command that reports nothing still gets a progress
 * notification (its last message again): a client that resets its request
 * timeout on progress then keeps waiting for a sign-in the user is still
 * finishing, instead of cancelling it.
 */
export const PROGRESS_HEARTBEAT_MS = 10_000;

/**
 * A command's progress updates as `notifications/progress` for the
 * request's progress token (nothing without one): the fraction as
 * `progress` of `total` 100, growing with every notification as MCP wants;
 * the text, and any page to open, as `message`; the last message repeated
 * every {@link PROGRESS_HEARTBEAT_MS} while nothing new comes.
 *
 * @example
 * ```ts
 * const progress = new ProgressForwarder(extra);
 * onEvent: (event) => progress.forward(event.progress);
 * await progress.flushed(); progress.stop();
 * ```
 */
export class ProgressForwarder {
  readonly #extra: ToolRequestExtra;
  #last = 0;
  #message = '';
  #sent: Promise<void> = Promise.resolve();
  #lastSentAt = -Infinity;
  readonly #heartbeat: NodeJS.Timeout | undefined;

  constructor(extra: ToolRequestExtra, options: { heartbeatMs?: number } = {}) {
    this.#extra = extra;
    if (extra._meta?.progressToken === undefined) return;
    const every = options.heartbeatMs ?? PROGRESS_HEARTBEAT_MS;
    this.#heartbeat = setInterval(() => {
      if (performance.now() - this.#lastSentAt >= every) this.#send(this.#last, this.#message || 'Still running...');
    }, every);
    // A heartbeat alone never keeps the process alive.
    this.#heartbeat.unref();
  }

  /** Sends one update of the command. */
  forward(update: Progress): void {
    const reported = typeof update.progress === 'number' ? Math.round(update.progress * 1000) / 10 : this.#last;
    this.#message = describeProgress(update);
    this.#send(reported, this.#message);
  }

  /** Resolves once every notification is written and settled (see {@link PROGRESS_SETTLE_MS}): a client drops progress that comes after the result. */
  async flushed(): Promise<void> {
    await this.#sent;
    const wait = this.#lastSentAt + PROGRESS_SETTLE_MS - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** Ends the heartbeat. */
  stop(): void {
    clearInterval(this.#heartbeat);
  }

  #send(reported: number, message: string): void {
    const token = this.#extra._meta?.progressToken;
    if (token === undefined) return;
    // MCP wants progress to grow with every notification: a repeated value is nudged up by a hair.
    const value = Math.max(reported, Math.round((this.#last + 0.01) * 100) / 100);
    this.#last = value;
    const sending = this.#extra
      .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: value, total: 100, ...(message ? { message } : {}) } })
      // A client gone mid-command: the command's end (or its cancel) is what matters.
      .catch((err: unknown) => void err);
    this.#sent = this.#sent.then(() => sending);
    this.#lastSentAt = performance.now();
  }
}

/** One line for a progress notification: the text or status, and any page the user must open. */
export function describeProgress(update: Progress): string {
  const parts = [update.text ?? update.status ?? ''];
  if (update.openUrl && !parts[0]!.includes(update.openUrl)) parts.push(`Open this page to continue: ${update.openUrl}`);
  if (update.pasteBack && !parts[0]!.includes(update.pasteBack.url)) parts.push(`Open this page to continue: ${update.pasteBack.url}`);
  return parts.filter((part) => part !== '').join(' ');
}

