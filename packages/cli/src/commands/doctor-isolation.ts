import { spawnSync } from 'node:child_process';
import type { AgentsFile } from '../agents-file.js';

/** The namespaces and mounts an isolated agent gets (the daemon's `probeIsolation` runs the same). */
const PROBE_ARGS = ['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', 'true'];
const PROBE_TIMEOUT_MS = 5_000;

/**
 * The "Agent isolation" lines of `opperator doctor`: whether bubblewrap can
 * run the sandbox of agents with `isolate: true` here, and if not, why and
 * how to fix it. Those agents never run unisolated: where this says
 * unavailable, they do not start. The daemon checks the same way at each
 * isolated start, with the PATH it was started with.
 *
 * @example
 * ```ts
 * lines.push('', 'Agent isolation (isolate: true)', ...(await isolationLines(agentsFile)));
 * ```
 */
export async function isolationLines(agentsFile: AgentsFile, run: typeof spawnSync = spawnSync): Promise<string[]> {
  const isolated: string[] = [];
  for (const name of await agentsFile.names()) if ((await agentsFile.entry(name))?.isolate === true) isolated.push(name);
  const asking = `  agents:    ${isolated.length ? isolated.join(', ') : 'none asks for it (isolate: true in agents.yaml)'}`;
  if (process.platform !== 'linux') return ['  sandbox:   unavailable: isolation uses bubblewrap, which runs on Linux only', asking];
  const probe = run('bwrap', PROBE_ARGS, { encoding: 'utf8', timeout: PROBE_TIMEOUT_MS });
  if (probe.status === 0) return ['  sandbox:   available (bubblewrap): an isolated agent sees only its folder, its build and the system', asking];
  if ((probe.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    return ['  sandbox:   unavailable: bubblewrap (bwrap) is not installed', '  fix:       sudo apt-get install bubblewrap (Debian, Ubuntu), sudo dnf install bubblewrap (Fedora)', asking];
  }
  const why = String(probe.stderr || probe.error?.message || `exit ${probe.status}`).trim();
  return [
    `  sandbox:   unavailable: bwrap cannot create a sandbox here: ${why}`,
    '  fix:       allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; Ubuntu 23.10+: kernel.apparmor_restrict_unprivileged_userns=0),',
    '             or run the container with user namespaces allowed (docker --security-opt seccomp=unconfined --security-opt apparmor=unconfined)',
    asking,
  ];
}
