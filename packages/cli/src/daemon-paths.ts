import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { controlSocketLocation } from '@opperator/protocol';
import type { CliConfig } from './config.js';

/**
 * The control socket and the daemon's own log for a given OPPERATOR_HOME.
 * The socket's place comes from `controlSocketLocation`, the function the
 * daemon uses too: `<home>/run/daemon.sock`, or a short private directory
 * when that path is too long for a Unix socket.
 *
 * @example
 * ```ts
 * const client = await DaemonClient.connect(daemonPaths(readConfig()).socketPath);
 * ```
 */
export function daemonPaths(config: Pick<CliConfig, 'home' | 'runtimeDir'>): { socketPath: string; logPath: string } {
  const { socketPath } = controlSocketLocation(config.home, { runtimeDir: config.runtimeDir, uid: process.getuid?.() ?? 0 });
  return { socketPath, logPath: join(config.home, 'state', 'daemon.log') };
}

/** The bundled daemon entry next to the CLI bundle (this module may sit in dist/ or dist/chunks/). */
export function daemonScript(): string {
  for (const candidate of ['./daemon.js', '../daemon.js']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('The daemon bundle is missing next to the CLI; run `npm run build`.');
}
