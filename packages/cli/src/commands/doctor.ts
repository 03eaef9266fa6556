import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { keyringFix } from '@opperator/secrets';
import { AgentsFile } from '../agents-file.js';
import { canOpenBrowser } from '@opperator/oauth/browser';
import { redactStoreLocation } from '@opperator/oauth';
import { CliError } from '../cli-error.js';
import { readConfig } from '../config.js';
import { toTerminalText } from '../terminal-text.js';
import { daemonSignInLines } from './doctor-daemon.js';
import { filesLines } from './doctor-files.js';
import { isolationLines } from './doctor-isolation.js';
import { openSecretStore } from './secret-context.js';

/**
 * `opperator doctor`: checks what the product depends on (secrets, where a
 * sign-in's browser opens from this shell and from the daemon, emulated
 * providers) and says how to fix each problem. It never starts the daemon.
 */
export async function doctor(): Promise<void> {
  const config = readConfig();
  const store = openSecretStore();
  const status = await store.backendStatus();
  const lines = ['Secrets', `  mode:      ${status.mode}${status.mode === 'auto' ? ' (keyring when it answers, else the file)' : ' (OPPERATOR_SECRET_STORE)'}`];
  if (status.keyring.available) {
    lines.push('  keyring:   ok (service "opperator")');
  } else {
    lines.push(`  keyring:   unavailable: ${status.keyring.detail}`, `  fix:       ${keyringFix(status.keyring.reason)}`);
  }
  lines.push(
    status.selected === 'keyring'
      ? '  new secrets go to the keyring'
      : status.selected === 'file'
        ? `  new secrets go to ${status.filePath} (NOT encrypted)`
        : '  new secrets cannot be stored: OPPERATOR_SECRET_STORE=keyring and the keyring is unavailable',
  );

  lines.push('', 'Files', ...(await filesLines(config)));
  const agentsFile = new AgentsFile(join(config.home, 'agents.yaml'));
  lines.push('', 'Sign-in from this shell', ...(await signInLines(config)));
  lines.push('', 'Sign-in from the daemon (detached and scheduled runs)', ...(await daemonSignInLines(config, agentsFile)));
  lines.push('', 'Agent isolation (isolate: true)', ...(await isolationLines(agentsFile)));
  lines.push('', 'Providers');
  const emulated = await agentsFile.emulated();
  if (emulated.length === 0) lines.push('  real:      every agent signs in to the real Google, GitHub and Microsoft');
  for (const { name, emulator } of emulated) {
    lines.push(`  emulated:  ${name} → ${emulator} (OPPERATOR_EMULATE in its env in agents.yaml; remove it for the real providers)`);
  }
  lines.push('', 'Token stores', ...(await tokenStoreLines(agentsFile)));
  // Lines echo agents.yaml (names, env) and the daemon's environment: each stays one line, shown and not acted on.
  process.stdout.write(`${lines.map((line) => toTerminalText(line)).join('\n')}\n`);
  if (status.selected === 'none') throw new CliError('unavailable', 'The required keyring is unavailable (see above).');
}

/**
 * Where this shell runs (SSH, display, WSL, container) and so how a sign-in
 * started from it goes: the page opens with BROWSER or the platform opener
 * where one can, else the device flow (a code to enter on any device) where
 * the provider's takes the scopes, else paste-back from a terminal, else the
 * URL is printed. Agents get the page through the command that started
 * the sign-in, so this shell's environment is the one that counts.
 */
async function signInLines(config: ReturnType<typeof readConfig>): Promise<string[]> {
  const display = config.browserEnvironment.DISPLAY ?? config.browserEnvironment.WAYLAND_DISPLAY;
  const container = (await exists('/.dockerenv')) || (await exists('/run/.containerenv'));
  const where = [
    config.ssh ? 'over SSH' : 'local',
    process.platform === 'linux' ? (display ? `display ${display}` : 'no display') : process.platform,
    ...(config.wsl ? ['WSL'] : []),
    ...(container ? ['in a container'] : []),
  ];
  const lines = [`  where:     ${where.join(', ')}`];
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'rundll32' : config.wsl ? 'wslview' : 'xdg-open';
  const found = config.browser ? undefined : await onPath(opener, config.searchPath);
  if (config.browser) lines.push(`  browser:   BROWSER=${config.browser}`);
  else if (found && (process.platform !== 'linux' || display || config.wsl)) lines.push(`  browser:   ${found}`);
  else if (found) lines.push(`  browser:   ${found} is installed, but there is no display for it to open a browser on`);
  else lines.push(`  browser:   none (${opener} not found, no BROWSER)`);
  if (canOpenBrowser(config.browserEnvironment) && (found || config.browser || process.platform !== 'linux')) {
    lines.push('  sign-in:   `opperator agent invoke AGENT authorize_…` opens the provider\'s page in that browser');
  } else {
    const stdinTerminal = Boolean(process.stdin.isTTY);
    lines.push(
      '  sign-in:   no browser opens from here, so `authorize_…` signs in with a code to enter on any device (the device flow)',
      '             where the provider\'s device flow takes the scopes (GitHub, Microsoft; not Google with Gmail);',
      stdinTerminal
        ? '             otherwise by paste-back: open the printed URL in any browser, then paste the address it ends on here'
        : '             otherwise by paste-back when run from a terminal (stdin here is not one), else it prints the URL to open on this machine',
      ...(config.ssh ? ['             over SSH the command also prints `ssh -N -L PORT:127.0.0.1:PORT …` so a browser on your computer finishes it'] : []),
      '  choose:    --args \'{"device":true}\' or --args \'{"paste":true}\' on `agent invoke … authorize_…`',
      config.ssh
        ? '  fix:       set BROWSER to a command that opens pages here (a text browser such as w3m, or a browser through ssh -X) to sign in here'
        : '  fix:       set BROWSER to a browser command (as for git and gh) to sign in here',
    );
  }
  return lines;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

async function onPath(program: string, searchPath: string): Promise<string | undefined> {
  for (const dir of searchPath.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, program);
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

/** Where sign-ins keep tokens: token.json in each agent's folder unless agents.yaml names a store (shown without its credentials). */
async function tokenStoreLines(agentsFile: AgentsFile): Promise<string[]> {
  const stores = await agentsFile.tokenStores();
  if (stores.length === 0) return ['  files:     every sign-in keeps token.json in its agent folder (token_store in agents.yaml shares one grant through Redis or Postgres)'];
  return stores.map(({ name, location }) => `  ${name}: ${redactStoreLocation(location)}${/^(redis|rediss|postgres|postgresql):/i.test(location) ? ' (shared; the store package must be installed in the agent folder)' : ''}`);
}
