/**
 * The live heap of another node process, for the memory figures of the
 * benchmarks: RSS alone cannot tell a leak from V8 growing its heap lazily.
 * The process is started with {@link liveHeapLaunch} (bench/heap-probe.mjs
 * preloaded, listening on {@link heapProbeSocket}); {@link readLiveHeap} then makes it collect all garbage and
 * report what is left, and {@link startHeapSampling} / {@link stopHeapSampling}
 * run V8's sampling heap profiler, whose profile names the code that
 * allocated what is still live.
 *
 * Why not heap snapshots (`--heapsnapshot-signal`): writing one freezes the
 * process for seconds and leaves its RSS 100-300 MB higher afterwards (the
 * snapshot's native memory stays with malloc), which ruins every RSS figure
 * taken after it.
 */
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The preload, next to this file. */
const PROBE_URL = new URL('./heap-probe.mjs', import.meta.url).href;
/** A full GC of a few hundred MB on two loaded cores; longer means the process is stuck. */
const REQUEST_TIMEOUT_MS = 60_000;
/** Frames shown per allocation site, innermost first. */
const SITE_FRAMES = 4;

/** Live heap of a process after a full GC. */
export interface LiveHeap {
  /** V8's used heap size right after the GC, in bytes. */
  usedBytes: number;
  /** Heap V8 has reserved (what RSS sees of it), in bytes. */
  heapTotalBytes: number;
  /** Memory outside the heap that JS objects hold (buffers), in bytes. */
  externalBytes: number;
  /** Marks, measures and resource timings held by the global performance timeline: they stay until cleared. */
  timelineEntries: number;
}

/** Code that allocated memory still live when sampling stopped. */
export interface AllocationSite {
  /** Innermost frames, `function (file:line)`, joined by ` < `; bundle lines carry the module esbuild took them from. */
  stack: string;
  /** Estimated live bytes allocated there. */
  bytes: number;
}

/**
 * Node arguments (before the script; or the same as NODE_OPTIONS) and the
 * environment that make a process answer {@link readLiveHeap} on
 * {@link heapProbeSocket}`(dir, its pid)`. The environment variable alone does
 * nothing: a child that inherits it without the preload is unaffected.
 *
 * @example
 * ```ts
 * const probe = liveHeapLaunch(scratch);
 * const child = spawn(process.execPath, [...probe.execArgv, cli], { env: { ...process.env, ...probe.env } });
 * const heap = await readLiveHeap(heapProbeSocket(scratch, child.pid));
 * ```
 */
export function liveHeapLaunch(dir: string): { execArgv: string[]; nodeOptions: string; env: Record<string, string> } {
  return { execArgv: ['--import', PROBE_URL], nodeOptions: `--import=${JSON.stringify(PROBE_URL)}`, env: { OPPERATOR_BENCH_HEAP_PROBE_DIR: dir } };
}

/**
 * The socket on which the probe of process `pid`, started with
 * {@link liveHeapLaunch}`(dir)`, answers (it listens once its preload ran).
 *
 * @example
 * ```ts
 * await readLiveHeap(heapProbeSocket(scratch, daemonPid));
 * ```
 */
export function heapProbeSocket(dir: string, pid: number): string {
  return join(dir, `${pid}.sock`);
}

/**
 * Makes the process collect all available garbage (V8's full, compacting
 * "low memory" GC), then reads its heap statistics.
 *
 * @example
 * ```ts
 * const { usedBytes } = await readLiveHeap(heapProbeSocket(scratch, tuiPid));
 * ```
 */
export async function readLiveHeap(socketPath: string): Promise<LiveHeap> {
  return (await request(socketPath, 'heap')) as LiveHeap;
}

/** Starts V8's sampling heap profiler in the process (see {@link stopHeapSampling}). */
export async function startHeapSampling(socketPath: string): Promise<void> {
  await request(socketPath, 'sample-start');
}

/**
 * Stops the sampling heap profiler and returns the `limit` allocation sites
 * holding the most live memory (objects collected since they were sampled
 * are not counted). Sites in a bundle name the module esbuild took the line
 * from (`// node_modules/...` comments).
 *
 * @example
 * ```ts
 * await startHeapSampling(sock);
 * // ... load ...
 * await readLiveHeap(sock); // a full GC first, so only live objects remain
 * console.log(await stopHeapSampling(sock, 5));
 * ```
 */
export async function stopHeapSampling(socketPath: string, limit: number): Promise<AllocationSite[]> {
  const { profile } = (await request(socketPath, 'sample-stop')) as { profile: { head: ProfileNode } };
  const sites = new Map<string, number>();
  const modules = new ModuleLookup();
  // The probe's own allocations (its requests, the inspector's replies) are not the process's.
  const walk = (node: ProfileNode, stack: string[], inProbe: boolean) => {
    const here = [describeFrame(node.callFrame, modules), ...stack];
    const probe = inProbe || node.callFrame.url === PROBE_URL;
    if (node.selfSize > 0 && !probe) {
      const key = here.slice(0, SITE_FRAMES).join(' < ');
      sites.set(key, (sites.get(key) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, here.slice(0, SITE_FRAMES), probe);
  };
  walk(profile.head, [], false);
  return [...sites].map(([stack, bytes]) => ({ stack, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, limit);
}

/** `sites` as `"1.2 MB fn (file:line) < ..."` items, for a report line. */
export function formatSites(sites: readonly AllocationSite[]): string {
  return sites.map((site) => `${(site.bytes / 1e6).toFixed(1)} MB ${site.stack}`).join('; ');
}

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

function describeFrame(frame: ProfileNode['callFrame'], modules: ModuleLookup): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  // Zero-based in the protocol.
  const line = frame.lineNumber + 1;
  const module = modules.moduleAt(frame.url, line);
  const file = frame.url.startsWith('node:') ? frame.url : basename(frame.url);
  return `${name} (${file}:${line}${module ? ` ${module}` : ''})`;
}

/** Finds which bundled module a line of an esbuild bundle came from. */
class ModuleLookup {
  readonly #files = new Map<string, string[] | undefined>();
  readonly #found = new Map<string, string | undefined>();

  moduleAt(url: string, line: number): string | undefined {
    if (!url.startsWith('file:')) return undefined;
    const key = `${url}:${line}`;
    if (!this.#found.has(key)) this.#found.set(key, this.#search(url, line));
    return this.#found.get(key);
  }

  #search(url: string, line: number): string | undefined {
    if (!this.#files.has(url)) this.#files.set(url, this.#read(url));
    const lines = this.#files.get(url) ?? [];
    for (let i = Math.min(line, lines.length) - 1; i >= 0; i -= 1) {
      const marker = /^\/\/ ((?:node_modules|packages)\/\S+)$/.exec(lines[i] ?? '');
      if (marker) return marker[1];
    }
    return undefined;
  }

  #read(url: string): string[] | undefined {
    try {
      return readFileSync(fileURLToPath(url), 'utf8').split('\n');
    } catch {
      // Gone with its scratch directory, or not a file: the site keeps its file:line only.
      return undefined;
    }
  }
}

/** One request on a fresh connection: a line out, a JSON line back. */
function request(socketPath: string, command: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let buffer = '';
    const timer = setTimeout(() => fail(new Error(`no answer to ${command} on ${socketPath} within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.setEncoding('utf8');
    socket.on('error', (err) => fail(new Error(`heap probe on ${socketPath} (process started with liveHeapLaunch?): ${err.message}`, { cause: err })));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      clearTimeout(timer);
      socket.end();
      const reply = JSON.parse(buffer.slice(0, end)) as { error?: string };
      if (reply.error) reject(new Error(`heap probe: ${reply.error}`));
      else resolve(reply);
    });
    socket.write(`${command}\n`);
  });
}
