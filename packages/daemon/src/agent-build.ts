import { mkdir, readFile, readdir, realpath, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type * as EsbuildModule from 'esbuild';
import type { BuildFailure, Message, Metafile, Plugin } from 'esbuild';
import { agentPlugin, installedStorePackages } from './agent-build-plugin.js';

/** The part of the esbuild module the builder uses (a seam: the daemon loads esbuild at run time). */
export type Esbuild = Pick<typeof EsbuildModule, 'build' | 'version'> & Partial<Pick<typeof EsbuildModule, 'stop'>>;

/** The agent to build. */
export interface AgentSource {
  name: string;
  /** The agent's folder (its cwd and OPPERATOR_AGENT_DIR). */
  dir: string;
  /** Absolute path of its entry file (agent.ts). */
  entryFile: string;
}

/** The runtime's own SDK: what an agent that does not install `@opperator/sdk` is built with. */
export interface RuntimeSdkFiles {
  /** The SDK runner (`@opperator/sdk/runner`). */
  runnerFile: string;
  /** The SDK entry (`@opperator/sdk`). */
  indexFile: string;
  /**
   * The runtime's `@opperator/oauth`, for what an agent installed that
   * imports it (a token store package) when the agent has no copy of its own:
   * a packaged install has none next to the agent.
   */
  oauthFile?: string;
}

/** Where a built agent lives: run `node --enable-source-maps <runner> <entry>`. */
export interface BuiltAgent {
  /** The SDK runner, bundled. */
  runner: string;
  /** The agent's entry, bundled; its default export is the agent class. */
  entry: string;
  /** False when the cached build was still up to date. */
  rebuilt: boolean;
  ms: number;
}

/**
 * A build failed: `message` holds esbuild's errors (file:line:column and
 * text) and the fix.
 */
export class AgentBuildError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentBuildError';
  }
}

// Bump when the build options below change, so old caches are not reused.
const RECIPE = 3;
const CACHE_FILE = 'inputs.json';
/** esbuild's service process holds ~40 MB after a build; builds are rare (after edits), so it goes after this idle time. */
const SERVICE_IDLE_MS = 30_000;

interface CacheRecord {
  key: string;
  /** Absolute input path -> "mtimeMs:size". */
  inputs: Record<string, string>;
  outputs: string[];
}

/**
 * Builds agents into plain JavaScript so they run under `node` without a
 * TypeScript loader (start-up and idle memory are about half of tsx's).
 *
 * Two entry points share one chunk: the SDK runner and the agent's entry.
 * Both import the SDK's `Agent` from that chunk, so the runner's
 * `instanceof Agent` check holds (one SDK copy), and the runner loads the
 * agent entry exactly as it loads agent.ts under tsx: a throwing module or
 * a missing default export still becomes a `log` message and exit 1.
 *
 * `@opperator/*` packages are TypeScript sources and are bundled, with
 * everything they import. Other bare imports of the agent's own files stay
 * external: they are plain JavaScript the agent installed in its
 * node_modules, which the build folder links to (Node's ESM resolver
 * ignores NODE_PATH, so a `node_modules` symlink next to the bundle is how
 * the bundle finds them without writing into the agent's folder).
 *
 * @example
 * ```ts
 * const builder = new AgentBuilder(await import('esbuild'), join(stateDir, 'build'), runnerPath);
 * const built = await builder.build({ name: 'demo', dir: agentDir, entryFile: join(agentDir, 'agent.ts') });
 * spawn(process.execPath, ['--enable-source-maps', built.runner, built.entry], { cwd: agentDir });
 * ```
 */
export class AgentBuilder {
  readonly #esbuild: Esbuild;
  readonly #buildRoot: string;
  readonly #sdk: RuntimeSdkFiles;
  /** One build at a time per agent: two starts must not write the same folder at once. */
  readonly #queues = new Map<string, Promise<unknown>>();
  #idleTimer: NodeJS.Timeout | undefined;
  #inFlight = 0;

  constructor(esbuild: Esbuild, buildRoot: string, sdk: RuntimeSdkFiles) {
    this.#esbuild = esbuild;
    this.#buildRoot = buildRoot;
    this.#sdk = sdk;
  }

  /** The folder of an agent's build. */
  outDir(name: string): string {
    return join(this.#buildRoot, name);
  }

  /** The paths {@link build} writes, known before it runs (the launch arguments are fixed per agent). */
  outputs(name: string): { runner: string; entry: string } {
    return { runner: join(this.outDir(name), 'runner.mjs'), entry: join(this.outDir(name), 'agent.mjs') };
  }

  /** Builds the agent unless its last build is up to date. Rejects with {@link AgentBuildError}. */
  build(agent: AgentSource): Promise<BuiltAgent> {
    const previous = this.#queues.get(agent.name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.#build(agent));
    this.#queues.set(agent.name, next);
    this.#inFlight += 1;
    clearTimeout(this.#idleTimer);
    const settled = () => {
      this.#inFlight -= 1;
      if (this.#inFlight > 0 || !this.#esbuild.stop) return;
      // The next build starts a new service (about 100 ms more); unref: it never keeps the daemon alive.
      this.#idleTimer = setTimeout(() => {
        if (this.#inFlight === 0) void this.#esbuild.stop?.();
      }, SERVICE_IDLE_MS).unref();
    };
    next.then(settled, settled);
    return next;
  }

  async #build(agent: AgentSource): Promise<BuiltAgent> {
    const started = performance.now();
    const outDir = this.outDir(agent.name);
    const paths = this.outputs(agent.name);
    // Installing or removing an SDK of the agent's own changes which SDK it is built with.
    const ownSdk = await realpath(join(agent.dir, 'node_modules', '@opperator', 'sdk')).catch(() => 'runtime');
    // Installing or removing a token store package changes what the bundle imports.
    const storePackages = await installedStorePackages(agent.dir);
    const key = JSON.stringify([RECIPE, this.#esbuild.version, process.version, agent.dir, agent.entryFile, this.#sdk, ownSdk, storePackages]);
    if (await isFresh(outDir, key)) return { ...paths, rebuilt: false, ms: performance.now() - started };
    await mkdir(outDir, { recursive: true, mode: 0o700 });
    await linkNodeModules(outDir, agent.dir);
    const agentDirReal = await realpath(agent.dir).catch(() => resolve(agent.dir));
    let result: { metafile: Metafile; outputFiles: Array<{ path: string; contents: Uint8Array }> };
    try {
      result = await this.#esbuild.build({
        entryPoints: { runner: RUNNER_ENTRY, agent: agent.entryFile },
        outdir: outDir,
        outExtension: { '.js': '.mjs' },
        chunkNames: 'chunk-[hash]',
        bundle: true,
        splitting: true,
        format: 'esm',
        platform: 'node',
        target: `node${process.versions.node.split('.')[0]}`,
        // Linked maps without sources (small to read at start-up) are enough for --enable-source-maps to name agent.ts lines.
        sourcemap: 'linked',
        sourcesContent: false,
        // The agent's class name shows in logs and errors; keep it as written.
        keepNames: true,
        metafile: true,
        write: false,
        logLevel: 'silent',
        absWorkingDir: agentDirReal,
        plugins: [sdkPlugin(agentDirReal, this.#sdk), agentPlugin(agentDirReal, { entryFile: await realpath(agent.entryFile).catch(() => agent.entryFile), storePackages })],
        // pg's optional native binding, required inside a try: absent, pg uses its JavaScript client.
        external: ['pg-native'],
        // Bundled CommonJS (proper-lockfile, write-file-atomic via @opperator/oauth) calls require() and reads __filename.
        // `define` rewrites only free references: an agent's own `const __filename = ...` would clash with a banner `const`.
        banner: {
          js: [
            "import { createRequire as __opperatorCreateRequire } from 'node:module';",
            "import { fileURLToPath as __opperatorFileURLToPath } from 'node:url';",
            'const require = __opperatorCreateRequire(import.meta.url);',
            'const __opperatorFilename = __opperatorFileURLToPath(import.meta.url);',
            "const __opperatorDirname = __opperatorFileURLToPath(new URL('.', import.meta.url));",
          ].join(' '),
        },
        define: { __filename: '__opperatorFilename', __dirname: '__opperatorDirname' },
      });
    } catch (err) {
      throw new AgentBuildError(describeFailure(agent, err), { cause: err });
    }
    // Chunks first, the entries last: a process starting meanwhile sees a complete old or new pair.
    const files = result.outputFiles.flatMap(withoutChunkMaps).sort((a, b) => rank(a.path) - rank(b.path));
    for (const file of files) await writeAtomic(file.path, file.contents);
    const inputs: Record<string, string> = {};
    for (const input of Object.keys(result.metafile.inputs)) {
      const path = resolve(agentDirReal, input);
      const info = await stat(path).catch(() => undefined);
      if (info) inputs[path] = `${info.mtimeMs}:${info.size}`;
    }
    const outputs = files.map((f) => f.path);
    await removeStale(outDir, new Set(outputs));
    await writeAtomic(join(outDir, CACHE_FILE), JSON.stringify({ key, inputs, outputs } satisfies CacheRecord));
    return { ...paths, rebuilt: true, ms: performance.now() - started };
  }
}

/** The runner entry point, resolved by {@link sdkPlugin}. */
const RUNNER_ENTRY = 'opperator:sdk-runner';
/** Marks a resolution the SDK plugin asks esbuild for, so it does not answer itself. */
const PLAIN_RESOLVE = { opperatorPlain: true };

/**
 * Which SDK an agent runs with. An agent that installed `@opperator/sdk`
 * (pinned a version) gets its own, runner included, so the runner and the
 * agent share one `Agent` class. Any other agent gets the runtime's, which
 * matches the daemon's version: an agent needs nothing but agent.ts.
 */
function sdkPlugin(agentDir: string, sdk: RuntimeSdkFiles): Plugin {
  return {
    name: 'opperator-sdk',
    setup(build) {
      const fromAgent = async (path: string, resolveDir: string) => {
        const found = await build.resolve(path, { kind: 'import-statement', resolveDir, pluginData: PLAIN_RESOLVE });
        return found.errors.length === 0 ? found.path : undefined;
      };
      build.onResolve({ filter: /^opperator:sdk-runner$/ }, async () => ({ path: (await fromAgent('@opperator/sdk/runner', agentDir)) ?? sdk.runnerFile }));
      build.onResolve({ filter: /^@opperator\/sdk(\/.*)?$/ }, async (args) => {
        if ((args.pluginData as typeof PLAIN_RESOLVE | undefined)?.opperatorPlain) return undefined;
        const own = await fromAgent(args.path, args.resolveDir);
        if (own) return { path: own };
        if (args.path === '@opperator/sdk') return { path: sdk.indexFile };
        if (args.path === '@opperator/sdk/runner') return { path: sdk.runnerFile };
        return { errors: [{ text: `${args.path} is not part of the SDK the runtime provides (only @opperator/sdk); install it in the agent's folder to use it` }] };
      });
      // Token store packages import @opperator/oauth (a peer): theirs when installed, else the runtime's.
      if (sdk.oauthFile) {
        const oauthFile = sdk.oauthFile;
        build.onResolve({ filter: /^@opperator\/oauth$/ }, async (args) => {
          if ((args.pluginData as typeof PLAIN_RESOLVE | undefined)?.opperatorPlain) return undefined;
          return { path: (await fromAgent(args.path, args.resolveDir)) ?? oauthFile };
        });
      }
    },
  };
}

/** Every esbuild error as `file:line:column: text`, then the fix. */
function describeFailure(agent: AgentSource, err: unknown): string {
  const errors: Message[] = (err as Partial<BuildFailure>).errors ?? [];
  const lines = errors.length > 0
    ? errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ${e.text}` : e.text))
    : [err instanceof Error ? err.message : String(err)];
  const file = relative(agent.dir, agent.entryFile) || agent.entryFile;
  return `Agent ${agent.name} could not be built:\n  ${lines.join('\n  ')}\nFix ${file}, then: opperator agent start ${agent.name}`;
}

const CHUNK = /[\\/]chunk-[^\\/]*\.mjs$/;

/**
 * Drops the source maps of shared chunks (the SDK, zod, the protocol):
 * `--enable-source-maps` parses every map at load, and theirs cost ~7 MB of
 * idle memory per agent. The agent's own code is only reachable from the
 * agent entry, so agent.mjs and its map still point at agent.ts lines.
 */
function withoutChunkMaps(file: { path: string; contents: Uint8Array }): Array<{ path: string; contents: Uint8Array }> {
  if (file.path.endsWith('.map')) return CHUNK.test(file.path.slice(0, -'.map'.length)) ? [] : [file];
  if (!CHUNK.test(file.path)) return [file];
  const text = Buffer.from(file.contents).toString('utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  return [{ path: file.path, contents: Buffer.from(text) }];
}

function rank(path: string): number {
  if (path.endsWith('.map')) return 0;
  if (CHUNK.test(path)) return 1;
  return path.endsWith('agent.mjs') ? 2 : 3;
}

async function isFresh(outDir: string, key: string): Promise<boolean> {
  let record: CacheRecord;
  try {
    record = JSON.parse(await readFile(join(outDir, CACHE_FILE), 'utf8')) as CacheRecord;
  } catch {
    return false;
  }
  if (record.key !== key) return false;
  for (const [path, stamp] of Object.entries(record.inputs)) {
    const info = await stat(path).catch(() => undefined);
    if (!info || `${info.mtimeMs}:${info.size}` !== stamp) return false;
  }
  for (const path of record.outputs) if (!(await stat(path).catch(() => undefined))) return false;
  return true;
}

async function linkNodeModules(outDir: string, agentDir: string): Promise<void> {
  const link = join(outDir, 'node_modules');
  await rm(link, { force: true, recursive: false }).catch(() => undefined);
  await symlink(join(agentDir, 'node_modules'), link).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
}

async function writeAtomic(path: string, contents: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, contents, { mode: 0o600 });
  await rename(temporary, path);
}

async function removeStale(outDir: string, keep: Set<string>): Promise<void> {
  for (const name of await readdir(outDir)) {
    const path = join(outDir, name);
    if (/\.mjs(\.map)?$/.test(name) && !keep.has(path)) await rm(path, { force: true });
  }
}
