import { readFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { canOpenBrowser, createBrowserOpener } from '@opperator/oauth/browser';
import { markInteractiveTerminal, readConfig } from '../config.js';
import { tunnelHint } from '../paste-prompt.js';
import { openSecretStore } from './secret-context.js';
import { connectDaemon } from './with-daemon.js';

/**
 * `opperator` with no arguments on a terminal: the TUI. It starts the daemon
 * when none runs (like every command); when the daemon goes away later, the
 * TUI waits for it rather than starting another. Collapsed sections are
 * remembered in `tui.json` in the state directory.
 */
export async function openTui(): Promise<void> {
  const restoreEnvironment = markInteractiveTerminal();
  const { runTui } = await import('@opperator/tui');
  restoreEnvironment();
  const statePath = readConfig().paths.tuiStateFile;
  const saved: { collapsed?: Record<string, boolean> } = await readFile(statePath, 'utf8').then((text) => JSON.parse(text) as { collapsed?: Record<string, boolean> }, () => ({}));
  let first = true;
  await runTui({
    connect: async () => {
      const start = first;
      first = false;
      return connectDaemon({ start });
    },
    initialCollapsed: saved.collapsed ?? {},
    secrets: secretAccess(),
    // Sign-in pages open with the TUI's own environment (BROWSER, display), not the daemon's; over SSH the paste field also shows the ssh -L command.
    browser: browserAccess(),
    onCollapsedChange: (collapsed) => {
      void mkdir(dirname(statePath), { recursive: true, mode: 0o700 })
        .then(() => writeFileAtomic(statePath, `${JSON.stringify({ collapsed }, null, 2)}\n`, { mode: 0o600 }))
        .catch(() => undefined);
    },
  });
}

/** The secret store for the TUI's form: the same store as `opperator secret set`, its notes shown in the form instead of stderr. */
function secretAccess() {
  let fallbackNote: string | undefined;
  const store = openSecretStore({ onFileFallback: (notice) => (fallbackNote = `Stored NOT encrypted in ${notice.path}${notice.chosen ? ' (OPPERATOR_SECRET_STORE=file)' : `: ${notice.reason}`}.`) });
  const known = async () => new Set((await store.list()).map((record) => record.name));
  return {
    missing: async (names: readonly string[]) => {
      const have = await known();
      return names.filter((name) => !have.has(name));
    },
    set: async (name: string, value: string) => {
      const { backend } = await store.set(name, value);
      return backend === 'file' ? { note: fallbackNote ?? 'Stored in the secrets file (NOT encrypted).' } : {};
    },
  };
}

/** Opening pages with the TUI's own BROWSER and display, not the daemon's; over SSH, the `ssh -L` hint the CLI's paste prompt prints too. */
function browserAccess() {
  const config = readConfig();
  const open = createBrowserOpener(config.browser ? { browser: config.browser } : {});
  return { canOpen: canOpenBrowser(config.browserEnvironment), open, tunnelHint: (redirectUri: string) => tunnelHint(redirectUri, config) };
}
