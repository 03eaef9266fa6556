import { toDisplayText } from '../markup-text.js';
import type { SignInPrompt } from './sign-in-prompt.js';
import { truncateMiddle, wrapText, wrapWords } from './text-fit.js';

/** Where a pasted address stands, for the paste field's status rows. */
export interface PasteFieldStatus {
  /** `delivering` while the receiver has not answered; `refused` when it (or the check before sending) said no. */
  kind: 'delivering' | 'refused';
  /** What to say: the receiver's reason, in words. */
  text: string;
}

/** The paste field while open: the sign-in it answers and what has been pasted so far. */
export interface PasteFieldView {
  /** The sign-in page, to open in a browser on any machine. */
  url: string;
  /** The agent's loopback receiver: the pasted address starts with it. */
  redirectUri: string;
  /** Who is signing in, such as `invoice-monitor authorize_gmail`. */
  label?: string;
  /** The text pasted or typed so far, drawn as it is. */
  text: string;
  status?: PasteFieldStatus;
}

/** One row of the sign-in strip: plain text, with how to draw it. */
export interface StripLine {
  text: string;
  /** `title` bold, `url` underlined in cyan, `input` with a cursor after it, `busy` yellow, `refused` red, `dim` grey. */
  style: 'title' | 'url' | 'input' | 'busy' | 'refused' | 'dim';
}

/** Rows of the screen the sign-in strip never takes: the status line and a few rows of the panes. */
export const MIN_BODY_ROWS_UNDER_STRIP = 3;

/** What the strip needs: the paste field when open, else the prompt of a running sign-in. */
export interface SignInStripInput {
  prompt?: SignInPrompt | undefined;
  field?: PasteFieldView | undefined;
}

/**
 * The rows of the sign-in strip, full width above the status line: the
 * paste field when open (the sign-in page, what to paste, the pasted text,
 * the outcome, the keys), else what a running sign-in asks (a code and its
 * page, a page to open, or a page to open elsewhere and `p` to paste).
 * URLs are hard-wrapped at column 0 and never cut, so they can be selected
 * and copied whole (browsers drop the line breaks of a pasted URL). When the
 * rows do not fit in `maxRows`, the least needed go first (the key hint,
 * then the titles), the field's input row last.
 *
 * @example
 * ```ts
 * signInStripLines({ prompt: { kind: 'open', url, taskId: 't1' } }, 80, 20); // the URL's rows
 * ```
 */
export function signInStripLines(input: SignInStripInput, width: number, maxRows: number): StripLine[] {
  const rows: Array<StripLine & { keep: number }> = [];
  const add = (text: string, style: StripLine['style'], keep: number, wrap: 'words' | 'hard' = 'words') => {
    for (const row of wrap === 'hard' ? wrapText(toDisplayText(text), width) : wrapWords(toDisplayText(text), width)) rows.push({ text: row, style, keep });
  };
  const { field, prompt } = input;
  if (field) {
    add(`Sign in${field.label ? ` (${field.label})` : ''}: open this page in a browser on any machine and sign in:`, 'title', 2);
    add(field.url, 'url', 5, 'hard');
    add(`The browser then ends on an address starting with ${field.redirectUri} that does not load. Paste that whole address here and press Enter:`, 'dim', 3);
    rows.push({ text: `› ${truncateMiddle(toDisplayText(field.text), Math.max(1, width - 3))}`, style: 'input', keep: 6 });
    if (field.status) add(field.status.kind === 'refused' ? `✗ ${field.status.text}` : field.status.text, field.status.kind === 'refused' ? 'refused' : 'busy', 4);
    const count = field.text.length > 0 ? `${field.text.length} characters · ` : '';
    add(`${count}Enter delivers · Esc hides this (the sign-in keeps waiting; p brings it back)`, 'dim', 1);
  } else if (prompt?.kind === 'paste') {
    add('Sign in: open this page in a browser on any machine, then press p and paste the address it ends on:', 'title', 2);
    add(prompt.url, 'url', 5, 'hard');
  } else if (prompt?.kind === 'device') {
    add(`Sign in: enter the code ${prompt.userCode} at this page${prompt.validUntil ? ` (valid until ${prompt.validUntil})` : ''}:`, 'title', 4);
    add(prompt.url, 'url', 5, 'hard');
  } else if (prompt) {
    add(prompt.url, 'url', 5, 'hard');
  }
  // The least needed rows go first, the last of them first, until the rest fits.
  const room = Math.max(0, maxRows);
  while (rows.length > room) {
    const lowest = Math.min(...rows.map((row) => row.keep));
    const index = rows.map((row) => row.keep).lastIndexOf(lowest);
    rows.splice(index, 1);
  }
  return rows.map(({ text, style }) => ({ text, style }));
}
