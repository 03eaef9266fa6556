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
  /**
   * Over SSH, how to finish without pasting (the CLI's `ssh -L` hint). Text
   * set apart by two spaces on each side, the command, goes on rows of its
   * own: hard-wrapped at column 0 and never cut, so it is copied whole.
   */
  tunnel?: string;
}

/** One row of the sign-in strip: plain text, with how to draw it. */
export interface StripLine {
  text: string;
  /** `title` bold, `url` underlined in cyan, `command` cyan, `input` with a cursor after it, `busy` yellow, `refused` red, `dim` grey. */
  style: 'title' | 'url' | 'command' | 'input' | 'busy' | 'refused' | 'dim';
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
 * the outcome, over SSH the `ssh -L` command that finishes without pasting,
 * the keys), else what a running sign-in asks (a code and its page, a page
 * to open, or a page to open elsewhere and `p` to paste). URLs and the
 * command are hard-wrapped at column 0 and never cut, so they can be
 * selected and copied whole (browsers drop the line breaks of a pasted URL).
 * When the rows do not fit in `maxRows`, the least needed go first (the key
 * hint, then the `ssh -L` hint, all of it at once, then the titles), the
 * field's input row last.
 *
 * @example
 * ```ts
 * signInStripLines({ prompt: { kind: 'open', url, taskId: 't1' } }, 80, 20); // the URL's rows
 * ```
 */
export function signInStripLines(input: SignInStripInput, width: number, maxRows: number): StripLine[] {
  // Blocks of rows: the least needed lose their last rows first; a block that only makes sense whole goes whole.
  const blocks: Array<{ rows: StripLine[]; keep: number; whole: boolean }> = [];
  const rowsOf = (text: string, style: StripLine['style'], wrap: 'words' | 'hard'): StripLine[] =>
    (wrap === 'hard' ? wrapText(toDisplayText(text), width) : wrapWords(toDisplayText(text), width)).map((row) => ({ text: row, style }));
  const add = (text: string, style: StripLine['style'], keep: number, wrap: 'words' | 'hard' = 'words') => blocks.push({ rows: rowsOf(text, style, wrap), keep, whole: false });
  const { field, prompt } = input;
  if (field) {
    add(`Sign in${field.label ? ` (${field.label})` : ''}: open this page in a browser on any machine and sign in:`, 'title', 2);
    add(field.url, 'url', 5, 'hard');
    add(`The browser then ends on an address starting with ${field.redirectUri} that does not load. Paste that whole address here and press Enter:`, 'dim', 3);
    blocks.push({ rows: [{ text: `› ${truncateMiddle(toDisplayText(field.text), Math.max(1, width - 3))}`, style: 'input' }], keep: 6, whole: true });
    if (field.status) add(field.status.kind === 'refused' ? `✗ ${field.status.text}` : field.status.text, field.status.kind === 'refused' ? 'refused' : 'busy', 4);
    // Between the field's rows and its keys: an alternative to pasting, worth less than the title that says what the page is.
    if (field.tunnel) blocks.push({ rows: tunnelRows(field.tunnel, rowsOf), keep: 1.5, whole: true });
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
  let count = blocks.reduce((sum, block) => sum + block.rows.length, 0);
  while (count > room) {
    const lowest = Math.min(...blocks.map((block) => block.keep));
    const index = blocks.map((block) => block.keep).lastIndexOf(lowest);
    const block = blocks[index]!;
    if (block.whole || block.rows.length <= 1) {
      blocks.splice(index, 1);
      count -= block.rows.length;
    } else {
      block.rows.pop();
      count -= 1;
    }
  }
  return blocks.flatMap((block) => block.rows);
}

/** The `ssh -L` hint's rows: its prose wrapped between words, what two spaces set apart (the command) on rows of its own, hard-wrapped. */
function tunnelRows(hint: string, rowsOf: (text: string, style: StripLine['style'], wrap: 'words' | 'hard') => StripLine[]): StripLine[] {
  return hint
    .split(/ {2,}/)
    .flatMap((part, index) => (part.trim() === '' ? [] : rowsOf(part.trim(), index % 2 === 1 ? 'command' : 'dim', index % 2 === 1 ? 'hard' : 'words')));
}
