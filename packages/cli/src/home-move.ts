import { migrateHome } from '@opperator/protocol';
import { CliError } from './cli-error.js';
import { readConfig } from './config.js';
import { serviceForcingHome } from './commands/doctor-files.js';

/**
 * Commands that run before the move: `daemon stop|status` and `sandbox
 * stop|status` must reach a daemon or sandbox the old layout started (see
 * `daemonPaths`, `sandboxPaths`), or the user could never stop it; help and
 * completion (`complete` runs at each TAB) touch no file.
 */
const BEFORE_THE_MOVE = new Set(['daemon stop', 'daemon status', 'sandbox stop', 'sandbox status', 'help', 'completion', 'complete']);

/** After these, what held the move back may be gone: it is tried at once. */
const THEN_MOVE = new Set(['daemon stop', 'sandbox stop']);

/**
 * Before a command touches the home: moves an old single-folder home
 * (`~/.config/opperator` with `state/`, `run/`, `secrets/`) to the XDG
 * places, once (`migrateHome`), saying what moved where in one line on
 * stderr. Refuses (exit 4, conflict) while a daemon of the old layout
 * runs, telling to stop it first. Nothing happens with `OPPERATOR_HOME` set.
 *
 * @param command the command's words without `opperator` (`agent list`; `` for the TUI)
 * @example
 * ```ts
 * program.hook('preAction', (_root, action) => moveOldHome('agent list'));
 * ```
 */
export async function moveOldHome(command: string): Promise<void> {
  if (BEFORE_THE_MOVE.has(command)) return;
  const config = readConfig();
  const result = await migrateHome(config.layout, { runtimeDir: config.runtimeDir, uid: process.getuid?.() ?? 0 });
  if (result.outcome === 'blocked') throw new CliError('conflict', result.message);
  if (result.outcome !== 'migrated') return;
  // Its daemon would start at the next login with everything back in the old folder: say so in the same line.
  const service = await serviceForcingHome(config);
  process.stderr.write(`opperator: ${result.report}${service ? `; ${service} still keeps everything in ${config.home}: run opperator daemon install again` : ''}\n`);
}

/**
 * After `daemon stop` or `sandbox stop` stopped what the old layout
 * started, the move it was holding back can happen at once. Still held
 * back (the other one runs), the stop itself has succeeded: a note says
 * what else to stop.
 *
 * @example
 * ```ts
 * program.hook('postAction', (_root, action) => moveOldHomeAfter('daemon stop'));
 * ```
 */
export async function moveOldHomeAfter(command: string): Promise<void> {
  if (!THEN_MOVE.has(command)) return;
  try {
    await moveOldHome('');
  } catch (err) {
    if (!(err instanceof CliError && err.kind === 'conflict')) throw err;
    process.stderr.write(`opperator: note: ${err.message}\n`);
  }
}
