import { makeTempDir, type TempDir } from './temp-dir.js';
import { RecordingProxy, type RecordedResponse } from './recording-proxy.js';
import { TmuxSession } from './tmux.js';

/** Debian's w3m (apt package `w3m`, installed by scripts/setup.sh). */
export const W3M_PATH = process.env.W3M_PATH ?? '/usr/bin/w3m';

/** How long one page may take to appear after a key press. */
const PAGE_TIMEOUT_MS = 10_000;
/** How long w3m may take to handle a key (move, open or close its line editor). */
const KEY_TIMEOUT_MS = 5_000;
/** The terminal size unless told otherwise: every sign-in page fits without scrolling. */
const DEFAULT_WIDTH = 100;
const DEFAULT_HEIGHT = 30;
/** More form items than any sign-in page has: a label not found by then is not on the page. */
const MAX_ITEMS = 20;

/** Options of {@link TextBrowser.open}. */
export interface TextBrowserOptions {
  /** Terminal size; default 100×30. */
  width?: number;
  height?: number;
}

/**
 * Debian's w3m, a text browser with no JavaScript at all, in a real terminal
 * (tmux), played like a person does: Tab to a form item, Enter to edit a field
 * or press a button. Cookies are on (w3m's own jar, in a fresh `HOME`), and
 * every request goes through a {@link RecordingProxy}, so a test can read the
 * HTML of each page w3m was shown. Items are found by what the screen shows:
 * a button by its text, a field by the label before it on its line.
 *
 * @example
 * ```ts
 * const w3m = await TextBrowser.open(verificationUri);
 * await w3m.waitForHeading('Connect a device');
 * await w3m.fill('Code', userCode);
 * await w3m.press('Continue');
 * await w3m.waitForHeading('Confirm the device');
 * await w3m.close();
 * ```
 */
export class TextBrowser {
  readonly #tmux: TmuxSession;
  readonly #home: TempDir;
  readonly #proxy: RecordingProxy;
  readonly #height: number;

  private constructor(tmux: TmuxSession, home: TempDir, proxy: RecordingProxy, height: number) {
    this.#tmux = tmux;
    this.#home = home;
    this.#proxy = proxy;
    this.#height = height;
  }

  /** Starts w3m on `url` (loopback only). */
  static async open(url: string, options: TextBrowserOptions = {}): Promise<TextBrowser> {
    const [home, proxy] = await Promise.all([makeTempDir('opperator-w3m-'), RecordingProxy.start()]);
    const args = [
      W3M_PATH,
      '-no-mouse',
      ...['-o', 'use_cookie=1', '-o', 'accept_cookie=1'],
      ...['-o', 'use_proxy=1', '-o', `http_proxy=${proxy.url}`, '-o', 'no_proxy='],
      ...['-o', 'confirm_qq=0'],
      url,
    ];
    const height = options.height ?? DEFAULT_HEIGHT;
    try {
      const tmux = await TmuxSession.start(args, { width: options.width ?? DEFAULT_WIDTH, height, env: { HOME: home.path, TERM: 'xterm', LANG: 'C.UTF-8' } });
      return new TextBrowser(tmux, home, proxy, height);
    } catch (err) {
      await Promise.all([proxy.close(), home.remove()]);
      throw err;
    }
  }

  /** Every response w3m received, in order (see {@link RecordingProxy.responses}). */
  get responses(): readonly RecordedResponse[] {
    return this.#proxy.responses;
  }

  /** The HTML pages w3m received, redirects and style sheets left out. */
  htmlPages(): RecordedResponse[] {
    return this.#proxy.htmlPages();
  }

  /** The screen as text, one line per row. */
  screen(): Promise<string> {
    return this.#tmux.screen();
  }

  /** Waits until the page's first line (its `<h1>`) is `heading`; returns the screen. */
  async waitForHeading(heading: string, timeoutMs = PAGE_TIMEOUT_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = await this.#tmux.screen();
      if (firstLine(screen) === heading) return screen;
      await sleep(50);
    }
    throw new Error(`w3m did not show the page ${JSON.stringify(heading)} within ${timeoutMs} ms; it shows:\n${screen}`);
  }

  /** Waits until the screen shows `text` (or matches it), e.g. a notice on a page that keeps its heading; returns the screen. */
  waitFor(text: string | RegExp, timeoutMs = PAGE_TIMEOUT_MS): Promise<string> {
    return this.#tmux.waitFor(text, timeoutMs);
  }

  /** Types `text` into the text field whose label is `label`, replacing what it held. */
  async fill(label: string, text: string): Promise<void> {
    await this.#moveTo(label, 'field');
    await this.#tmux.sendKeys('Enter');
    // w3m edits a field on its last line, after "TEXT:" (or "Password:"), with the old value and the cursor at its end.
    await this.#until(async () => EDITOR.test(await this.#statusLine()), `the line editor of ${JSON.stringify(label)}`);
    await this.#tmux.sendKeys('C-e');
    await this.#tmux.sendKeys('C-u');
    await this.#tmux.sendKeys(text, { literal: true });
    await this.#tmux.sendKeys('Enter');
    await this.#until(async () => !EDITOR.test(await this.#statusLine()), `the field ${JSON.stringify(label)} to take the text`);
  }

  /** Presses the button whose text is `label` (submitting its form). */
  async press(label: string): Promise<void> {
    await this.#moveTo(label, 'button');
    await this.#tmux.sendKeys('Enter');
  }

  /**
   * Puts the cursor on a form item: `[` goes to the page's first link or
   * form item, Tab to the next, until the screen under the cursor is the
   * button `label`, or a field `[...]` with `label` before it on its line.
   */
  async #moveTo(label: string, kind: 'button' | 'field'): Promise<void> {
    let at = await this.#navigate('[');
    for (let item = 0; item < MAX_ITEMS; item += 1) {
      const line = (await this.#tmux.screen()).split('\n')[at.y] ?? '';
      if (kind === 'button' ? line.slice(at.x).startsWith(label) : isFieldLabelled(line, at.x, label)) return;
      const next = await this.#navigate('Tab');
      // Tab on the last item leaves the cursor where it is.
      if (next.x === at.x && next.y === at.y) break;
      at = next;
    }
    throw new Error(`w3m found no ${kind} ${JSON.stringify(label)} on the page:\n${await this.#tmux.screen()}`);
  }

  /**
   * Sends a cursor key and returns where the cursor is once w3m has handled
   * it, with no guessing from time: `c` puts the page's address in the status
   * line, then the key, then C-g replaces the address with the line and
   * column; w3m handles keys in order, so once that shows, the move is done.
   */
  async #navigate(key: string): Promise<{ x: number; y: number }> {
    await this.#tmux.sendKeys('c');
    await this.#until(async () => !LINE_INFO.test(await this.#statusLine()), 'w3m to show the address (c)');
    await this.#tmux.sendKeys(key);
    await this.#tmux.sendKeys('C-g');
    await this.#until(async () => LINE_INFO.test(await this.#statusLine()), `w3m to handle ${key}`);
    return this.#tmux.cursor();
  }

  /** The terminal's last row, where w3m shows messages and edits fields. */
  async #statusLine(): Promise<string> {
    return (await this.#tmux.screen()).split('\n')[this.#height - 1] ?? '';
  }

  async #until(check: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + KEY_TIMEOUT_MS;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`w3m: waited in vain for ${what}; the screen:\n${await this.#tmux.screen()}`);
      await sleep(25);
    }
  }

  /** Quits w3m and removes its home and proxy. */
  async close(): Promise<void> {
    await this.#tmux.kill();
    await Promise.all([this.#proxy.close(), this.#home.remove()]);
  }
}

/** Whether the cursor at column `x` of `line` is inside a field `[...]` whose text before it on the line ends with `label`. */
function isFieldLabelled(line: string, x: number, label: string): boolean {
  const before = line.slice(0, x);
  if (!before.endsWith('[')) return false;
  // Only the text since the previous field counts: "User name [   ] Password (optional) [".
  const caption = before.slice(before.lastIndexOf(']') + 1, -1).trim();
  return caption.startsWith(label);
}

function firstLine(screen: string): string {
  return screen.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
}

/** w3m's line editor, open on a text field (or a password field). */
const EDITOR = /^(TEXT|Password):/;
/** What C-g (LINE_INFO) shows: `line 5/12 (41%) col 7/36 ...`. */
const LINE_INFO = /^line \d+\/\d+ .*col \d+/;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
