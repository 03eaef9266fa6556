import { lstat, mkdir, readFile, rm } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import writeFileAtomic from 'write-file-atomic';
import { CliError } from '../cli-error.js';
import { readConfig, type CliConfig } from '../config.js';
import { DaemonClient } from '../daemon-client.js';
import { daemonPaths, daemonScript } from '../daemon-paths.js';
import { waitForExit } from '../process-exit.js';
import { DAEMON_START_TIMEOUT_MS, DAEMON_STOP_TIMEOUT_MS, tryStatus } from './daemon.js';
import { firstLine, mustRun, runServiceCommand, type ServiceCommandRunner } from './service-command.js';
import { LAUNCHD_LABEL, SYSTEMD_UNIT_NAME, launchdPlistPath, renderLaunchdPlist, renderSystemdUnit, systemdUnitPath, type DaemonServiceSpec } from './daemon-service-files.js';

/**
 * The daemon as install sees it: one may already run outside the service
 * manager (started by `daemon start` or on demand), and the service's must answer.
 *
 * @example
 * ```ts
 * const daemon: DaemonControl = { stop: async () => undefined, waitUntilUp: async () => true };
 * ```
 */
export interface DaemonControl {
  /** Stops the daemon answering on the socket; resolves to its pid, or undefined when none answered. */
  stop(): Promise<number | undefined>;
  /** Resolves true once a daemon answers, false after `DAEMON_START_TIMEOUT_MS`. */
  waitUntilUp(): Promise<boolean>;
}

/** Everything install and uninstall need to know about this machine and this installation. */
export interface ServiceTarget {
  platform: NodeJS.Platform;
  /** `XDG_CONFIG_HOME`, else `~/.config`. */
  configDir: string;
  /** The user's home (for `~/Library/LaunchAgents`). */
  homeDir: string;
  user: string;
  uid: number;
  spec: DaemonServiceSpec;
}

/** Options of {@link installService} and {@link uninstallService}. */
export interface ServiceOptions {
  /** Print the unit (or plist) and change nothing. */
  print?: boolean;
  run?: ServiceCommandRunner;
  daemon?: DaemonControl;
  out?: (text: string) => void;
}

/**
 * `opperator daemon install [--print | --dry-run]`.
 *
 * @example
 * ```ts
 * await daemonInstall({ print: true }); // prints the unit, writes nothing
 * ```
 */
export async function daemonInstall(options: { print?: boolean; dryRun?: boolean }): Promise<void> {
  const config = readConfig();
  await installService(serviceTarget(config), { print: Boolean(options.print || options.dryRun), daemon: socketDaemon(config) });
}

/**
 * `opperator daemon uninstall`.
 *
 * @example
 * ```ts
 * await daemonUninstall();
 * ```
 */
export async function daemonUninstall(): Promise<void> {
  await uninstallService(serviceTarget(readConfig()));
}

/**
 * This installation as a service: this Node, the daemon bundle next to the
 * CLI, and the home in use (plus `PATH`, and `OPPERATOR_SECRET_STORE` when
 * forced), so the service's daemon is the one the CLI talks to. The home is
 * `OPPERATOR_HOME` when set; else the XDG directories as this shell resolves
 * them, and its `XDG_RUNTIME_DIR` (empty when it has none, so a service
 * manager's own value cannot put the socket where this CLI does not look).
 *
 * @example
 * ```ts
 * const target = serviceTarget(readConfig());
 * ```
 */
export function serviceTarget(config: CliConfig): ServiceTarget {
  const environment: Record<string, string> = config.layout.forced
    ? { OPPERATOR_HOME: config.home }
    : { ...config.xdgBaseDirectories, XDG_RUNTIME_DIR: config.runtimeDir ?? '' };
  if (config.secretStoreMode !== 'auto') environment.OPPERATOR_SECRET_STORE = config.secretStoreMode;
  if (config.searchPath) environment.PATH = config.searchPath;
  return {
    platform: process.platform,
    configDir: config.configDir,
    homeDir: homedir(),
    user: config.user ?? userInfo().username,
    uid: process.getuid?.() ?? 0,
    spec: { nodePath: process.execPath, daemonScript: daemonScript(), environment, logPath: daemonPaths(config).logPath },
  };
}

/**
 * Writes the service file and enables it. Linux: a systemd user unit,
 * enabled and started when the user's manager answers; otherwise written
 * anyway, with the commands to run printed. macOS: a launchd agent,
 * bootstrapped into the GUI domain. A daemon already running outside the
 * service manager is stopped first (its agents are recorded, and the
 * service's daemon starts them again). Running it twice changes nothing.
 *
 * @example
 * ```ts
 * await installService(serviceTarget(readConfig()), { daemon: socketDaemon(readConfig()) });
 * ```
 */
export async function installService(target: ServiceTarget, options: ServiceOptions = {}): Promise<void> {
  const { run = runServiceCommand, out = (text: string) => void process.stdout.write(text), daemon = NO_DAEMON } = options;
  const linux = target.platform === 'linux';
  if (!linux && target.platform !== 'darwin') throw unsupported(target.platform);
  const text = linux ? renderSystemdUnit(target.spec) : renderLaunchdPlist(target.spec);
  if (options.print) return out(text);
  const path = linux ? systemdUnitPath(target.configDir) : launchdPlistPath(target.homeDir);
  const changed = await writeIfChanged(path, text);
  out(`${changed ? 'Wrote' : 'Up to date:'} ${path}\n`);
  if (!linux) return installLaunchd(target, path, changed, { run, out, daemon });
  const manager = await run('systemctl', ['--user', 'show-environment']);
  if (manager.code !== 0) {
    out(`systemd's user manager does not answer here (${firstLine(manager.stderr)}), so the unit is written but not enabled.\nWhere it answers (a desktop or SSH login of ${target.user}), enable and start it:\n  systemctl --user daemon-reload\n  systemctl --user enable --now ${SYSTEMD_UNIT_NAME}\nTo start it at boot, before ${target.user} logs in:\n  loginctl enable-linger ${target.user}\n`);
    return;
  }
  const wasActive = (await run('systemctl', ['--user', 'is-active', '--quiet', SYSTEMD_UNIT_NAME])).code === 0;
  if (!wasActive) await stopOutside(daemon, out, 'systemd');
  await mustRun(run, 'systemctl', ['--user', 'daemon-reload']);
  if (wasActive) {
    await mustRun(run, 'systemctl', ['--user', 'enable', SYSTEMD_UNIT_NAME]);
    if (changed) await mustRun(run, 'systemctl', ['--user', 'restart', SYSTEMD_UNIT_NAME]);
  } else {
    // A unit that failed before (say, stopped by its start limit) starts afresh.
    await run('systemctl', ['--user', 'reset-failed', SYSTEMD_UNIT_NAME]);
    await mustRun(run, 'systemctl', ['--user', 'enable', '--now', SYSTEMD_UNIT_NAME]);
  }
  if (!(await daemon.waitUntilUp())) throw new CliError('failure', `systemd started ${SYSTEMD_UNIT_NAME}, but the daemon did not answer within ${DAEMON_START_TIMEOUT_MS / 1000} s. Its log: journalctl --user -u ${SYSTEMD_UNIT_NAME} -n 50`);
  out(`${wasActive && !changed ? 'Already enabled and running' : 'Enabled and running'}: the daemon starts with ${target.user}'s systemd user manager. Status: systemctl --user status ${SYSTEMD_UNIT_NAME}; log: journalctl --user -u ${SYSTEMD_UNIT_NAME}\n`);
  const linger = await run('loginctl', ['show-user', target.user, '--property=Linger', '--value']);
  if (linger.stdout.trim() !== 'yes') out(`It starts when ${target.user} logs in. To start it at boot instead (and keep it after logout):\n  loginctl enable-linger ${target.user}\n`);
}

/**
 * Disables and removes what {@link installService} wrote; the daemon the
 * service ran is stopped (the agents left running are recorded, so the next
 * daemon starts them again). Nothing installed: says so, exits 0.
 *
 * @example
 * ```ts
 * await uninstallService(serviceTarget(readConfig()));
 * ```
 */
export async function uninstallService(target: ServiceTarget, options: ServiceOptions = {}): Promise<void> {
  const { run = runServiceCommand, out = (text: string) => void process.stdout.write(text) } = options;
  if (target.platform === 'darwin') return uninstallLaunchd(target, run, out);
  if (target.platform !== 'linux') throw unsupported(target.platform);
  const path = systemdUnitPath(target.configDir);
  const wantsLink = join(dirname(path), 'default.target.wants', SYSTEMD_UNIT_NAME);
  if (!(await exists(path)) && !(await exists(wantsLink))) return out(`Nothing to remove: ${path} does not exist.\n`);
  const manager = await run('systemctl', ['--user', 'show-environment']);
  if (manager.code === 0) {
    await mustRun(run, 'systemctl', ['--user', 'disable', '--now', SYSTEMD_UNIT_NAME]);
    await rm(path, { force: true });
    await mustRun(run, 'systemctl', ['--user', 'daemon-reload']);
    await run('systemctl', ['--user', 'reset-failed', SYSTEMD_UNIT_NAME]);
    return out(`Disabled ${SYSTEMD_UNIT_NAME}, stopped its daemon and removed ${path}. Agent commands start a daemon on demand, and it starts the agents you left running.\n`);
  }
  // What `systemctl disable` would remove, without a manager to ask.
  await rm(wantsLink, { force: true });
  await rm(path, { force: true });
  out(`Removed ${path}. systemd's user manager does not answer here (${firstLine(manager.stderr)}); where it does, run:\n  systemctl --user daemon-reload\n`);
}

/**
 * The daemon behind the control socket of `config`'s home.
 *
 * @example
 * ```ts
 * const pid = await socketDaemon(readConfig()).stop();
 * ```
 */
export function socketDaemon(config: CliConfig): DaemonControl {
  const { socketPath } = daemonPaths(config);
  return {
    async stop() {
      const status = await tryStatus(socketPath);
      if (!status) return undefined;
      const client = await DaemonClient.connect(socketPath, { checkVersion: false });
      try {
        await client.request('daemon.stop');
      } finally {
        client.close();
      }
      if (!(await waitForExit(status.pid, DAEMON_STOP_TIMEOUT_MS))) throw new CliError('failure', `The daemon (pid ${status.pid}) is still running after ${DAEMON_STOP_TIMEOUT_MS / 1000} s. Stop it with: kill ${status.pid}`);
      return status.pid;
    },
    async waitUntilUp() {
      const deadline = Date.now() + DAEMON_START_TIMEOUT_MS;
      while (Date.now() < deadline) {
        if (await tryStatus(socketPath)) return true;
        await sleep(100);
      }
      return false;
    },
  };
}

/** Without a socket to ask: nothing runs, and nothing is waited for. */
const NO_DAEMON: DaemonControl = { stop: async () => undefined, waitUntilUp: async () => true };

async function installLaunchd(target: ServiceTarget, path: string, changed: boolean, seams: Required<Pick<ServiceOptions, 'run' | 'out' | 'daemon'>>): Promise<void> {
  const { run, out, daemon } = seams;
  const domain = `gui/${target.uid}`;
  const loaded = (await run('launchctl', ['print', `${domain}/${LAUNCHD_LABEL}`])).code === 0;
  if (loaded && !changed) return out(`Already loaded: the daemon starts when ${target.user} logs in. Its log: ${target.spec.logPath}\n`);
  if (loaded) await mustRun(run, 'launchctl', ['bootout', `${domain}/${LAUNCHD_LABEL}`]);
  else await stopOutside(daemon, out, 'launchd');
  await mkdir(dirname(target.spec.logPath), { recursive: true, mode: 0o700 });
  await mustRun(run, 'launchctl', ['bootstrap', domain, path]);
  if (!(await daemon.waitUntilUp())) throw new CliError('failure', `launchd loaded ${LAUNCHD_LABEL}, but the daemon did not answer within ${DAEMON_START_TIMEOUT_MS / 1000} s. Its log: ${target.spec.logPath}`);
  out(`Loaded and running: the daemon starts when ${target.user} logs in. Its log: ${target.spec.logPath}\n`);
}

async function uninstallLaunchd(target: ServiceTarget, run: ServiceCommandRunner, out: (text: string) => void): Promise<void> {
  const path = launchdPlistPath(target.homeDir);
  const service = `gui/${target.uid}/${LAUNCHD_LABEL}`;
  const loaded = (await run('launchctl', ['print', service])).code === 0;
  if (!loaded && !(await exists(path))) return out(`Nothing to remove: ${path} does not exist.\n`);
  if (loaded) await mustRun(run, 'launchctl', ['bootout', service]);
  await rm(path, { force: true });
  out(`Unloaded ${LAUNCHD_LABEL}, stopped its daemon and removed ${path}. Agent commands start a daemon on demand, and it starts the agents you left running.\n`);
}

/** A daemon started by hand would hold the home's lock, and the service's would fail to start: stop it first. */
async function stopOutside(daemon: DaemonControl, out: (text: string) => void, manager: string): Promise<void> {
  const pid = await daemon.stop();
  if (pid !== undefined) out(`Stopped the daemon that ran outside ${manager} (pid ${pid}); ${manager}'s daemon starts the agents that were running again.\n`);
}

/** Writes `text` atomically unless the file already holds it; true when it wrote. */
async function writeIfChanged(path: string, text: string): Promise<boolean> {
  const current = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (current === text) return false;
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, text, { mode: 0o644 });
  return true;
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
}

function unsupported(platform: string): CliError {
  return new CliError('unavailable', `\`daemon install\` knows systemd (Linux) and launchd (macOS), not ${platform}. Start the daemon at login with your system's own startup mechanism running: opperator daemon start`);
}
