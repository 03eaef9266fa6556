import { existsSync } from 'node:fs';
import { cp, lstat, mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import type { HomeLayout } from './home-layout.js';
import { controlSocketLocation } from './socket-path.js';

/** Written into the state directory once the old single-folder home has been moved apart; its presence means "done". */
export const HOME_MIGRATION_MARKER = 'home-migration.json';

/** How long a connection to the old daemon's socket may take before it counts as answering (something holds it). */
export const LEGACY_DAEMON_PROBE_TIMEOUT_MS = 1_000;

/** One file or folder moved (or, for `kept`, left where it was because the destination exists). */
export interface HomeMove {
  from: string;
  to: string;
}

/** What {@link migrateHome} needs besides the layout (the caller reads them from its environment). */
export interface HomeMigrationOptions {
  /** `XDG_RUNTIME_DIR`, where the old daemon's socket went when its home was too deep for one. */
  runtimeDir?: string | undefined;
  uid: number;
  now?: () => Date;
}

/** The outcome of {@link migrateHome}. */
export type HomeMigrationResult =
  /** `OPPERATOR_HOME` is set, the migration already ran, or there is nothing of the old layout. */
  | { outcome: 'nothing' }
  /** `report` is one line saying what moved where (and what was kept because its destination existed). */
  | { outcome: 'migrated'; moved: HomeMove[]; kept: HomeMove[]; report: string }
  /** A daemon of the old layout runs: nothing was touched. `message` says to stop it first. */
  | { outcome: 'blocked'; pid: number | undefined; message: string };

/**
 * Moves an existing home of the single-folder layout (everything in
 * `~/.config/opperator`) to the XDG places of `layout`, once: `state/` to
 * the state directory (without `state/build`), `state/build/` to the cache
 * directory, `secrets/` to the data directory; the old daemon's stale pid
 * file and socket in `run/` are removed. `agents.yaml`, `agents/` and
 * `deleted-agents/` stay: they are configuration (agent folders).
 *
 * Losing nothing is the rule: it refuses while a daemon of the old layout
 * runs (its socket answers, or its pid file names a live process and its
 * socket is there) or a sandbox it started does (it writes its store there); each entry is renamed (copied, then removed, across
 * filesystems); a folder that already exists at the destination is merged
 * entry by entry and an existing file there is never replaced: the old one
 * stays where it was and is listed in `kept`. A marker in the state
 * directory makes it run once; an interrupted run continues on the next.
 *
 * @example
 * ```ts
 * const result = await migrateHome(homeLayout(env), { runtimeDir: env.XDG_RUNTIME_DIR, uid: process.getuid() });
 * if (result.outcome === 'blocked') throw new Error(result.message);
 * if (result.outcome === 'migrated') process.stderr.write(`opperator: ${result.report}\n`);
 * ```
 */
export async function migrateHome(layout: HomeLayout, options: HomeMigrationOptions): Promise<HomeMigrationResult> {
  if (!oldHomePending(layout)) return { outcome: 'nothing' };
  const old = layout.config;
  const steps: Array<HomeMove & { label: string; skip?: string[] }> = [
    // The build cache first, so that moving the rest of state/ never carries it along.
    { label: 'state/build/', from: join(old, 'state', 'build'), to: join(layout.cache, 'build') },
    { label: 'state/', from: join(old, 'state'), to: layout.state, skip: ['build'] },
    { label: 'secrets/', from: join(old, 'secrets'), to: join(layout.data, 'secrets') },
  ];
  const oldRun = join(old, 'run');
  if (![...steps.map((step) => step.from), oldRun].some((path) => existsSync(path))) return { outcome: 'nothing' };

  const afterStop = `its state, build cache and secrets file move to ${layout.state}, ${layout.cache} and ${layout.data} (nothing is lost), and this command works again.`;
  const pid = await readPid(join(oldRun, 'daemon.pid'));
  const oldSocket = controlSocketLocation(old, { runtimeDir: options.runtimeDir, uid: options.uid }).socketPath;
  if ((await socketAnswers(oldSocket)) || (pid !== undefined && isAlive(pid) && existsSync(oldSocket))) {
    return {
      outcome: 'blocked',
      pid,
      message: `A daemon started before Opperator's files moved to their XDG places is running${pid ? ` (pid ${pid})` : ''} with everything in ${old}. Stop it first: opperator daemon stop. Then ${afterStop}`,
    };
  }
  // The sandbox keeps writing its store where it was started: moving it under a running one would lose its last changes.
  const sandboxPid = await readSandboxPid(join(old, 'state', 'sandbox.json'));
  if (sandboxPid !== undefined && isAlive(sandboxPid)) {
    return {
      outcome: 'blocked',
      pid: sandboxPid,
      message: `A sandbox started before Opperator's files moved to their XDG places is running (pid ${sandboxPid}) with its files in ${join(old, 'state')}. Stop it first: opperator sandbox stop. Then ${afterStop}`,
    };
  }

  const moved: HomeMove[] = [];
  const kept: HomeMove[] = [];
  const done: string[] = [];
  for (const step of steps) {
    const before = moved.length;
    await moveEntry(step.from, step.to, { moved, kept }, step.skip);
    if (moved.length > before) done.push(`${step.label} → ${step.to}`);
  }
  // The old daemon is not running (checked above): what it left in run/ is stale.
  for (const name of ['daemon.pid', 'daemon.sock']) await rm(join(oldRun, name), { force: true });
  await removeIfEmpty(oldRun);

  await mkdir(layout.state, { recursive: true, mode: 0o700 });
  const at = (options.now ?? (() => new Date()))().toISOString();
  await writeFile(join(layout.state, HOME_MIGRATION_MARKER), `${JSON.stringify({ version: 1, from: old, at, moved, kept }, null, 2)}\n`, { mode: 0o600 });
  const keptText = kept.length ? `; kept ${kept.map((entry) => entry.from).join(', ')} where ${kept.length === 1 ? 'it was' : 'they were'}, since ${kept.length === 1 ? 'its destination exists' : 'their destinations exist'} (compare and merge by hand)` : '';
  const report = `moved Opperator's files out of ${old} (configuration stays there): ${done.length ? done.join(', ') : 'nothing left to move'}${keptText}`;
  return { outcome: 'migrated', moved, kept, report };
}

/**
 * True while an old single-folder home may still have to move: no
 * `OPPERATOR_HOME`, and no marker of a done move in the state directory.
 *
 * @example
 * ```ts
 * const dir = oldHomePending(layout) && existsSync(join(layout.config, 'state', 'sandbox.json')) ? join(layout.config, 'state') : layout.state;
 * ```
 */
export function oldHomePending(layout: HomeLayout): boolean {
  return !layout.forced && !existsSync(join(layout.state, HOME_MIGRATION_MARKER));
}

/**
 * The old daemon's socket while the migration has not run yet, when it is
 * there: `daemon stop` and `daemon status` must reach a daemon the old
 * layout started, or it could never be stopped. Undefined otherwise.
 *
 * @example
 * ```ts
 * const socketPath = legacyDaemonSocket(layout, { runtimeDir, uid }) ?? controlSocketLocation(layout.config, { runDir: layout.run, runtimeDir, uid }).socketPath;
 * ```
 */
export function legacyDaemonSocket(layout: HomeLayout, options: Pick<HomeMigrationOptions, 'runtimeDir' | 'uid'>): string | undefined {
  if (!oldHomePending(layout)) return undefined;
  const socketPath = controlSocketLocation(layout.config, options).socketPath;
  return existsSync(socketPath) ? socketPath : undefined;
}

/** Moves `from` to `to`; a folder meeting a folder is merged; a file meeting anything stays put (in `kept`). */
async function moveEntry(from: string, to: string, result: { moved: HomeMove[]; kept: HomeMove[] }, skip: string[] = []): Promise<void> {
  const source = await lstatOrUndefined(from);
  if (!source) return;
  const target = await lstatOrUndefined(to);
  if (!target && skip.length === 0) {
    await mkdir(dirname(to), { recursive: true, mode: 0o700 });
    if (await moveAcross(from, to)) result.moved.push({ from, to });
    return;
  }
  if (source.isDirectory() && (!target || target.isDirectory())) {
    if (!target) await mkdir(to, { recursive: true, mode: 0o700 });
    for (const name of await readdirOrEmpty(from)) {
      if (!skip.includes(name)) await moveEntry(join(from, name), join(to, name), result);
    }
    await removeIfEmpty(from);
    return;
  }
  // Another process starting at the same time may have just moved it: then there is nothing to keep.
  if (existsSync(from)) result.kept.push({ from, to });
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    // Moved by another process starting at the same time.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Renames, else (another filesystem) copies and then removes the source. False when the source was gone (moved by another process). */
async function moveAcross(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code !== 'EXDEV') throw err;
  }
  try {
    await cp(from, to, { recursive: true, errorOnExist: true, force: false, preserveTimestamps: true, verbatimSymlinks: true });
  } catch (err) {
    // The source is intact; take back the partial copy (its destination did not exist before).
    await rm(to, { recursive: true, force: true });
    throw err;
  }
  await rm(from, { recursive: true, force: true });
  return true;
}

async function removeIfEmpty(dir: string): Promise<void> {
  try {
    await rmdir(dir);
  } catch (err) {
    // Not empty (something was kept) or already gone: either way it stays as it is.
    if (!['ENOTEMPTY', 'EEXIST', 'ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  }
}

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function readPid(path: string): Promise<number | undefined> {
  const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The pid in the CLI's record of a sandbox (`{ pid, issuer, … }`), when there is one. */
async function readSandboxPid(path: string): Promise<number | undefined> {
  let record: unknown;
  try {
    record = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined; // no record, or a damaged one (the CLI replaces it): no sandbox to wait for
  }
  const pid = (record as { pid?: unknown } | null)?.pid;
  return typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when something accepts connections on the socket (or holds it without answering in time). */
function socketAnswers(socketPath: string): Promise<boolean> {
  if (!existsSync(socketPath)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    const timer = setTimeout(() => finish(true), LEGACY_DAEMON_PROBE_TIMEOUT_MS);
    const finish = (answers: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answers);
    };
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
