import { BROWSER_ENVIRONMENT_VARIABLES, controlSocketLocation, homeLayout, homePaths, type BrowserEnvironment, type HomeLayout } from '@opperator/protocol';

/** Where the daemon keeps everything, derived from the environment in this one place. */
export interface DaemonConfig {
  /** The config directory (agents.yaml, agents/); `OPPERATOR_HOME` when set. */
  home: string;
  /** Every directory of the home (`homeLayout`): config, state, cache, data, run. */
  layout: HomeLayout;
  agentsFile: string;
  agentsDir: string;
  /** Logs, tasks, sections, agent process records (`layout.state`). */
  stateDir: string;
  /** The agent build cache (`<layout.cache>/build`). */
  buildDir: string;
  /** The secret registry and plaintext fallback file (`<layout.data>/secrets`). */
  secretsDir: string;
  /** The agents the user left running, started again at the next daemon start (see `WantedAgents`). */
  wantedAgentsFile: string;
  /** Directory of mode 0700 holding the pid file, and the control socket unless {@link socketShortened}. */
  runDir: string;
  /** From `controlSocketLocation` (shared with the clients): `<runDir>/daemon.sock`, or a short private directory when that path is too long for a socket. */
  socketPath: string;
  /** `XDG_RUNTIME_DIR`, where a daemon of the old single-folder layout may have its socket (for `migrateHome`). */
  runtimeDir: string | undefined;
  /** True when the socket is outside the home (see {@link prepareSocketDirectory}). */
  socketShortened: boolean;
  lockPath: string;
  secretStoreMode: 'auto' | 'keyring' | 'file';
  dbusSessionBusAddress: string | undefined;
  /** The environment variables passed to agents (an allow-list; `env:` in agents.yaml adds to it). */
  agentBaseEnv: Record<string, string>;
  /** BROWSER, DISPLAY and WAYLAND_DISPLAY when set: whether a browser can open from here, told by `daemon.status`. */
  browserEnvironment: BrowserEnvironment;
}

/** Variables an agent inherits from the daemon; nothing else leaks into agents (no other agent's secrets, no tokens). */
export const AGENT_ENV_ALLOW_LIST = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SHELL', 'TERM', 'NO_COLOR', 'BROWSER', 'DISPLAY', 'WAYLAND_DISPLAY', 'XDG_RUNTIME_DIR', 'NODE_EXTRA_CA_CERTS', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY'] as const;

/**
 * Reads the daemon's configuration. Its files are placed by `homeLayout`:
 * all in `OPPERATOR_HOME` when set, else in the XDG directories
 * (configuration in `$XDG_CONFIG_HOME/opperator`, state, cache, data and the
 * socket each in its own).
 */
export function readDaemonConfig(env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  const layout = homeLayout(env);
  const paths = homePaths(layout);
  const home = layout.config;
  const store = env.OPPERATOR_SECRET_STORE?.trim().toLowerCase();
  const agentBaseEnv: Record<string, string> = {};
  for (const name of AGENT_ENV_ALLOW_LIST) {
    const value = env[name];
    if (value !== undefined) agentBaseEnv[name] = value;
  }
  const socket = controlSocketLocation(home, { runtimeDir: env.XDG_RUNTIME_DIR, uid: process.getuid?.() ?? 0, runDir: layout.run });
  return {
    home,
    layout,
    agentsFile: paths.agentsFile,
    agentsDir: paths.agentsDir,
    stateDir: layout.state,
    buildDir: paths.buildDir,
    secretsDir: paths.secretsDir,
    wantedAgentsFile: paths.wantedAgentsFile,
    runDir: layout.run,
    socketPath: socket.socketPath,
    socketShortened: socket.shortened,
    runtimeDir: env.XDG_RUNTIME_DIR || undefined,
    lockPath: paths.pidFile,
    secretStoreMode: store === 'keyring' || store === 'file' ? store : 'auto',
    dbusSessionBusAddress: env.DBUS_SESSION_BUS_ADDRESS || undefined,
    agentBaseEnv,
    // Empty counts as unset, as for canOpenBrowser.
    browserEnvironment: Object.fromEntries(BROWSER_ENVIRONMENT_VARIABLES.flatMap((name) => (env[name] ? [[name, env[name]]] : []))),
  };
}
