import { readdirSync, readFileSync, statSync } from 'node:fs';

/** What `/proc/<pid>/stat` tells about a process (Linux only). */
export interface ProcStat {
  pid: number;
  /** One letter: R, S, D, Z (zombie), X (dead), T... */
  state: string;
  /** Its process group id. */
  pgrp: number;
  /** Start time in clock ticks since boot: with the pid, it names one process for the life of the machine (pids are reused, this pair is not). */
  startTime: string;
  /** Owner of the process (the uid of `/proc/<pid>`). */
  uid: number;
  /** CPU time used, in clock ticks (`PROC_TICKS_PER_SECOND`): its own (user + system) and that of the children it waited for. */
  cpuTicks: number;
}

/**
 * Reads `/proc/<pid>/stat`; undefined when the process is gone or there is
 * no `/proc` (macOS). The command name may hold spaces and parentheses, so
 * fields are counted after its last `)`.
 *
 * @example
 * ```ts
 * const self = readProcStat(process.pid); // { pid, state: 'R', pgrp, startTime: '123456', uid }
 * ```
 */
export function readProcStat(pid: number, procRoot = '/proc'): ProcStat | undefined {
  let text: string;
  let uid: number;
  try {
    text = readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
    uid = statSync(`${procRoot}/${pid}`).uid;
  } catch {
    // Gone (ENOENT, ESRCH), or no /proc on this system: either way nothing to tell.
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Fields from the state (field 3 of proc(5)) on: pgrp is field 5, starttime field 22.
  const [state, , pgrp] = fields;
  const startTime = fields[19];
  if (state === undefined || pgrp === undefined || startTime === undefined) return undefined;
  // utime, stime, cutime, cstime: fields 14 to 17.
  const cpuTicks = fields.slice(11, 15).reduce((sum, field) => sum + (Number(field) || 0), 0);
  return { pid, state, pgrp: Number(pgrp), startTime, uid, cpuTicks };
}

/**
 * The resident memory of a process in bytes (`VmRSS` of `/proc/<pid>/status`,
 * which is in kB whatever the page size); undefined when it is gone, has no
 * memory of its own (a kernel thread, a zombie) or there is no `/proc`.
 *
 * @example
 * ```ts
 * const bytes = readResidentBytes(process.pid); // 45_000_000
 * ```
 */
export function readResidentBytes(pid: number, procRoot = '/proc'): number | undefined {
  let text: string;
  try {
    text = readFileSync(`${procRoot}/${pid}/status`, 'utf8');
  } catch {
    return undefined; // gone, or no /proc
  }
  const kilobytes = /^VmRSS:\s+(\d+)\s+kB/m.exec(text)?.[1];
  return kilobytes === undefined ? undefined : Number(kilobytes) * 1024;
}

/**
 * Every live process of a process group (zombies left out), from `/proc`.
 *
 * @example
 * ```ts
 * const members = processGroupMembers(agentPid).map((member) => member.pid);
 * ```
 */
export function processGroupMembers(pgrp: number, procRoot = '/proc'): ProcStat[] {
  return liveProcesses(procRoot).filter((stat) => stat.pgrp === pgrp);
}

/**
 * Every live process of the machine (zombies left out), from `/proc`; empty
 * where there is none. One pass serves any number of process groups.
 *
 * @example
 * ```ts
 * const groups = Map.groupBy(liveProcesses(), (stat) => stat.pgrp);
 * ```
 */
export function liveProcesses(procRoot = '/proc'): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return []; // no /proc: nothing can be listed
  }
  const live: ProcStat[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry), procRoot);
    if (stat && stat.state !== 'Z' && stat.state !== 'X') live.push(stat);
  }
  return live;
}
