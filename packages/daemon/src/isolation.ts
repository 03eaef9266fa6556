import { spawnSync } from 'node:child_process';
import { accessSync, constants, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { delimiter, join, relative, isAbsolute } from 'node:path';
import type { IsolatedRun, ProcessIsolation } from './supervisor/index.js';

/** How long the availability probe (`bwrap … true`) may take. */
export const ISOLATION_PROBE_TIMEOUT_MS = 5_000;

/** Top-level system paths the sandbox gets read-only (or as the same symlink, on merged-/usr systems). */
export const SYSTEM_PATHS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'] as const;

/**
 * Files of /etc an agent needs to resolve names, check TLS certificates and
 * tell the time; the rest of /etc (shadow as root, machine credentials) stays out.
 */
export const ETC_PATHS = ['/etc/resolv.conf', '/etc/hosts', '/etc/nsswitch.conf', '/etc/gai.conf', '/etc/host.conf', '/etc/ssl', '/etc/ca-certificates', '/etc/pki', '/etc/crypto-policies', '/etc/localtime', '/etc/passwd', '/etc/group'] as const;

/** The namespaces and mounts every probe and every isolated agent uses. */
const SANDBOX_BASE = ['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--die-with-parent'];

/** One system path as the host has it (what {@link describeHost} reports). */
export interface HostPath {
  path: string;
  /** A symlink (e.g. /bin -> usr/bin) is recreated as the same symlink; a directory or file is bound read-only. */
  kind: 'symlink' | 'bind';
  /** The symlink's target, or the real path to bind (resolv.conf may point into /run). */
  source: string;
}

/** What an isolated agent may see besides the system. */
export interface IsolationPlan {
  /** The agent's folder: the only writable place (its token.json is there). */
  agentDir: string;
  /** The program's own files, read-only: the node binary, the agent's build. */
  readOnly: string[];
  /** Places no bind may contain (the home with agents.yaml, secrets and other agents; the socket's directory). */
  protectedPaths: string[];
}

/**
 * bubblewrap's arguments for one agent (pure: the host's layout is passed
 * in). The agent gets fresh pid, IPC and UTS namespaces (it cannot see or
 * signal the daemon or other agents, nor reach their files through
 * `/proc/<pid>/root`), the system read-only, a private `/tmp`, `/dev` and
 * `/proc`, its build read-only and its own folder read-write, and keeps the
 * network (providers must be reachable) and its stdio pipes to the daemon.
 * Throws an {@link IsolationError} when a read-only bind would contain a
 * protected path.
 *
 * @example
 * ```ts
 * const args = bwrapArguments({ agentDir, readOnly: [process.execPath, buildDir], protectedPaths: [home] }, describeHost());
 * spawn('bwrap', [...args, '--', process.execPath, runner, entry], { cwd: agentDir });
 * ```
 */
export function bwrapArguments(plan: IsolationPlan, host: readonly HostPath[]): string[] {
  for (const path of [...plan.readOnly, ...host.filter((entry) => entry.kind === 'bind').map((entry) => entry.source)]) {
    const exposed = plan.protectedPaths.find((protectedPath) => contains(path, protectedPath));
    if (exposed) throw new IsolationError(`isolating it would expose ${exposed}, because ${path} would be visible to the agent. Move OPPERATOR_HOME (or the socket's directory) out of ${path}.`);
  }
  const args = [...SANDBOX_BASE];
  for (const entry of host) {
    if (entry.kind === 'symlink') args.push('--symlink', entry.source, entry.path);
    else args.push('--ro-bind', entry.source, entry.path);
  }
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  for (const path of plan.readOnly) args.push('--ro-bind', path, path);
  args.push('--bind', plan.agentDir, plan.agentDir, '--chdir', plan.agentDir);
  return args;
}

/**
 * The system paths of this machine that exist, for {@link bwrapArguments}:
 * {@link SYSTEM_PATHS} and {@link ETC_PATHS}, symlinks kept as symlinks for
 * top-level ones and resolved for /etc entries.
 *
 * @example
 * ```ts
 * describeHost(); // [{ path: '/usr', kind: 'bind', source: '/usr' }, { path: '/bin', kind: 'symlink', source: 'usr/bin' }, …]
 * ```
 */
export function describeHost(): HostPath[] {
  const host: HostPath[] = [];
  for (const path of SYSTEM_PATHS) {
    const info = lstatOrUndefined(path);
    if (!info) continue;
    host.push(info.isSymbolicLink() ? { path, kind: 'symlink', source: readlinkSync(path) } : { path, kind: 'bind', source: path });
  }
  for (const path of ETC_PATHS) {
    const real = realpathOrUndefined(path);
    if (real) host.push({ path, kind: 'bind', source: real });
  }
  return host;
}

/** Why isolation cannot run here: `unsupported-platform` (not Linux), `missing` (no bwrap), `no-namespaces` (it cannot create them), `failed` (anything else). */
export type IsolationUnavailableReason = 'unsupported-platform' | 'missing' | 'no-namespaces' | 'failed';

/** The outcome of {@link probeIsolation}. */
export type IsolationProbe = { available: true; bwrap: string } | { available: false; reason: IsolationUnavailableReason; detail: string; fix: string };

/**
 * Whether bubblewrap can run a sandbox here: found on `searchPath`, and able
 * to create the namespaces an isolated agent gets. Containers without user
 * namespaces (or without the privilege to mount /proc) answer `no-namespaces`.
 *
 * @example
 * ```ts
 * const probe = probeIsolation(process.env.PATH ?? '');
 * if (!probe.available) console.log(`${probe.detail}; fix: ${probe.fix}`);
 * ```
 */
export function probeIsolation(searchPath: string, platform: NodeJS.Platform = process.platform): IsolationProbe {
  if (platform !== 'linux') return { available: false, reason: 'unsupported-platform', detail: `isolation uses bubblewrap, which runs on Linux only (this is ${platform})`, fix: 'run this agent on Linux, or remove `isolate: true` only if it may reach everything you can' };
  const bwrap = findExecutable('bwrap', searchPath);
  if (!bwrap) return { available: false, reason: 'missing', detail: 'bubblewrap (bwrap) is not installed', fix: 'install it: sudo apt-get install bubblewrap (Debian, Ubuntu), sudo dnf install bubblewrap (Fedora)' };
  const run = spawnSync(bwrap, [...SANDBOX_BASE, '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', 'true'], { encoding: 'utf8', timeout: ISOLATION_PROBE_TIMEOUT_MS });
  if (run.status === 0) return { available: true, bwrap };
  const detail = `${bwrap} cannot create a sandbox: ${(run.stderr || run.error?.message || `exit ${run.status ?? run.signal}`).trim()}`;
  if (/namespace|permission|operation not permitted|setting up uid map|No permissions/i.test(detail)) {
    return {
      available: false,
      reason: 'no-namespaces',
      detail,
      fix: 'allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 23.10+ also kernel.apparmor_restrict_unprivileged_userns=0), or in a container run it with user namespaces allowed (e.g. docker --security-opt seccomp=unconfined --security-opt apparmor=unconfined, or a privileged container)',
    };
  }
  return { available: false, reason: 'failed', detail, fix: 'run the command above by hand to see why; remove `isolate: true` only if the agent may reach everything you can' };
}

/** Isolation is asked for and cannot be provided as asked; the message names the cause and the fix. */
export class IsolationError extends Error {
  readonly code = 'DAEMON_ISOLATION_UNAVAILABLE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IsolationError';
  }
}

/** Options of {@link BwrapIsolation}. */
export interface BwrapIsolationOptions {
  /** The daemon's PATH, where bwrap is looked for. */
  searchPath: string;
  /** Places no agent may see: OPPERATOR_HOME, the socket's directory. */
  protectedPaths: string[];
  /** The files an agent's launch needs besides its folder (its build), by agent name. */
  readOnlyPaths: (agent: string) => string[];
  /** Seams: the probe and the host layout. */
  probe?: (searchPath: string) => IsolationProbe;
  host?: () => HostPath[];
}

/**
 * Runs agents that ask for `isolate: true` under bubblewrap. Never falls
 * back to running an agent unisolated: when bwrap is missing or cannot
 * create namespaces, the start fails with the cause and the fix. A failed
 * probe is repeated at the next start (bwrap may have been installed since);
 * a successful one is kept.
 *
 * @example
 * ```ts
 * const isolation = new BwrapIsolation({ searchPath: config.agentBaseEnv.PATH ?? '', protectedPaths: [config.home], readOnlyPaths: (name) => [buildDir(name)] });
 * const daemon = new Daemon({ config, launch, secrets, processOptions: { isolation } });
 * ```
 */
export class BwrapIsolation implements ProcessIsolation {
  readonly #options: BwrapIsolationOptions;
  #bwrap: string | undefined;

  constructor(options: BwrapIsolationOptions) {
    this.#options = options;
  }

  wrap(run: IsolatedRun): { command: string; args: string[]; env: Record<string, string> } | { unavailable: string } {
    if (!this.#bwrap) {
      const probe = (this.#options.probe ?? probeIsolation)(this.#options.searchPath);
      if (!probe.available) return { unavailable: `asks for isolation (isolate: true in agents.yaml), but ${probe.detail}. Fix: ${probe.fix}. It was not started unisolated` };
      this.#bwrap = probe.bwrap;
    }
    try {
      // The binary itself, not its folder (a node in ~/bin must not bring the home along), under its real path.
      const command = realpathOrUndefined(run.command) ?? run.command;
      const readOnly = [command, ...this.#options.readOnlyPaths(run.name)];
      const args = bwrapArguments({ agentDir: run.cwd, readOnly, protectedPaths: this.#options.protectedPaths }, (this.#options.host ?? describeHost)());
      // Its HOME is its folder (the user's is not there); /tmp is its own.
      const { XDG_RUNTIME_DIR: _runtimeDir, ...env } = run.env;
      return { command: this.#bwrap, args: [...args, '--', command, ...run.args], env: { ...env, HOME: run.cwd, TMPDIR: '/tmp' } };
    } catch (err) {
      if (err instanceof IsolationError) return { unavailable: err.message };
      throw err;
    }
  }
}

/** True when `inner` is `outer` or inside it. */
function contains(outer: string, inner: string): boolean {
  const path = relative(outer, inner);
  return path === '' || (!path.startsWith('..') && !isAbsolute(path));
}

function findExecutable(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory: try the next one.
    }
  }
  return undefined;
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    // Absent on this system (no /lib32 on most): nothing to bind.
    return undefined;
  }
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    // Absent (or a dangling symlink): nothing to bind.
    return undefined;
  }
}
