import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliConfig } from './config.js';

/** The control socket and the daemon's own log for a given OPPERATOR_HOME (the daemon derives the same paths). */
export function daemonPaths(config: CliConfig): { socketPath: string; logPath: string } {
  return { socketPath: join(config.home, 'run', 'daemon.sock'), logPath: join(config.home, 'state', 'daemon.log') };
}

/** The bundled daemon entry next to the CLI bundle (this module may sit in dist/ or dist/chunks/). */
export function daemonScript(): string {
  for (const candidate of ['./daemon.js', '../daemon.js']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('The daemon bundle is missing next to the CLI; run `npm run build`.');
}
