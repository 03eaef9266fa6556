import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signalProcessGroup } from './process-group.js';
import { processGroupMembers, readProcStat } from './proc-stat.js';
import { AGENT_EXIT_AFTER_KILL_MS, AGENT_KILL_WAIT_MS } from './timeouts.js';

/** One agent process as recorded at spawn: enough to find its group again, and to tell it from a later process with the same pid. */
export interface AgentProcessRecord {
  agent: string;
  /** The agent's pid, which is also its process group id (it is spawned detached). */
  pid: number;
  /** Its start time in clock ticks (`/proc/<pid>/stat`); undefined where there is no `/proc`. */
  startTime: string | undefined;
  /** The daemon that spawned it, and that daemon's start time. */
  daemonPid: number;
  daemonStartTime: string | undefined;
}

/** What {@link stopLeftoverAgents} did about one record. */
export interface LeftoverOutcome {
  agent: string;
  pid: number;
  /** `stopped`: its group had live processes and they are gone; `gone`: nothing was left; `kept`: its daemon still runs, or the pid now names another process. */
  outcome: 'stopped' | 'gone' | 'kept';
  /** The pids that were stopped. */
  pids: number[];
}

/**
 * The agent processes this daemon runs, one small file each in
 * `$OPPERATOR_HOME/state/agent-processes/`, written when a process is
 * spawned and removed when it has ended. A daemon killed with SIGKILL
 * cannot stop its agents, and they do not all stop by themselves (a
 * command stuck in a loop reads no input; helpers an agent started outlive
 * it): the next daemon finds them here ({@link stopLeftoverAgents}).
 * Writes are synchronous so the record exists before anything else can happen.
 *
 * @example
 * ```ts
 * const records = new AgentProcessRecords(join(stateDir, 'agent-processes'));
 * records.add('mail', child.pid);
 * records.remove('mail', child.pid);
 * ```
 */
export class AgentProcessRecords {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Records a spawned agent process. */
  add(agent: string, pid: number): void {
    const record: AgentProcessRecord = { agent, pid, startTime: readProcStat(pid)?.startTime, daemonPid: process.pid, daemonStartTime: readProcStat(process.pid)?.startTime };
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileSync(this.#file(agent, pid), `${JSON.stringify(record)}\n`, { mode: 0o600 });
  }

  /** Forgets an agent process that has ended. */
  remove(agent: string, pid: number): void {
    rmSync(this.#file(agent, pid), { force: true });
  }

  #file(agent: string, pid: number): string {
    return join(this.dir, `${agent}.${pid}.json`);
  }
}

/** Options of {@link stopLeftoverAgents}. */
export interface StopLeftoverOptions {
  /** Time from SIGTERM to SIGKILL; default `AGENT_KILL_WAIT_MS`. */
  killWaitMs?: number;
  /** Time from SIGKILL to giving up; default `AGENT_EXIT_AFTER_KILL_MS`. */
  exitAfterKillMs?: number;
  /** Where `/proc` is (a test seam). */
  procRoot?: string;
}

/**
 * Stops what a daemon that ended without stopping its agents left behind:
 * for each record of {@link AgentProcessRecords} whose daemon is gone, every
 * live process of the agent's process group gets SIGTERM, then SIGKILL.
 * A process is only taken for ours when it is provably the one recorded:
 * the leader's pid with the recorded start time, or (the leader gone) group
 * members started after it, under this user. A pid now used by another
 * process is left alone. Call it before any agent starts.
 *
 * @example
 * ```ts
 * for (const left of await stopLeftoverAgents(records.dir)) if (left.outcome === 'stopped') log(`stopped ${left.agent}: ${left.pids.join(', ')}`);
 * ```
 */
export async function stopLeftoverAgents(dir: string, options: StopLeftoverOptions = {}): Promise<LeftoverOutcome[]> {
  let files: string[];
  try {
    files = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const outcomes: LeftoverOutcome[] = [];
  for (const name of files) {
    const file = join(dir, name);
    const record = parseRecord(readFileSync(file, 'utf8'));
    if (!record) {
      rmSync(file, { force: true }); // unreadable: written by a daemon killed mid-write, nothing to go on
      continue;
    }
    const daemon = readProcStat(record.daemonPid, options.procRoot);
    if (daemon && daemon.state !== 'Z' && record.daemonStartTime !== undefined && daemon.startTime === record.daemonStartTime) {
      outcomes.push({ agent: record.agent, pid: record.pid, outcome: 'kept', pids: [] }); // its daemon still runs: not ours to stop
      continue;
    }
    const pids = leftoverPids(record, options.procRoot);
    if (pids === undefined) outcomes.push({ agent: record.agent, pid: record.pid, outcome: 'kept', pids: [] });
    else if (pids.length === 0) outcomes.push({ agent: record.agent, pid: record.pid, outcome: 'gone', pids });
    else {
      await stopGroup(record.pid, options);
      outcomes.push({ agent: record.agent, pid: record.pid, outcome: 'stopped', pids });
    }
    rmSync(file, { force: true });
  }
  return outcomes;
}

/** The live pids of the recorded group, or undefined when its id now belongs to another process (or cannot be verified). */
function leftoverPids(record: AgentProcessRecord, procRoot: string | undefined): number[] | undefined {
  if (record.startTime === undefined) return undefined; // no /proc when it was recorded: cannot prove anything
  const uid = process.getuid?.();
  const leader = readProcStat(record.pid, procRoot);
  if (leader && leader.startTime !== record.startTime) return undefined; // the pid was reused
  const since = BigInt(record.startTime);
  return processGroupMembers(record.pid, procRoot)
    .filter((member) => BigInt(member.startTime) >= since && (uid === undefined || member.uid === uid))
    .map((member) => member.pid);
}

async function stopGroup(pgid: number, options: StopLeftoverOptions): Promise<void> {
  const alive = () => processGroupMembers(pgid, options.procRoot).length > 0;
  signalProcessGroup(pgid, 'SIGTERM');
  if (await waitUntilGone(alive, options.killWaitMs ?? AGENT_KILL_WAIT_MS)) return;
  signalProcessGroup(pgid, 'SIGKILL');
  await waitUntilGone(alive, options.exitAfterKillMs ?? AGENT_EXIT_AFTER_KILL_MS);
}

async function waitUntilGone(alive: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (!alive()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !alive();
}

function parseRecord(text: string): AgentProcessRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<AgentProcessRecord>;
    if (typeof value.agent !== 'string' || !Number.isInteger(value.pid) || (value.pid ?? 0) <= 1 || !Number.isInteger(value.daemonPid)) return undefined;
    return value as AgentProcessRecord;
  } catch {
    // A torn write: the caller drops the file.
    return undefined;
  }
}
