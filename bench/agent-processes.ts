/**
 * Agent processes outside the daemon, for the runtime benchmark's baselines:
 * the same agent file started directly (under tsx, as the daemon runs it, or
 * as plain JavaScript against an esbuild bundle of the SDK), an idle bare
 * node process, and resident memory as /proc reports it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { SDK_PACKAGE_DIR } from '@opperator/testing';

/** How an agent process is launched: the program's arguments and the entry file. */
export interface AgentLaunchSpec {
  /** Arguments of `node`, the entry file last. */
  args: string[];
  /** The agent's folder (its cwd and OPPERATOR_AGENT_DIR). */
  cwd: string;
  name: string;
}

/** An agent started directly, without the daemon. */
export interface DirectAgent {
  pid: number;
  /** From spawn to the `ready` line on its stdout, in ms. */
  readyMs: number;
  /** Sends `shutdown`, closes stdin and waits for the exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/** The tsx launch (the daemon's fallback when esbuild cannot be loaded): the SDK runner from source under tsx. */
export function tsxLaunch(agentDir: string, name: string): AgentLaunchSpec {
  return { args: ['--import', import.meta.resolve('tsx'), join(SDK_PACKAGE_DIR, 'src', 'runner.ts'), join(agentDir, 'agent.ts')], cwd: agentDir, name };
}

/**
 * Bundles the SDK (index and runner sharing one chunk, so the agent's
 * `Agent` and the runner's are the same class) into a package under `dir`,
 * and writes `source` as `agent.js` next to it: the same agent, no
 * TypeScript loader at run time.
 */
export async function bundledJsAgent(dir: string, name: string, source: string): Promise<AgentLaunchSpec> {
  const sdkDir = join(dir, 'node_modules', '@opperator', 'sdk');
  await mkdir(sdkDir, { recursive: true });
  await build({
    entryPoints: { index: join(SDK_PACKAGE_DIR, 'src', 'index.ts'), runner: join(SDK_PACKAGE_DIR, 'src', 'runner.ts') },
    outdir: join(sdkDir, 'dist'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    // The SDK's CommonJS dependencies (write-file-atomic) call require(); an ESM bundle has none of its own.
    banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);" },
  });
  const exports = { '.': './dist/index.js', './runner': './dist/runner.js' };
  await writeFile(join(sdkDir, 'package.json'), JSON.stringify({ name: '@opperator/sdk', type: 'module', exports }));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  await writeFile(join(dir, 'agent.js'), source);
  return { args: [join(sdkDir, 'dist', 'runner.js'), join(dir, 'agent.js')], cwd: dir, name };
}

/** Spawns an agent as the daemon would (own process group, piped stdio, allow-listed env) and waits for `ready`. */
export async function startDirect(spec: AgentLaunchSpec, timeoutMs = 30_000): Promise<DirectAgent> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', OPPERATOR_AGENT_NAME: spec.name, OPPERATOR_AGENT_DIR: spec.cwd };
  const started = performance.now();
  const child = spawn(process.execPath, spec.args, { cwd: spec.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "ready" within ${timeoutMs} ms`)), timeoutMs);
      let buffer: string | undefined = '';
      // Keeps reading after `ready` (a full pipe would block the agent), but only the lines before it matter.
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        if (buffer === undefined) return;
        buffer += chunk;
        if (/"type":"ready"/.test(buffer)) {
          clearTimeout(timer);
          buffer = undefined;
          resolve();
        }
      });
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`exited with ${code} before "ready"`)));
    });
  } catch (err) {
    killGroup(child);
    throw new Error(`agent ${spec.name} (node ${spec.args.join(' ')}): ${(err as Error).message}\n${stderr.trim()}`, { cause: err });
  }
  const readyMs = performance.now() - started;
  return { pid: child.pid as number, readyMs, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.stdin?.end(`${JSON.stringify({ type: 'shutdown', reason: 'bench' })}\n`);
  const timer = setTimeout(() => killGroup(child), 5_000);
  await exited;
  clearTimeout(timer);
}

/** SIGKILL to the child's process group (it was spawned detached, so the group is its pid). */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  killPid(-child.pid);
}

/** `process.kill(pid, 'SIGKILL')` that ignores a process already gone. */
export function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // ESRCH: it has exited already, which is what we wanted.
  }
}

/** A bare node process doing nothing but keeping its event loop alive: the idle-memory floor of any node program. */
export async function spawnIdleNode(): Promise<{ pid: number; stop(): void }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true });
  await once(child, 'spawn');
  return { pid: child.pid as number, stop: () => killGroup(child) };
}

/**
 * Resident set size in MB (10^6 bytes) from /proc/<pid>/status VmRSS. With
 * `tree`, the process and all its descendants: tsx may leave an esbuild
 * service child running, which is the agent's memory too.
 */
export function rssMb(pid: number, options: { tree?: boolean } = {}): number {
  const pids = options.tree ? [pid, ...descendants(pid)] : [pid];
  let kb = 0;
  for (const each of pids) {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${each}/status`, 'utf8'));
    kb += Number(match?.[1] ?? 0);
  }
  return (kb * 1024) / 1e6;
}

function descendants(pid: number): number[] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number),
  );
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/**
 * CPU time (user + system) a process has used so far, in ms, from
 * /proc/<pid>/stat. Less sensitive than wall time to other load on the
 * machine: it says where the work is, not how long the wait was.
 */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // In clock ticks of USER_HZ, which Linux fixes at 100 for user space.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
