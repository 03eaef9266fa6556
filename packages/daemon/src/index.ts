/**
 * `@opperator/daemon`: supervises agent processes, routes commands, keeps
 * logs, sections and tasks, and serves secrets to the agents that may read
 * them. Its entry point is `src/main.ts`.
 *
 * @packageDocumentation
 */
export { Daemon, type DaemonOptions } from './daemon.js';
export { readDaemonConfig, AGENT_ENV_ALLOW_LIST, type DaemonConfig } from './config.js';
export { DaemonError, type DaemonErrorCode } from './daemon-error.js';
export { loadAgentsConfig, parseAgentsConfig, AgentsConfigError, AGENT_NAME_PATTERN, type AgentDefinition } from './agents-config.js';
export type { AgentLaunch, InvocationOutcome } from './agent-host.js';
export type { LogEntry } from './stores/log-store.js';
export type { StoredSection } from './stores/section-store.js';
export type { TaskRecord, TaskState } from './stores/task-store.js';
