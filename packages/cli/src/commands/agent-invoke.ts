import { canOpenBrowser, createBrowserOpener } from '@opperator/oauth/browser';
import type { InvokeOutcome } from '@opperator/protocol';
import { CliError } from '../cli-error.js';
import { readConfig } from '../config.js';
import { PastePrompt } from '../paste-prompt.js';
import { toTerminalJson, toTerminalText } from '../terminal-text.js';
import { signalExitCode, SIGNAL_ECHO_MS, type StopSignal } from '../interrupt.js';
import { argumentsHint } from './invoke-arguments.js';
import { withDaemon } from './with-daemon.js';

/** How long a Ctrl-C'd invoke waits for the agent to end the cancelled task before it stops waiting. */
export const CANCEL_WAIT_MS = 10_000;

/**
 * `opperator agent invoke NAME COMMAND [--args JSON] [--json] [--detach]`:
 * progress streams to stderr until the result, with no timeout of its own
 * (a browser sign-in may take minutes); a failed command exits 6. Ctrl-C
 * (or SIGTERM) cancels the task it started (`task.cancel`), waits up to
 * {@link CANCEL_WAIT_MS} for it to end and exits 130 (143). A sync command
 * has no task to cancel: it runs on in the agent; the CLI waits for its
 * answer as long, and says so.
 */
export async function agentInvoke(name: string, command: string, options: { args?: string; json?: boolean; detach?: boolean }): Promise<void> {
  let args: Record<string, unknown> = {};
  if (options.args !== undefined) {
    const parsed = parseArgsOption(options.args);
    // The reason, then what the command takes, so the next try can be right.
    if ('problem' in parsed) throw new CliError('usage', `${parsed.problem}\n${await argumentsHint(name, command)}`, { cause: parsed.cause });
    args = parsed.value;
  }
  let label = command;
  const detach = options.detach === true;
  // An attached invocation tells the agent someone is here, and whether a
  // browser opens here: sign-in pages open with this process's BROWSER and display.
  const config = readConfig();
  // Paste-back needs someone at a terminal, or an explicit { "paste": true } (the address then comes on stdin).
  const canPaste = Boolean(process.stdin.isTTY) || args.paste === true;
  const client = detach ? {} : { client: { browser: canOpenBrowser(config.browserEnvironment), paste: canPaste } };
  const openBrowser = createBrowserOpener(config.browser ? { browser: config.browser } : {});
  const opening: Array<Promise<void>> = [];
  let prompt: PastePrompt | undefined;
  const interruption = new Interruption();
  // A detached invoke answers at once: nothing of it to cancel, and Ctrl-C keeps its default effect.
  if (!detach) interruption.listen();
  const outcome = await withDaemon(async (daemon) => {
    interruption.cancelTask = (id) => daemon.request('task.cancel', { id });
    try {
      return await daemon.request('agent.invoke', { name, command, args, detach, ...client }, {
        signal: interruption.stopWaiting.signal,
        onEvent: (event) => {
          if ('task' in event) {
            if (event.task.progressLabel) label = event.task.progressLabel;
            interruption.started(event.task.id);
            return;
          }
          const { progress } = event;
          const percent = typeof progress.progress === 'number' ? ` ${Math.round(progress.progress * 100)}%` : '';
          process.stderr.write(`${toTerminalText(`${label}:${percent} ${progress.text ?? progress.status ?? ''}`)}\n`);
          if (progress.openUrl) opening.push(openForUser(openBrowser, progress.openUrl, label));
          if (progress.pasteBack && canPaste) {
            prompt ??= new PastePrompt({ input: process.stdin, output: process.stderr, config });
            prompt.ask(progress.pasteBack);
          }
        },
      });
    } catch (err) {
      if (interruption.received) return undefined;
      throw err;
    }
  }).finally(() => {
    interruption.unlisten();
    prompt?.close();
  });
  if (interruption.received) {
    process.stderr.write(`${interruption.report(outcome)}\n`);
    process.exitCode = signalExitCode(interruption.received);
    return;
  }
  if (!outcome) throw new CliError('failure', `${name} ${command}: no answer from the daemon.`);

  await Promise.all(opening);
  if ('detached' in outcome) {
    process.stdout.write(options.json ? `${toTerminalJson({ taskId: outcome.task.id })}\n` : `${toTerminalText(outcome.task.id)}\n`);
    return;
  }
  if (!outcome.ok) {
    if (options.json) process.stdout.write(`${toTerminalJson(outcome)}\n`);
    // Arguments the agent refused are the caller's mistake (a usage error), not the command failing.
    if (outcome.error.code !== undefined && REFUSED_ARGUMENT_CODES.has(outcome.error.code)) throw new CliError('usage', `${name} ${command}: ${outcome.error.message}\n${await argumentsHint(name, command)}`);
    throw new CliError('commandFailed', `${name} ${command} failed: ${outcome.error.message}`);
  }
  if (options.json) process.stdout.write(`${toTerminalJson(outcome.result)}\n`);
  else process.stdout.write(`${typeof outcome.result === 'string' ? toTerminalText(outcome.result, { multiline: true }) : toTerminalJson(outcome.result, 2)}\n`);
}

/** Error codes with which an agent refuses a command's arguments (the SDK's COMMAND_ERROR_CODES.invalidArguments, its SdkError). */
const REFUSED_ARGUMENT_CODES: ReadonlySet<string> = new Set(['INVALID_ARGUMENTS', 'SDK_INVALID_ARGUMENT']);

/** `--args`: a JSON object, else what is wrong with it (JSON.parse's reason, or what it is instead). */
function parseArgsOption(text: string): { value: Record<string, unknown> } | { problem: string; cause?: unknown } {
  const example = `e.g. --args '{"folder":"INBOX"}'`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { problem: `--args must be a JSON object, ${example}: ${err instanceof Error ? err.message : String(err)}.`, cause: err };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { problem: `--args must be a JSON object, ${example}; got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}.` };
  return { value: value as Record<string, unknown> };
}

/** Opens a page the agent asked for in the user's browser; when that fails, shows the URL to open by hand. */
async function openForUser(openBrowser: (url: string) => Promise<void>, url: string, label: string): Promise<void> {
  try {
    await openBrowser(url);
  } catch (err) {
    process.stderr.write(`${toTerminalText(`${label}: could not open a browser (${err instanceof Error ? err.message : String(err)}). Open this URL: ${url}`)}\n`);
  }
}

/**
 * Ctrl-C during a foreground invoke: the first SIGINT or SIGTERM cancels the
 * task (once its id is known) and stops waiting after {@link CANCEL_WAIT_MS};
 * a repeat within SIGNAL_ECHO_MS is the same Ctrl-C relayed by a parent; a
 * later one stops waiting at once.
 */
class Interruption {
  received: StopSignal | undefined;
  readonly stopWaiting = new AbortController();
  cancelTask: ((id: string) => Promise<unknown>) | undefined;
  #taskId: string | undefined;
  #receivedAt = 0;
  #cancel: Promise<string> | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #onSignal = (signal: StopSignal) => {
    if (this.received) {
      if (Date.now() - this.#receivedAt >= SIGNAL_ECHO_MS) this.stopWaiting.abort();
      return;
    }
    this.received = signal;
    this.#receivedAt = Date.now();
    process.stderr.write(`\n${signal === 'SIGINT' ? 'Interrupted' : 'Terminated'}: ${this.#taskId ? `cancelling task ${this.#taskId} ...` : 'cancelling the command ...'}\n`);
    this.#timer = setTimeout(() => this.stopWaiting.abort(), CANCEL_WAIT_MS);
    if (this.#taskId) this.#startCancel(this.#taskId);
    // No task (yet): a task event may still come; the response of a sync command ends the wait.
  };

  listen(): void {
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
  }

  unlisten(): void {
    clearTimeout(this.#timer);
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
  }

  /** The invoke became task `id`: cancelled now if a signal came first. */
  started(id: string): void {
    this.#taskId = id;
    if (this.received) this.#startCancel(id);
  }

  /** What happened to the command, for stderr. */
  report(outcome: InvokeOutcome | undefined): string {
    const id = this.#taskId;
    if (!id) return outcome ? 'opperator: the command ended before it could be cancelled.' : 'opperator: stopped waiting; the command was not a task, so it runs on in the agent until it ends.';
    if (outcome && 'ok' in outcome && !outcome.ok && outcome.error.code === 'CANCELLED') return `opperator: cancelled task ${id}.`;
    if (outcome) return `opperator: task ${id} ended before it could be cancelled (${'ok' in outcome && outcome.ok ? 'succeeded' : 'failed'}).`;
    return `opperator: stopped waiting; task ${id} may still be running (${this.#cancel ? 'cancel asked' : 'not cancelled'}). See: opperator task get ${id}; stop it: opperator task cancel ${id}`;
  }

  #startCancel(id: string): void {
    // A task that already ended cannot be cancelled (DAEMON_TASK_NOT_FOUND): its response is on its way.
    this.#cancel ??= (this.cancelTask?.(id) ?? Promise.resolve()).then(
      () => 'asked',
      (err: unknown) => `refused: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
