/**
 * Processes of the TUI benchmark (bench/tui.ts): a snapshot of the built CLI
 * for the whole run, node runs of it, and finding the TUI's pid inside tmux.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cp, mkdir, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { CLI_PATH } from '@opperator/testing';

/**
 * The pid of the process whose environment holds `entry` (the TUI: tmux runs
 * it through `env`, which execs; the tmux server does not have it).
 *
 * @example
 * ```ts
 * const tuiPid = findPidByEnv(`OPPERATOR_BENCH_TUI=${marker}`);
 * ```
 */
export function findPidByEnv(entry: string): number {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Only the environment: the CLI sets process.title ("opperator"), which overwrites its command line.
      if (readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(entry)) return Number(name);
    } catch {
      // Gone, or not ours: neither is the TUI.
      continue;
    }
  }
  throw new Error(`no process with ${entry} in its environment`);
}

const execFileAsync = promisify(execFile);

/**
 * Runs node with `args` in the caller's environment plus `env`; never throws on a non-zero exit.
 *
 * @example
 * ```ts
 * const { code, stderr } = await runNode([cli, 'daemon', 'stop'], { OPPERATOR_HOME: home });
 * ```
 */
export async function runNode(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const { DBUS_SESSION_BUS_ADDRESS: _bus, ...base } = process.env;
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, args, { env: { ...base, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? String(err) };
  }
}

/**
 * Copies packages/cli/dist (CLI, daemon, chunks) into `dir` and returns the
 * copy's CLI path. Test runs rebuild dist in place (rm, then write) and the
 * TUI, the daemon and every lazily loaded chunk must come from one build for
 * the whole run. A node_modules link next to the copy resolves the packages
 * the bundle leaves external (keyring, esbuild, the SDK runner, tsx).
 *
 * @example
 * ```ts
 * const cli = await snapshotCli(join(scratch, 'tui'));
 * await runNode([cli, '--version'], {});
 * ```
 */
export async function snapshotCli(dir: string): Promise<string> {
  const source = dirname(CLI_PATH);
  const target = join(dir, 'cli');
  await mkdir(dir, { recursive: true });
  await symlink(fileURLToPath(new URL('../node_modules', import.meta.url)), join(dir, 'node_modules'));
  const builtAt = () => (existsSync(CLI_PATH) && existsSync(join(source, 'daemon.js')) ? statSync(CLI_PATH).mtimeMs : undefined);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const before = builtAt();
    if (before !== undefined) {
      rmSync(target, { recursive: true, force: true });
      const copied = await cp(source, target, { recursive: true }).then(() => true, () => false);
      if (copied && builtAt() === before) {
        const cli = join(target, 'opperator.js');
        const version = await runNode([cli, '--version'], {});
        if (version.code === 0) return cli;
      }
    }
    await sleep(200);
  }
  throw new Error(`no complete build in ${source}: run npm run build`);
}
