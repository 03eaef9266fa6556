import { readFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { readConfig } from '../config.js';
import { connectDaemon } from './with-daemon.js';

/**
 * `opperator` with no arguments on a terminal: the TUI. It starts the daemon
 * when none runs (like every command); when the daemon goes away later, the
 * TUI waits for it rather than starting another. Collapsed sections are
 * remembered in `$OPPERATOR_HOME/state/tui.json`.
 */
export async function openTui(): Promise<void> {
  const { runTui } = await import('@opperator/tui');
  const statePath = join(readConfig().home, 'state', 'tui.json');
  const saved: { collapsed?: Record<string, boolean> } = await readFile(statePath, 'utf8').then((text) => JSON.parse(text) as { collapsed?: Record<string, boolean> }, () => ({}));
  let first = true;
  await runTui({
    connect: async () => {
      const start = first;
      first = false;
      return connectDaemon({ start });
    },
    initialCollapsed: saved.collapsed ?? {},
    onCollapsedChange: (collapsed) => {
      void mkdir(dirname(statePath), { recursive: true, mode: 0o700 })
        .then(() => writeFileAtomic(statePath, `${JSON.stringify({ collapsed }, null, 2)}\n`, { mode: 0o600 }))
        .catch(() => undefined);
    },
  });
}
