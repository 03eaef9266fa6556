import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { CliConfig } from '../config.js';
import { daemonPaths } from '../daemon-paths.js';
import { launchdPlistPath, systemdUnitPath } from './daemon-service-files.js';

/**
 * The "Files" part of `opperator doctor`: where each kind of file is
 * (`homeLayout`), and a service installed by a version that kept
 * everything in one folder (its `OPPERATOR_HOME` would start a daemon this
 * CLI does not find).
 *
 * @example
 * ```ts
 * lines.push('Files', ...(await filesLines(readConfig())));
 * ```
 */
export async function filesLines(config: CliConfig): Promise<string[]> {
  const { layout } = config;
  const lines = [
    `  layout:    ${layout.forced ? 'one folder (OPPERATOR_HOME is set)' : 'XDG base directories (set OPPERATOR_HOME to keep everything in one folder)'}`,
    `  config:    ${layout.config} (agents.yaml, agents/)`,
    `  state:     ${layout.state} (logs, tasks, sections, daemon.log, sandbox)`,
    `  cache:     ${layout.cache}${layout.forced ? '' : ' (agent builds; safe to delete)'}`,
    `  data:      ${config.paths.secretsDir} (secret names; the unencrypted fallback file)`,
    `  socket:    ${daemonPaths(config).socketPath}`,
  ];
  const service = await serviceForcingHome(config);
  if (service) lines.push(`  service:   ${service} keeps everything in one folder (OPPERATOR_HOME); to use the places above: opperator daemon install`);
  return lines;
}

/**
 * The service file `daemon install` wrote before the XDG layout, when it
 * still sets `OPPERATOR_HOME` while this CLI uses the XDG places (its
 * daemon would use other files than this CLI); else undefined.
 *
 * @example
 * ```ts
 * const stale = await serviceForcingHome(readConfig()); // '/home/ana/.config/systemd/user/opperator.service'
 * ```
 */
export async function serviceForcingHome(config: CliConfig): Promise<string | undefined> {
  if (config.layout.forced) return undefined;
  const path = process.platform === 'darwin' ? launchdPlistPath(homedir()) : systemdUnitPath(config.configDir);
  // Absent (not installed) or unreadable: either way there is nothing to say about it.
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.includes('OPPERATOR_HOME') ? path : undefined;
}
