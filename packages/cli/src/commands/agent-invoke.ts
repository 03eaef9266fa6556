import { canOpenBrowser, createBrowserOpener } from '@opperator/oauth/browser';
import { CliError } from '../cli-error.js';
import { readConfig } from '../config.js';
import { PastePrompt, type PasteBackRequest } from '../paste-prompt.js';
import { toTerminalJson, toTerminalText } from '../terminal-text.js';
import { withDaemon } from './with-daemon.js';

type Outcome = { ok: true; result: unknown; taskId?: string } | { ok: false; error: { message: string; code?: string }; taskId?: string } | { detached: true; task: { id: string } };

/**
 * `opperator agent invoke NAME COMMAND [--args JSON] [--json] [--detach]`:
 * progress streams to stderr until the result, with no timeout of its own
 * (a browser sign-in may take minutes); a failed command exits 6.
 */
export async function agentInvoke(name: string, command: string, options: { args?: string; json?: boolean; detach?: boolean }): Promise<void> {
  let args: Record<string, unknown> = {};
  if (options.args !== undefined) {
    try {
      args = JSON.parse(options.args) as Record<string, unknown>;
    } catch {
      throw new CliError('usage', `--args must be a JSON object, e.g. --args '{"folder":"INBOX"}'.`);
    }
    if (!args || typeof args !== 'object' || Array.isArray(args)) throw new CliError('usage', `--args must be a JSON object, e.g. --args '{"folder":"INBOX"}'.`);
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
  const outcome = await withDaemon((daemon) =>
    daemon.request<Outcome>('agent.invoke', { name, command, args, detach, ...client }, (event) => {
      const task = event.task as { id: string; progressLabel?: string | null } | undefined;
      if (task?.progressLabel) label = task.progressLabel;
      const progress = event.progress as { text?: string; progress?: number; status?: string; openUrl?: string; pasteBack?: PasteBackRequest } | undefined;
      if (progress) {
        const percent = typeof progress.progress === 'number' ? ` ${Math.round(progress.progress * 100)}%` : '';
        process.stderr.write(`${toTerminalText(`${label}:${percent} ${progress.text ?? progress.status ?? ''}`)}\n`);
        if (progress.openUrl) opening.push(openForUser(openBrowser, progress.openUrl, label));
        if (progress.pasteBack && canPaste) {
          prompt ??= new PastePrompt({ input: process.stdin, output: process.stderr, config });
          prompt.ask(progress.pasteBack);
        }
      }
    }),
  ).finally(() => prompt?.close());

  await Promise.all(opening);
  if ('detached' in outcome) {
    process.stdout.write(options.json ? `${toTerminalJson({ taskId: outcome.task.id })}\n` : `${toTerminalText(outcome.task.id)}\n`);
    return;
  }
  if (!outcome.ok) {
    if (options.json) process.stdout.write(`${toTerminalJson(outcome)}\n`);
    throw new CliError('commandFailed', `${name} ${command} failed: ${outcome.error.message}`);
  }
  if (options.json) process.stdout.write(`${toTerminalJson(outcome.result)}\n`);
  else process.stdout.write(`${typeof outcome.result === 'string' ? toTerminalText(outcome.result, { multiline: true }) : toTerminalJson(outcome.result, 2)}\n`);
}

/** Opens a page the agent asked for in the user's browser; when that fails, shows the URL to open by hand. */
async function openForUser(openBrowser: (url: string) => Promise<void>, url: string, label: string): Promise<void> {
  try {
    await openBrowser(url);
  } catch (err) {
    process.stderr.write(`${toTerminalText(`${label}: could not open a browser (${err instanceof Error ? err.message : String(err)}). Open this URL: ${url}`)}\n`);
  }
}
