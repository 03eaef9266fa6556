import { render } from 'ink';
import { DisplaySettingsContext } from '../display-context.js';
import { resolveDisplaySettings } from '../display-settings.js';
import { App, type AppProps } from './App.js';

/**
 * Opens the TUI on this terminal (alternate screen) and resolves when the
 * user quits. The caller (the CLI) supplies the daemon connection.
 *
 * @example
 * ```ts
 * await runTui({ connect: () => connectDaemon() });
 * ```
 */
export async function runTui(options: AppProps): Promise<void> {
  const settings = resolveDisplaySettings();
  // The alternate screen keeps the user's scrollback as it was, as full-screen tools do.
  process.stdout.write('\x1b[?1049h');
  try {
    const instance = render(
      <DisplaySettingsContext.Provider value={settings}>
        <App {...options} />
      </DisplaySettingsContext.Provider>,
      { exitOnCtrlC: false },
    );
    await instance.waitUntilExit();
  } finally {
    process.stdout.write('\x1b[?1049l');
  }
}
