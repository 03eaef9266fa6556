import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { controlSocketLocation, legacyDaemonSocket } from '@opperator/protocol';
import type { CliConfig } from './config.js';

/**
 * The control socket and the daemon's own log for the home in use. The
 * socket's place comes from `controlSocketLocation`, the function the
 * daemon uses too: `<run>/daemon.sock` (`HomeLayout.run`), or a short
 * private directory when that path is too long for a Unix socket. The log
 * is in the state directory. Until the one-time move of an old
 * single-folder home has run, a daemon that old layout started is the one
 * answered here, so `daemon stop` can stop it (see `migrateHome`).
 *
 * @example
 * ```ts
 * const client = await DaemonClient.connect(daemonPaths(readConfig()).socketPath);
 * ```
 */
export function daemonPaths(config: Pick<CliConfig, 'layout' | 'paths' | 'runtimeDir'>): { socketPath: string; logPath: string } {
  const where = { runtimeDir: config.runtimeDir, uid: process.getuid?.() ?? 0 };
  const socketPath = legacyDaemonSocket(config.layout, where) ?? controlSocketLocation(config.layout.config, { ...where, runDir: config.layout.run }).socketPath;
  return { socketPath, logPath: config.paths.daemonLog };
}

/** The bundled daemon entry next to the CLI bundle (this module may sit in dist/ or dist/chunks/). */
export function daemonScript(): string {
  for (const candidate of ['./daemon.js', '../daemon.js']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('The daemon bundle is missing next to the CLI; run `npm run build`.');
}
