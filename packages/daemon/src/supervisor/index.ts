/**
 * Process supervision of agents: {@link AgentProcess} (one run of one agent
 * process), the pure restart policy, and {@link AgentSupervisor} (keeps an
 * agent up within its restart budget). The daemon persists what their events carry.
 *
 * @example
 * ```ts
 * import { AgentSupervisor } from './supervisor/index.js';
 * const supervisor = new AgentSupervisor({ agent: { name, command, args, cwd, env }, autoRestart: true });
 * await supervisor.start();
 * ```
 * @packageDocumentation
 */
export { AgentProcess } from './agent-process.js';
export {
  describeExit,
  SUPPORTED_PROTOCOL_VERSIONS,
  type AgentExit,
  type AgentLogEntry,
  type AgentProcessEvents,
  type AgentProcessOptions,
  type AgentState,
  type IsolatedRun,
  type ProcessIsolation,
  type LogSource,
  type SpawnFunction,
} from './agent-types.js';
export { signalProcessGroup } from './process-group.js';
export { liveProcesses, processGroupMembers, readProcStat, readResidentBytes, type ProcStat } from './proc-stat.js';
export { MIN_CPU_WINDOW_MS, PROC_TICKS_PER_SECOND, ProcessUsageSampler, type ProcessUsage, type ProcessUsageSamplerOptions } from './process-usage.js';
export { AgentProcessRecords, stopLeftoverAgents, type AgentProcessRecord, type LeftoverOutcome, type StopLeftoverOptions } from './process-records.js';
export {
  computeBackoffMs,
  decideRestart,
  DEFAULT_MAX_RESTARTS,
  DEFAULT_RESTART_POLICY,
  EMPTY_RESTART_HISTORY,
  resolveRestartPolicy,
  RESTART_BACKOFF_BASE_MS,
  RESTART_BACKOFF_CAP_MS,
  RESTART_BACKOFF_FACTOR,
  RESTART_JITTER_RATIO,
  RESTART_STABLE_AFTER_MS,
  RESTART_WINDOW_MS,
  type RestartDecision,
  type RestartHistory,
  type RestartPolicy,
} from './restart-policy.js';
export { LOG_TAIL_LINES, LogTail, MAX_STDERR_LINE_CHARS, readLines } from './stdio-lines.js';
export { SupervisorError, type SupervisorErrorCode, type SupervisorErrorOptions } from './supervisor-error.js';
export { AgentSupervisor, type AgentSupervisorEvents, type AgentSupervisorOptions, type GaveUp, type RestartScheduled, type SupervisorState } from './supervisor.js';
export * from './timeouts.js';
