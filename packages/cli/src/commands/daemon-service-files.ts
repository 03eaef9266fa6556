import { join } from 'node:path';
import { CliError } from '../cli-error.js';

/** The systemd user unit `daemon install` writes on Linux. */
export const SYSTEMD_UNIT_NAME = 'opperator.service';
/** The launchd label (and plist name) `daemon install` uses on macOS. */
export const LAUNCHD_LABEL = 'dev.opperator.daemon';
/**
 * The time the service manager gives the daemon to stop (it stops each agent
 * itself: shutdown, then SIGTERM, then SIGKILL) before it kills what is left;
 * the same budget as `daemon stop` (`DAEMON_STOP_TIMEOUT_MS`).
 */
export const SERVICE_STOP_TIMEOUT_S = 30;
/** Seconds systemd waits before starting a daemon that failed again. */
export const SERVICE_RESTART_DELAY_S = 2;

/**
 * What the service runs: this Node and the daemon bundle, with the
 * environment the daemon needs to find the same home as the CLI.
 *
 * @example
 * ```ts
 * const spec: DaemonServiceSpec = { nodePath: process.execPath, daemonScript: '/usr/lib/node_modules/@opperator/cli/dist/daemon.js', environment: { OPPERATOR_HOME: '/home/me/.config/opperator' }, logPath: '/home/me/.config/opperator/state/daemon.log' };
 * ```
 */
export interface DaemonServiceSpec {
  /** Absolute path of the Node binary (`process.execPath`). */
  nodePath: string;
  /** Absolute path of the daemon entry (`dist/daemon.js`): run directly, it is the daemon in the foreground. */
  daemonScript: string;
  /** Variables set for the daemon (`OPPERATOR_HOME`, `PATH`, ...), written in this order. */
  environment: Record<string, string>;
  /** Where launchd appends the daemon's output (systemd sends it to the journal). */
  logPath: string;
}

/**
 * `$XDG_CONFIG_HOME/systemd/user/opperator.service` (systemd's user unit search path).
 *
 * @example
 * ```ts
 * systemdUnitPath('/home/me/.config'); // '/home/me/.config/systemd/user/opperator.service'
 * ```
 */
export function systemdUnitPath(configDir: string): string {
  return join(configDir, 'systemd', 'user', SYSTEMD_UNIT_NAME);
}

/**
 * `~/Library/LaunchAgents/dev.opperator.daemon.plist`.
 *
 * @example
 * ```ts
 * launchdPlistPath('/Users/me'); // '/Users/me/Library/LaunchAgents/dev.opperator.daemon.plist'
 * ```
 */
export function launchdPlistPath(homeDir: string): string {
  return join(homeDir, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
}

/**
 * The systemd user unit: the daemon in the foreground under this Node,
 * restarted when it fails, stopped by SIGTERM to the daemon alone (it stops
 * its agents itself), wanted by `default.target` so it starts with the
 * user's manager (at login, or at boot with lingering).
 *
 * @example
 * ```ts
 * await writeFile(systemdUnitPath(configDir), renderSystemdUnit(spec));
 * ```
 */
export function renderSystemdUnit(spec: DaemonServiceSpec): string {
  return [
    '# Written by `opperator daemon install`; `opperator daemon uninstall` disables and removes it.',
    '[Unit]',
    'Description=opperator daemon: runs your agents',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${[spec.nodePath, spec.daemonScript].map(quoteExecArgument).join(' ')}`,
    ...Object.entries(spec.environment).map(([name, value]) => `Environment=${quoteSystemd(`${name}=${value}`, 'environment')}`),
    'Restart=on-failure',
    `RestartSec=${SERVICE_RESTART_DELAY_S}`,
    '# SIGTERM to the daemon only: it stops its agents itself (shutdown, SIGTERM, SIGKILL); what is left is killed after it exits.',
    'KillMode=mixed',
    `TimeoutStopSec=${SERVICE_STOP_TIMEOUT_S}`,
    '# The daemon exits 130/143 after SIGINT/SIGTERM: a clean stop, not a failure.',
    'SuccessExitStatus=130 143',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

/**
 * The launchd agent: the same program and environment, started at login
 * (`RunAtLoad`), started again when it exits with a failure, its output
 * appended to `spec.logPath`, which the daemon rotates (`--log-file`).
 *
 * @example
 * ```ts
 * await writeFile(launchdPlistPath(homedir()), renderLaunchdPlist(spec));
 * ```
 */
export function renderLaunchdPlist(spec: DaemonServiceSpec): string {
  const string = (value: string) => `<string>${escapeXml(checkLine(value))}</string>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<!-- Written by `opperator daemon install`; `opperator daemon uninstall` unloads and removes it. -->',
    '<plist version="1.0">',
    '<dict>',
    `  <key>Label</key>${string(LAUNCHD_LABEL)}`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    // --log-file: the daemon keeps the file launchd appends its output to bounded (its daemon-log.ts).
    ...[spec.nodePath, spec.daemonScript, '--log-file', spec.logPath].map((argument) => `    ${string(argument)}`),
    '  </array>',
    '  <key>EnvironmentVariables</key>',
    '  <dict>',
    ...Object.entries(spec.environment).map(([name, value]) => `    <key>${escapeXml(checkLine(name))}</key>${string(value)}`),
    '  </dict>',
    '  <key>RunAtLoad</key><true/>',
    '  <key>KeepAlive</key>',
    '  <dict>',
    '    <key>SuccessfulExit</key><false/>',
    '  </dict>',
    '  <key>ProcessType</key><string>Background</string>',
    `  <key>ExitTimeOut</key><integer>${SERVICE_STOP_TIMEOUT_S}</integer>`,
    `  <key>StandardOutPath</key>${string(spec.logPath)}`,
    `  <key>StandardErrorPath</key>${string(spec.logPath)}`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

/** One ExecStart= word: `%` and `$` escaped (specifiers, variables), quoted when it holds blanks or quotes. */
function quoteExecArgument(value: string): string {
  const escaped = checkLine(value).replaceAll('%', '%%').replaceAll('$', '$$$$');
  return /^[^\s"'\\]+$/.test(escaped) ? escaped : quoteSystemd(value, 'exec');
}

/** A double-quoted systemd value with C-style escapes; `%` doubled (specifiers), `$` doubled in ExecStart only. */
function quoteSystemd(value: string, where: 'exec' | 'environment'): string {
  let escaped = checkLine(value).replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('%', '%%');
  if (where === 'exec') escaped = escaped.replaceAll('$', '$$$$');
  return `"${escaped}"`;
}

/** A line break would end the value early and start a line of the attacker's (or the typo's) choosing. */
function checkLine(value: string): string {
  if (/[\r\n\0]/.test(value)) throw new CliError('usage', `${JSON.stringify(value)} holds a line break or NUL, which a service file cannot hold. Use a path without one.`);
  return value;
}

function escapeXml(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;');
}
