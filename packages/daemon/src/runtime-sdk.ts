import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RuntimeSdkFiles } from './agent-build.js';

/**
 * The SDK the runtime gives agents. In the CLI bundle it sits next to the
 * daemon (`dist/sdk/runner.js`, `dist/sdk/index.js`, and `dist/sdk/oauth.js`
 * for token store packages an agent installs, built by
 * scripts/build-cli.mjs from the same sources, so it is the daemon's own
 * version); running from source, it is the workspace's `@opperator/sdk`.
 *
 * @example
 * ```ts
 * const sdk = locateRuntimeSdk(import.meta.url); // from the daemon's entry file
 * ```
 */
export function locateRuntimeSdk(daemonEntryUrl: string): RuntimeSdkFiles {
  const runnerFile = fileURLToPath(new URL('./sdk/runner.js', daemonEntryUrl));
  const indexFile = fileURLToPath(new URL('./sdk/index.js', daemonEntryUrl));
  const oauthFile = fileURLToPath(new URL('./sdk/oauth.js', daemonEntryUrl));
  if (existsSync(runnerFile) && existsSync(indexFile)) return { runnerFile, indexFile, ...(existsSync(oauthFile) ? { oauthFile } : {}) };
  return { runnerFile: fileURLToPath(import.meta.resolve('@opperator/sdk/runner')), indexFile: fileURLToPath(import.meta.resolve('@opperator/sdk')), oauthFile: fileURLToPath(import.meta.resolve('@opperator/oauth')) };
}
