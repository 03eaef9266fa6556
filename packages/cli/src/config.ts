import { homedir } from 'node:os';
import { join } from 'node:path';
import { homeLayout, homePaths, xdgBaseDirectories, type HomeLayout, type HomePaths } from '@opperator/protocol';
import { CliError } from './cli-error.js';

/** Everything the CLI takes from the environment, read in this one place. */
export interface CliConfig {
  /** The config directory (`agents.yaml`, `agents/`): `OPPERATOR_HOME`, else `$XDG_CONFIG_HOME/opperator`, else `~/.config/opperator`. */
  home: string;
  /** Where each kind of file goes (state, cache, data, run), from `homeLayout`: all inside `OPPERATOR_HOME` when it is set. */
  layout: HomeLayout;
  /** The named files of {@link layout}. */
  paths: HomePaths;
  /** The XDG base directories as resolved here (defaults filled in), for the service `daemon install` writes. */
  xdgBaseDirectories: ReturnType<typeof xdgBaseDirectories>;
  /** `XDG_CONFIG_HOME`, else `~/.config`: where `daemon install` puts the systemd user unit. */
  configDir: string;
  /** `OPPERATOR_SECRET_STORE`: keyring | file, default auto. */
  secretStoreMode: 'auto' | 'keyring' | 'file';
  dbusSessionBusAddress: string | undefined;
  /** `NO_COLOR` set, or stdout is not a TTY. */
  plain: boolean;
  /** `BROWSER`: the command that opens URLs. */
  browser: string | undefined;
  /** What decides whether a browser can open here: `BROWSER`, `DISPLAY`, `WAYLAND_DISPLAY` (for `canOpenBrowser`). */
  browserEnvironment: { BROWSER?: string; DISPLAY?: string; WAYLAND_DISPLAY?: string };
  /** `XDG_RUNTIME_DIR`: where the control socket goes when the home is too deep for one (see `controlSocketLocation`). */
  runtimeDir: string | undefined;
  /** `PATH`, for finding the platform's URL opener. */
  searchPath: string;
  /** The SSH session this shell runs in (`SSH_CONNECTION`, `SSH_CLIENT` or `SSH_TTY` set). */
  ssh: boolean;
  /** This machine as the SSH client reached it (`SSH_CONNECTION`'s server address and port), for `ssh -L` hints. */
  sshServer: { address: string; port: number } | undefined;
  /** `USER` (else `LOGNAME`), for `ssh -L` hints. */
  user: string | undefined;
  /** Windows Subsystem for Linux (`WSL_DISTRO_NAME` or `WSL_INTEROP` set). */
  wsl: boolean;
}

/** Reads the CLI's configuration from `env`; a bad value is a usage error naming the variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env, stdoutIsTty = Boolean(process.stdout.isTTY)): CliConfig {
  const store = env.OPPERATOR_SECRET_STORE?.trim().toLowerCase() || 'auto';
  if (store !== 'auto' && store !== 'keyring' && store !== 'file') {
    throw new CliError('usage', `OPPERATOR_SECRET_STORE=${JSON.stringify(env.OPPERATOR_SECRET_STORE)} is not one of: keyring, file. Unset it to choose automatically.`);
  }
  const configDir = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  const layout = homeLayout(env);
  return {
    home: layout.config,
    layout,
    paths: homePaths(layout),
    xdgBaseDirectories: xdgBaseDirectories(env),
    configDir,
    secretStoreMode: store,
    dbusSessionBusAddress: env.DBUS_SESSION_BUS_ADDRESS || undefined,
    plain: Boolean(env.NO_COLOR) || !stdoutIsTty,
    browser: env.BROWSER || undefined,
    browserEnvironment: { ...(env.BROWSER ? { BROWSER: env.BROWSER } : {}), ...(env.DISPLAY ? { DISPLAY: env.DISPLAY } : {}), ...(env.WAYLAND_DISPLAY ? { WAYLAND_DISPLAY: env.WAYLAND_DISPLAY } : {}) },
    runtimeDir: env.XDG_RUNTIME_DIR || undefined,
    searchPath: env.PATH ?? '',
    ssh: Boolean(env.SSH_CONNECTION || env.SSH_CLIENT || env.SSH_TTY),
    sshServer: sshServerOf(env.SSH_CONNECTION),
    user: env.USER || env.LOGNAME || undefined,
    wsl: Boolean(env.WSL_DISTRO_NAME || env.WSL_INTEROP),
  };
}

/** `SSH_CONNECTION` is "client-address client-port server-address server-port" (ssh(1), ENVIRONMENT). */
function sshServerOf(connection: string | undefined): CliConfig['sshServer'] {
  const [, , address, port] = connection?.trim().split(/\s+/) ?? [];
  const number = Number(port);
  return address && Number.isInteger(number) && number > 0 && number < 65_536 ? { address, port: number } : undefined;
}

/** The environment for a process the CLI starts in the background (sandbox): this one's, plus `extra`. */
export function childEnvironment(extra: Record<string, string>, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, ...extra };
}

/**
 * Ink draws only a final frame when it believes it runs in CI (`CI` or
 * `CONTINUOUS_INTEGRATION` set), which leaves a blank screen. The TUI only
 * opens on a real terminal, so while Ink is loaded those variables are
 * marked off ("0" is how is-in-ci is told no; it reads them once, on load).
 * Call the returned function once Ink is loaded: it puts them back, so the
 * daemon the TUI starts (and its agents) see the user's environment.
 *
 * @example
 * ```ts
 * const restore = markInteractiveTerminal();
 * const { runTui } = await import('@opperator/tui');
 * restore();
 * ```
 */
export function markInteractiveTerminal(env: NodeJS.ProcessEnv = process.env): () => void {
  const saved = ['CI', 'CONTINUOUS_INTEGRATION'].filter((name) => name in env).map((name) => [name, env[name]] as const);
  for (const [name] of saved) env[name] = '0';
  return () => {
    for (const [name, value] of saved) env[name] = value;
  };
}
