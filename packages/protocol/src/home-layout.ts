import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Where Opperator keeps its files, one directory per kind of file. The CLI,
 * the daemon and (through them) the secret store all take their paths from
 * here, so they always agree.
 *
 * With `OPPERATOR_HOME` set ({@link forced}) every directory is inside that
 * one folder, at the subpaths used before the XDG layout existed (tests and
 * scripts rely on them). Otherwise the XDG Base Directory defaults apply, on
 * macOS too (~/.config, ~/.local/state, ~/.cache, ~/.local/share), so the
 * config directory holds only what people want to sync between machines.
 */
export interface HomeLayout {
  /** True when `OPPERATOR_HOME` put everything in one folder. */
  forced: boolean;
  /** `agents.yaml`, `agents/` (and `deleted-agents/`, agent folders set aside, restored by moving them back): `$XDG_CONFIG_HOME/opperator`, or `OPPERATOR_HOME`. */
  config: string;
  /** Logs, tasks, sections, `daemon.log`, the agents left running, the sandbox's files: `$XDG_STATE_HOME/opperator`, or `<home>/state`. */
  state: string;
  /** The agent build cache (`build/`), safe to delete: `$XDG_CACHE_HOME/opperator`, or `<home>/state` (where it always was). */
  cache: string;
  /** The secret registry and plaintext fallback file (`secrets/`), kept out of a directory people sync: `$XDG_DATA_HOME/opperator`, or `<home>`. */
  data: string;
  /** The pid file and (unless too long a path) the control socket: `$XDG_RUNTIME_DIR/opperator`, else `<state>/run`; or `<home>/run`. */
  run: string;
}

/** The variables {@link homeLayout} reads; the caller passes its environment (this package reads none). */
export interface HomeLayoutEnvironment {
  OPPERATOR_HOME?: string | undefined;
  XDG_CONFIG_HOME?: string | undefined;
  XDG_STATE_HOME?: string | undefined;
  XDG_CACHE_HOME?: string | undefined;
  XDG_DATA_HOME?: string | undefined;
  XDG_RUNTIME_DIR?: string | undefined;
  HOME?: string | undefined;
}

/**
 * The layout for an environment. An `XDG_*` value that is empty or relative
 * is ignored, as the XDG Base Directory specification asks; `OPPERATOR_HOME`
 * is taken as given (as it always was).
 *
 * @example
 * ```ts
 * homeLayout({ HOME: '/home/ana' });
 * // { forced: false, config: '/home/ana/.config/opperator', state: '/home/ana/.local/state/opperator',
 * //   cache: '/home/ana/.cache/opperator', data: '/home/ana/.local/share/opperator', run: '/home/ana/.local/state/opperator/run' }
 * homeLayout({ OPPERATOR_HOME: '/tmp/h' }).state; // '/tmp/h/state'
 * ```
 */
export function homeLayout(env: HomeLayoutEnvironment): HomeLayout {
  if (env.OPPERATOR_HOME) {
    const home = env.OPPERATOR_HOME;
    return { forced: true, config: home, state: join(home, 'state'), cache: join(home, 'state'), data: home, run: join(home, 'run') };
  }
  const bases = xdgBaseDirectories(env);
  const state = join(bases.XDG_STATE_HOME, 'opperator');
  const runtime = absolute(env.XDG_RUNTIME_DIR);
  return {
    forced: false,
    config: join(bases.XDG_CONFIG_HOME, 'opperator'),
    state,
    cache: join(bases.XDG_CACHE_HOME, 'opperator'),
    data: join(bases.XDG_DATA_HOME, 'opperator'),
    // Without a runtime directory (macOS, su, cron) the state directory is the private, per-user place left.
    run: runtime ? join(runtime, 'opperator') : join(state, 'run'),
  };
}

/**
 * The four XDG base directories with their defaults (`~/.config`,
 * `~/.local/state`, `~/.cache`, `~/.local/share`), for `daemon install`,
 * which writes them into the service so its daemon sees the same layout.
 *
 * @example
 * ```ts
 * xdgBaseDirectories({ HOME: '/home/ana', XDG_CACHE_HOME: '/var/cache/ana' }).XDG_CACHE_HOME; // '/var/cache/ana'
 * ```
 */
export function xdgBaseDirectories(env: HomeLayoutEnvironment): { XDG_CONFIG_HOME: string; XDG_STATE_HOME: string; XDG_CACHE_HOME: string; XDG_DATA_HOME: string } {
  const home = env.HOME || homedir();
  return {
    XDG_CONFIG_HOME: absolute(env.XDG_CONFIG_HOME) ?? join(home, '.config'),
    XDG_STATE_HOME: absolute(env.XDG_STATE_HOME) ?? join(home, '.local', 'state'),
    XDG_CACHE_HOME: absolute(env.XDG_CACHE_HOME) ?? join(home, '.cache'),
    XDG_DATA_HOME: absolute(env.XDG_DATA_HOME) ?? join(home, '.local', 'share'),
  };
}

/** The files in a {@link HomeLayout}, named in this one place. */
export interface HomePaths {
  agentsFile: string;
  agentsDir: string;
  /** The agent build cache, one folder per agent. */
  buildDir: string;
  /** The secret registry and the plaintext fallback file (`secrets.json`). */
  secretsDir: string;
  /** The daemon's own log (its stdout and stderr when started in the background). */
  daemonLog: string;
  /** The agents the user left running, started again with the daemon. */
  wantedAgentsFile: string;
  /** One record per running agent process, for cleaning up after a killed daemon. */
  agentProcessesDir: string;
  /** The TUI's remembered collapsed sections. */
  tuiStateFile: string;
  pidFile: string;
}

/**
 * The named files and folders of a layout.
 *
 * @example
 * ```ts
 * const paths = homePaths(homeLayout(process.env));
 * await readFile(paths.agentsFile, 'utf8');
 * ```
 */
export function homePaths(layout: HomeLayout): HomePaths {
  return {
    agentsFile: join(layout.config, 'agents.yaml'),
    agentsDir: join(layout.config, 'agents'),
    buildDir: join(layout.cache, 'build'),
    secretsDir: join(layout.data, 'secrets'),
    daemonLog: join(layout.state, 'daemon.log'),
    wantedAgentsFile: join(layout.state, 'wanted-agents.json'),
    agentProcessesDir: join(layout.state, 'agent-processes'),
    tuiStateFile: join(layout.state, 'tui.json'),
    pidFile: join(layout.run, 'daemon.pid'),
  };
}

const absolute = (value: string | undefined): string | undefined => (value && isAbsolute(value) ? value : undefined);
