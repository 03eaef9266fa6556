import { spawn as spawnProcess, type SpawnOptions, type ChildProcess } from 'node:child_process';
import { OAuthError } from './errors.js';

/** Opens a URL for the user; rejects when it could not. */
export type OpenBrowser = (url: string) => void | Promise<void>;

/**
 * How long an opener command may run before it counts as "opened". Openers
 * like xdg-open exit quickly with a non-zero code when no browser exists;
 * real browsers keep running.
 */
export const BROWSER_OPENER_GRACE_MS = 1_500;

/** Options of {@link createBrowserOpener}. */
export interface BrowserOpenerOptions {
  /**
   * A `BROWSER`-style command list: commands separated by ":", each run with
   * the URL as its last argument, or in place of `%s` when present.
   * When absent, the platform opener is used (open, xdg-open, rundll32).
   */
  browser?: string;
  platform?: NodeJS.Platform;
  /** Process seam, for tests. */
  spawn?: (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;
}

/**
 * The default opener: honours the `BROWSER` environment variable as git, gh
 * and xdg-open do, else the platform opener. This is the toolkit's only read
 * of the environment, as the documented default of an injectable seam.
 *
 * @example
 * ```ts
 * await client.authorize({ openBrowser: defaultOpenBrowser });
 * ```
 */
export const defaultOpenBrowser: OpenBrowser = (url) => createBrowserOpener({ browser: process.env.BROWSER || undefined })(url);

/**
 * Whether a browser can plausibly be opened from a process with this
 * environment: `BROWSER` is set, the platform has an opener of its own
 * (macOS, Windows), or a Linux desktop session is there (`DISPLAY`,
 * `WAYLAND_DISPLAY`). Over SSH without a forwarded display, or in a daemon
 * started at login, it is false.
 *
 * @example
 * ```ts
 * canOpenBrowser(process.env); // false on a headless server
 * ```
 */
export function canOpenBrowser(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): boolean {
  if (env.BROWSER) return true;
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * Builds an opener. The URL is passed as an argument, never through a shell.
 *
 * @example
 * ```ts
 * const open = createBrowserOpener({ browser: 'firefox --new-window' });
 * await open('https://example.com');
 * ```
 */
export function createBrowserOpener(options: BrowserOpenerOptions = {}): (url: string) => Promise<void> {
  const spawn = options.spawn ?? spawnProcess;
  const commands = options.browser ? options.browser.split(':').map((c) => c.trim()).filter(Boolean) : platformCommands(options.platform ?? process.platform);
  return async (url) => {
    const failures: string[] = [];
    for (const command of commands) {
      const [program, ...rest] = command.split(/\s+/);
      if (!program) continue;
      const args = rest.some((arg) => arg.includes('%s')) ? rest.map((arg) => arg.replaceAll('%s', url)) : [...rest, url];
      const outcome = await runOpener(spawn, program, args);
      if (outcome === 'opened') return;
      failures.push(`${program}: ${outcome}`);
    }
    throw new OAuthError('OAUTH_BROWSER_FAILED', `Could not open a browser (${failures.join('; ') || 'no opener command'}). Set BROWSER to a browser command, or open the URL yourself.`);
  };
}

function platformCommands(platform: NodeJS.Platform): string[] {
  if (platform === 'darwin') return ['open'];
  if (platform === 'win32') return ['rundll32 url.dll,FileProtocolHandler'];
  return ['xdg-open'];
}

function runOpener(
  spawn: NonNullable<BrowserOpenerOptions['spawn']>,
  program: string,
  args: readonly string[],
): Promise<'opened' | string> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(program, args, { stdio: 'ignore', detached: true });
    } catch (err) {
      resolve(err instanceof Error ? err.message : String(err));
      return;
    }
    const timer = setTimeout(() => {
      // Still running: a browser (or a launcher waiting on one). Let it live on its own.
      child.removeAllListeners();
      child.unref();
      resolve('opened');
    }, BROWSER_OPENER_GRACE_MS);
    timer.unref();
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err.code === 'ENOENT' ? 'not found' : (err.code ?? err.message));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 ? 'opened' : signal ? `killed by ${signal}` : `exit code ${code}`);
    });
  });
}
