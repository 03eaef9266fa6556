import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentBuilder, type AgentSource, type Esbuild } from './agent-build.js';

/**
 * How the daemon runs an agent: the program, its arguments for one agent,
 * and an optional step before every start the daemon is asked for (the
 * build). Arguments are fixed per agent, so automatic restarts rerun the
 * last build: the code that was running.
 *
 * @example
 * ```ts
 * const launch: AgentLaunch = { command: process.execPath, args: (agent) => [agent.entryFile] };
 * ```
 */
export interface AgentLaunch {
  command: string;
  args(agent: AgentSource): string[];
  /** Rejects when the agent cannot be started (its message says why and names the fix). */
  prepare?(agent: AgentSource): Promise<void>;
  /** What the launched program reads besides the agent's folder and the node binary (the build): all an isolated agent may see of them. */
  readOnlyPaths?(agent: string): string[];
}

/** Where the daemon finds the runtime's SDK and tsx (from this installation, not from agents' folders). */
export interface LaunchPaths {
  /** The runtime's SDK runner (see {@link locateRuntimeSdk}); an agent with an SDK of its own uses that one's. */
  runnerFile: string;
  /** The runtime's SDK entry, given to agents that import `@opperator/sdk` without installing it. */
  sdkIndexFile: string;
  /** The runtime's `@opperator/oauth` (see `RuntimeSdkFiles.oauthFile`). */
  sdkOauthFile?: string | undefined;
  /** `import.meta.resolve('tsx')`, asked only for the fallback launch; throws where tsx is not installed (a packaged install). */
  resolveTsx: () => string;
  /** The agent build cache, `DaemonConfig.buildDir`: `~/.cache/opperator/build`, or `$OPPERATOR_HOME/state/build`. */
  buildRoot: string;
}

/**
 * The fallback launch: the SDK runner and agent.ts under tsx, compiled in
 * the agent process at every start (slower, and tsx stays in memory).
 *
 * @example
 * ```ts
 * const launch = tsxLaunch({ runnerFile, tsxUrl, buildRoot });
 * ```
 */
export function tsxLaunch(paths: LaunchPaths): AgentLaunch {
  const tsxUrl = paths.resolveTsx();
  // tsx and the SDK's sources load from the installation: an isolated agent sees it read-only.
  const tsxPath = tsxUrl.startsWith('file:') ? fileURLToPath(tsxUrl) : tsxUrl;
  const installation = tsxPath.includes(`${sep}node_modules${sep}`) ? tsxPath.slice(0, tsxPath.lastIndexOf(`${sep}node_modules${sep}`)) : dirname(tsxPath);
  return { command: process.execPath, args: (agent) => ['--import', tsxUrl, paths.runnerFile, agent.entryFile], readOnlyPaths: () => [installation, dirname(paths.runnerFile)] };
}

/**
 * The default launch: each start first builds the agent with esbuild
 * (cached while its inputs are unchanged), then runs plain JavaScript:
 * `node --enable-source-maps <build>/runner.mjs <build>/agent.mjs`, so stack
 * traces in logs point at agent.ts lines.
 *
 * @example
 * ```ts
 * const launch = bundleLaunch(await import('esbuild'), { runnerFile, tsxUrl, buildRoot });
 * ```
 */
export function bundleLaunch(esbuild: Esbuild, paths: LaunchPaths): AgentLaunch {
  const builder = new AgentBuilder(esbuild, paths.buildRoot, { runnerFile: paths.runnerFile, indexFile: paths.sdkIndexFile, ...(paths.sdkOauthFile ? { oauthFile: paths.sdkOauthFile } : {}) });
  return {
    command: process.execPath,
    args: (agent) => {
      const out = builder.outputs(agent.name);
      return ['--enable-source-maps', out.runner, out.entry];
    },
    prepare: async (agent) => {
      await builder.build(agent);
    },
    readOnlyPaths: (agent) => [builder.outDir(agent)],
  };
}

/**
 * The bundle launch if esbuild loads, else the tsx launch with one warning
 * (esbuild ships a native binary per platform; an install without it must
 * still run agents).
 *
 * @example
 * ```ts
 * const launch = await chooseLaunch(paths, (message) => process.stderr.write(`${message}\n`));
 * ```
 */
export async function chooseLaunch(paths: LaunchPaths, warn: (message: string) => void, load: () => Promise<Esbuild> = loadEsbuild): Promise<AgentLaunch> {
  let esbuild: Esbuild;
  try {
    esbuild = await load();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    try {
      const launch = tsxLaunch(paths);
      warn(`opperator daemon: warning: esbuild could not be loaded (${why}); agents run under tsx instead, which starts slower and uses more memory. Reinstall opperator to fix.`);
      return launch;
    } catch {
      // No tsx either (a packaged install): every start says why, and the daemon itself keeps serving.
      warn(`opperator daemon: error: esbuild could not be loaded (${why}), so no agent can be built. Reinstall opperator: npm install -g @opperator/cli`);
      return {
        command: process.execPath,
        args: (agent) => [agent.entryFile],
        prepare: () => Promise.reject(new Error(`esbuild could not be loaded (${why}), so agents cannot be built. Reinstall opperator: npm install -g @opperator/cli`)),
      };
    }
  }
  return bundleLaunch(esbuild, paths);
}

async function loadEsbuild(): Promise<Esbuild> {
  const esbuild = (await import('esbuild')) as Esbuild & { default?: Esbuild };
  // esbuild is CommonJS: its named exports may only be on the default export.
  const api = typeof esbuild.build === 'function' ? esbuild : esbuild.default;
  if (!api || typeof api.build !== 'function') throw new Error('the esbuild module has no build()');
  return api;
}
