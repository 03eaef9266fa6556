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
  return { pid, state, pgrp: Number(pgrp), startTime, uid };
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
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return []; // no /proc: nothing can be listed
  }
  const members: ProcStat[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry), procRoot);
    if (stat && stat.pgrp === pgrp && stat.state !== 'Z' && stat.state !== 'X') members.push(stat);
  }
  return members;
}
