/**
 * How the terminal may be drawn on: the one place the TUI decides about
 * colour and animation. Components get these through
 * {@link DisplaySettingsContext} (or props), never from the environment.
 *
 * @example
 * ```ts
 * const plain: DisplaySettings = { color: false, animate: false };
 * ```
 */
export interface DisplaySettings {
  /** Draw colours (foreground and background). Bold and italic stay either way. */
  color: boolean;
  /** Animate (spinners); off, a static marker is drawn instead. */
  animate: boolean;
}

/** Inputs of {@link resolveDisplaySettings}; each defaults to the real process. */
export interface ResolveDisplaySettingsOptions {
  /** The environment to read `NO_COLOR` from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal. Default `process.stdout.isTTY`. */
  isTTY?: boolean;
}

/**
 * Reads the display settings once, at startup (SPEC §2: `NO_COLOR`, and a
 * non-TTY stdout, turn off colour and animation). This is the only file of
 * the TUI that reads `process.env`; the boundary test holds it to that.
 * `NO_COLOR` counts when set to anything but the empty string, as
 * no-color.org defines it.
 *
 * @example
 * ```ts
 * const settings = resolveDisplaySettings();
 * // render(<DisplaySettingsContext.Provider value={settings}>…</DisplaySettingsContext.Provider>)
 * ```
 */
export function resolveDisplaySettings(options: ResolveDisplaySettingsOptions = {}): DisplaySettings {
  const env = options.env ?? process.env;
  const isTTY = options.isTTY ?? process.stdout.isTTY === true;
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return { color: isTTY && !noColor, animate: isTTY && !noColor };
}
