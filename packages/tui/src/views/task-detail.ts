import { toDisplayText } from '../markup-text.js';
import type { TaskRow } from '../state/types.js';
import { formatLogTime } from './log-lines.js';
import { taskSignInPrompt, type SignInPromptOptions } from './sign-in-prompt.js';
import { taskLabel, toCompactJson } from './task-text.js';
import { toOneLine, wrapText, wrapWords } from './text-fit.js';

/** One row of a task's details: plain text, with how to draw it. */
export interface TaskDetailLine {
  text: string;
  /** `heading` rows are bold, `error` red, `dim` grey. */
  style?: 'heading' | 'error' | 'dim';
}

/**
 * Everything known about a task, laid out as rows of at most `width`
 * columns: what ran (command and arguments), when, and its outcome in full:
 * the result as indented JSON, or the error's code and whole message; for a
 * running task its latest progress, and what a sign-in asks of the user
 * (its code, its page in full, where a pasted address goes). The tasks pane shows one truncated line
 * per task; this is what Enter opens.
 *
 * @example
 * ```ts
 * taskDetailLines(task, 60).map((line) => line.text); // ['Checking Gmail', 'command  check_now', ...]
 * taskDetailLines(task, 60, { settledPasteBacks }); // no paste request once its address was accepted
 * ```
 */
export function taskDetailLines(task: TaskRow, width: number, options: SignInPromptOptions = {}): TaskDetailLine[] {
  const lines: TaskDetailLine[] = [];
  const add = (text: string, style?: TaskDetailLine['style']) => {
    // Line breaks are the layout's; anything else that could move the cursor is neutralised.
    for (const line of text.split(/\r?\n/)) for (const row of wrapText(toDisplayText(line), width)) lines.push(style ? { text: row, style } : { text: row });
  };
  add(taskLabel(task), 'heading');
  add(`command  ${task.command}`);
  if (task.args && Object.keys(task.args).length > 0) add(`args     ${toCompactJson(task.args)}`);
  add(`state    ${task.state}`);
  add(`started  ${formatLogTime(task.createdAt)}`);
  if (task.state !== 'running') add(`ended    ${formatLogTime(task.updatedAt)} (${seconds(task.updatedAt - task.createdAt)})`);
  lines.push({ text: '' });
  switch (task.state) {
    case 'running': {
      const { text, progress, status } = task.progress;
      add('Progress', 'heading');
      if (typeof progress === 'number') add(`${Math.round(progress * 100)}%`);
      // Prose, wrapped between words: a URL or a code in it stays in one piece where it fits.
      if (text ?? status) for (const row of wrapWords(toDisplayText(toOneLine(text ?? status ?? '')), width)) lines.push({ text: row });
      else add('waiting for the first progress report', 'dim');
      addSignIn(task, width, lines, options);
      break;
    }
    case 'succeeded':
      add('Result', 'heading');
      add(task.result === undefined ? 'no result' : prettyJson(task.result), task.result === undefined ? 'dim' : undefined);
      break;
    case 'failed':
      add(task.error?.code ? `Error ${task.error.code}` : 'Error', 'heading');
      add(task.error?.message ?? 'failed', 'error');
      break;
    case 'cancelled':
      add('Cancelled', 'heading');
      break;
  }
  return lines;
}

/** A running sign-in's request, spelled out: the code to enter, or what to paste where; then its page, whole, on rows of its own. */
function addSignIn(task: TaskRow, width: number, lines: TaskDetailLine[], options: SignInPromptOptions): void {
  const prompt = taskSignInPrompt(task, options);
  if (prompt === undefined || prompt.kind === 'open') return;
  const words = (text: string, style?: TaskDetailLine['style']) => {
    for (const row of wrapWords(toDisplayText(text), width)) lines.push(style ? { text: row, style } : { text: row });
  };
  lines.push({ text: '' });
  words('Sign in', 'heading');
  if (prompt.kind === 'device') words(`code     ${prompt.userCode}${prompt.validUntil ? ` (valid until ${prompt.validUntil})` : ''}`);
  else words(`Open this page in a browser on any machine and sign in, then press p and paste the address it ends on (it starts with ${prompt.redirectUri}).`);
  words('page', 'dim');
  for (const row of wrapText(toDisplayText(prompt.url), width)) lines.push({ text: row });
}

/** Indented JSON, or what {@link toCompactJson} makes of values JSON cannot hold. */
function prettyJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return toCompactJson(value);
  }
}

/** A duration in seconds with one decimal. */
function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}
