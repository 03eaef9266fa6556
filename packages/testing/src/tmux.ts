import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Options of {@link TmuxSession.start}. */
export interface TmuxStartOptions {
  /** Terminal size; default 100×30. */
  width?: number;
  height?: number;
  /** Environment of the program (tmux passes it through `env`). */
  env?: Record<string, string>;
}

/**
 * A real terminal for end-to-end tests of the TUI: a detached tmux session
 * on a private server socket, driven with send-keys and read with
 * capture-pane.
 *
 * @example
 * ```ts
 * const tmux = await TmuxSession.start(['node', CLI_PATH], { env: { OPPERATOR_HOME: home } });
 * await tmux.waitFor('invoice-monitor');
 * await tmux.sendKeys('s');
 * await tmux.kill();
 * ```
 */
export class TmuxSession {
  readonly #socket: string;

  private constructor(socket: string) {
    this.#socket = socket;
  }

  /** Starts `command` (argv) in a new session of the given size. */
  static async start(command: string[], options: TmuxStartOptions = {}): Promise<TmuxSession> {
    const socket = `opperator-test-${randomBytes(4).toString('hex')}`;
    const env = Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`);
    // remain-on-exit keeps the last screen readable when the program ends.
    await run('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-x', String(options.width ?? 100), '-y', String(options.height ?? 30), 'env', ...env, ...command]);
    await run('tmux', ['-L', socket, 'set-option', '-g', 'remain-on-exit', 'on']);
    return new TmuxSession(socket);
  }

  /** The visible screen as text, one line per row (trailing spaces trimmed). */
  async screen(): Promise<string> {
    const { stdout } = await run('tmux', ['-L', this.#socket, 'capture-pane', '-p']);
    return stdout.split('\n').map((line) => line.trimEnd()).join('\n');
  }

  /** Where the terminal's cursor is (0-based column and row), as a text browser shows what is selected. */
  async cursor(): Promise<{ x: number; y: number }> {
    const { stdout } = await run('tmux', ['-L', this.#socket, 'display-message', '-p', '#{cursor_x} #{cursor_y}']);
    const [x, y] = stdout.trim().split(' ').map(Number) as [number, number];
    return { x, y };
  }

  /** Types keys: tmux key names (`Enter`, `Escape`, `Up`, `Tab`, `C-c`) or literal text with `literal`. */
  async sendKeys(keys: string, options: { literal?: boolean } = {}): Promise<void> {
    await run('tmux', ['-L', this.#socket, 'send-keys', ...(options.literal ? ['-l'] : []), keys]);
  }

  /** Waits until the screen contains `text` (or matches it); returns that screen, or throws with the last one. */
  async waitFor(text: string | RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = await this.screen();
      if (typeof text === 'string' ? last.includes(text) : text.test(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the screen did not show ${String(text)} within ${timeoutMs} ms; it shows:\n${last}`);
  }

  /** Resizes the terminal, as a user dragging the window would (the program gets SIGWINCH). */
  async resize(width: number, height: number): Promise<void> {
    await run('tmux', ['-L', this.#socket, 'resize-window', '-x', String(width), '-y', String(height)]);
  }

  /** Whether the program in the pane has exited. */
  async exited(): Promise<boolean> {
    const { stdout } = await run('tmux', ['-L', this.#socket, 'display-message', '-p', '#{pane_dead}']);
    return stdout.trim() === '1';
  }

  /** Ends the session and its tmux server. */
  async kill(): Promise<void> {
    await run('tmux', ['-L', this.#socket, 'kill-server']).catch(() => undefined);
  }
}
