import { canOpenBrowser } from '@opperator/oauth/browser';
import { BROWSER_ENVIRONMENT_VARIABLES, type BrowserEnvironment, type DaemonStatus } from '@opperator/protocol';
import type { AgentsFile } from '../agents-file.js';
import type { CliConfig } from '../config.js';
import { DaemonClientError } from '../daemon-client.js';
import { daemonPaths } from '../daemon-paths.js';
import { tryStatus } from './daemon.js';

const RESTART = 'opperator daemon stop && opperator daemon start';

/**
 * The "Sign-in from the daemon" lines of `opperator doctor`. Agents run
 * under the daemon and inherit its BROWSER and display: an attached
 * `agent invoke` (or the TUI) opens the sign-in page itself, but a detached
 * or scheduled sign-in has nobody attached and opens it from the agent's
 * environment, which may differ from this shell's (a daemon started by a
 * login service has no display). The daemon tells those variables in
 * `daemon.status`; `canOpenBrowser` decides, as the SDK does. Never starts
 * a daemon.
 *
 * @example
 * ```ts
 * lines.push('', 'Sign-in from the daemon (detached and scheduled runs)', ...(await daemonSignInLines(config, agentsFile)));
 * ```
 */
export async function daemonSignInLines(config: CliConfig, agentsFile: AgentsFile): Promise<string[]> {
  let status: DaemonStatus | undefined;
  try {
    status = await tryStatus(daemonPaths(config).socketPath);
  } catch (err) {
    // doctor reports what it cannot check instead of failing on it.
    if (!(err instanceof DaemonClientError)) throw err;
    return [`  daemon:    cannot be asked (${err.message})`];
  }
  if (!status) return ["  daemon:    not running; the next command that needs it starts it with the BROWSER and display of the shell it runs in"];
  const environment = status.environment;
  if (!environment) return [`  daemon:    running (pid ${status.pid}), too old to tell its environment; restart it: ${RESTART}`];
  const lines = [`  daemon:    running (pid ${status.pid}); its agents inherit ${describe(environment.browser)}`];
  if (canOpenBrowser(environment.browser, environment.platform as NodeJS.Platform)) {
    const display = environment.browser.BROWSER ? undefined : (environment.browser.DISPLAY ?? environment.browser.WAYLAND_DISPLAY);
    lines.push(`  browser:   opens from the daemon's environment: detached and scheduled sign-ins open the provider's page with it${display && config.ssh ? `, on display ${display} (not in this SSH session)` : ''}`);
  } else {
    lines.push(
      "  browser:   none opens from the daemon's environment",
      '  meaning:   attached invocations (`opperator agent invoke …` without --detach, the TUI) open the sign-in page where you run them;',
      '             detached (--detach) and scheduled sign-ins use a device code where the provider offers one, else show the sign-in URL',
      `  fix:       restart the daemon from a desktop session, or a shell with BROWSER set (${RESTART}),`,
      "             or set BROWSER in the agent's env in agents.yaml (env: { BROWSER: <command> }), then opperator agent restart NAME",
    );
  }
  for (const { name, env } of await agentsFile.envSettings(BROWSER_ENVIRONMENT_VARIABLES)) {
    lines.push(`  agent:     ${name} sets ${describe(env)} in its env in agents.yaml, which wins over the daemon's`);
  }
  return lines;
}

/** `BROWSER=w3m, DISPLAY=:0`, or what is missing; only these variables, which are no secrets. */
function describe(environment: BrowserEnvironment): string {
  const set = BROWSER_ENVIRONMENT_VARIABLES.filter((name) => environment[name]).map((name) => `${name}=${environment[name]}`);
  return set.length ? set.join(', ') : 'no BROWSER and no display (DISPLAY, WAYLAND_DISPLAY unset)';
}
