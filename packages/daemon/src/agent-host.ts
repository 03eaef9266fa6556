import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { MAX_LINE_BYTES, type AgentToDaemon, type CommandDescriptor, type InvalidLine, type InvokingClient, type Progress } from '@opperator/protocol';
import type { SecretStore } from '@opperator/secrets';
import type { AgentSource } from './agent-build.js';
import type { AgentLaunch } from './agent-launch.js';
import { answerSecretRequest } from './agent-secrets.js';
import type { AgentDefinition } from './agents-config.js';
import { DaemonError } from './daemon-error.js';
import type { AgentLog } from './stores/log-store.js';
import type { SectionStore } from './stores/section-store.js';
import type { TaskRecord, TaskStore } from './stores/task-store.js';
import { AgentSupervisor, type AgentProcessOptions, type SupervisorState } from './supervisor/index.js';

export type { AgentLaunch } from './agent-launch.js';

/** What an {@link AgentHost} needs from the daemon. */
export interface AgentHostDependencies {
  definition: AgentDefinition;
  agentsDir: string;
  agentsFile: string;
  baseEnv: Record<string, string>;
  launch: AgentLaunch;
  log: AgentLog;
  sections: SectionStore;
  tasks: TaskStore;
  secrets: Pick<SecretStore, 'get'>;
  /** Test seam: shorter timeouts. */
  processOptions?: Partial<AgentProcessOptions>;
  /** The agent announced its commands (at start, or later when it registers one): watchers such as `opperator mcp` re-read them. */
  onCommandsChange?: () => void;
}

/** An invocation waiting for its response. */
interface PendingInvocation {
  resolve: (outcome: InvocationOutcome) => void;
  onProgress?: (progress: Progress) => void;
  task?: TaskRecord;
}

/**
 * The code a command fails with when the agent's response to it broke a
 * wire limit (nesting, entries, line size) and could not be read.
 */
export const AGENT_MESSAGE_REFUSED = 'AGENT_MESSAGE_REFUSED';

/**
 * Commands one agent may have waiting for their response. Past it, invokes
 * are refused with `DAEMON_AGENT_BUSY`: an agent that stops answering (or
 * reading its stdin) must not make the daemon hold an unbounded queue.
 */
export const MAX_PENDING_COMMANDS = 1_000;

/** How a command ended. */
export type InvocationOutcome = { ok: true; result: unknown } | { ok: false; error: { message: string; code?: string } };

/**
 * One agent as the daemon sees it: its supervisor, plus everything that
 * follows from its messages: logs, sections, the command registry, tasks,
 * secret requests, and the pending invocations.
 */
export class AgentHost {
  readonly definition: AgentDefinition;
  readonly supervisor: AgentSupervisor;
  commands: CommandDescriptor[] = [];
  readonly #deps: AgentHostDependencies;
  readonly #source: AgentSource;
  readonly #pending = new Map<string, PendingInvocation>();
  #inbox: Promise<void> = Promise.resolve();

  constructor(deps: AgentHostDependencies) {
    this.#deps = deps;
    this.definition = deps.definition;
    const cwd = join(deps.agentsDir, deps.definition.name);
    this.#source = { name: deps.definition.name, dir: cwd, entryFile: join(cwd, deps.definition.entry) };
    this.supervisor = new AgentSupervisor({
      agent: {
        name: deps.definition.name,
        command: deps.launch.command,
        args: deps.launch.args(this.#source),
        cwd,
        env: { ...deps.baseEnv, ...deps.definition.env, OPPERATOR_AGENT_NAME: deps.definition.name, OPPERATOR_AGENT_DIR: cwd, ...(deps.definition.token_store ? { OPPERATOR_TOKEN_STORE: deps.definition.token_store } : {}) },
        isolate: deps.definition.isolate,
        ...deps.processOptions,
      },
      autoRestart: deps.definition.auto_restart,
      restartPolicy: { maxRestarts: deps.definition.max_restarts, restartWindowMs: deps.definition.restart_window_s * 1000 },
    });
    this.supervisor.on('log', (entry) => deps.log.append({ ...entry, level: entry.level }));
    const reportFailure = (what: string) => (err: unknown) => this.#reportFailure(what, err);
    // One message at a time, in order: progress before its response, and no
    // two section writes racing each other.
    this.supervisor.on('message', (message) => {
      this.#inbox = this.#inbox.then(() => this.#onMessage(message)).catch(reportFailure(`a ${message.type} message`));
    });
    this.supervisor.on('invalid', (line) => {
      this.#inbox = this.#inbox.then(() => this.#onInvalid(line)).catch(reportFailure('a refused response'));
    });
    this.supervisor.on('exit', () => void this.#onExit().catch(reportFailure('the agent exit')));
    this.supervisor.on('gave-up', (info) => deps.log.append({ time: Date.now(), level: 'error', source: 'daemon', message: `Gave up restarting: ${JSON.stringify(info)}. Fix the agent, then: opperator agent start ${deps.definition.name}` }));
  }

  get state(): SupervisorState {
    return this.supervisor.state;
  }

  /** Prepares the agent (builds it), then starts it; resolves on `ready`. */
  async start(): Promise<void> {
    if (this.state === 'running') return;
    await this.#prepare();
    await this.supervisor.start();
  }

  /** Prepares the agent first, so a build error leaves the running agent up; then stops and starts it. */
  async restart(): Promise<void> {
    await this.#prepare();
    await this.supervisor.restart();
  }

  async #prepare(): Promise<void> {
    try {
      await this.#deps.launch.prepare?.(this.#source);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // The log keeps the reason for `opperator agent logs`, after the caller's error is gone.
      this.#deps.log.append({ time: Date.now(), level: 'error', source: 'daemon', message });
      throw new DaemonError('DAEMON_AGENT_START_FAILED', message, { cause: err });
    }
  }

  /**
   * Sends a command. Async commands (as the registry says) become tasks.
   * Resolves once the command is sent, with its task (if any) and the
   * outcome to come, which never rejects for a failed command.
   */
  async invoke(command: string, args: Record<string, unknown>, options: { onProgress?: (progress: Progress) => void; client?: InvokingClient } = {}): Promise<{ task?: TaskRecord; outcome: Promise<InvocationOutcome> }> {
    if (this.state !== 'running') {
      throw new DaemonError('DAEMON_AGENT_NOT_RUNNING', `Agent ${this.definition.name} is ${this.state}. Start it: opperator agent start ${this.definition.name}`);
    }
    if (this.#pending.size >= MAX_PENDING_COMMANDS) {
      throw new DaemonError('DAEMON_AGENT_BUSY', `Agent ${this.definition.name} has ${this.#pending.size} commands waiting for an answer, the most the daemon holds; try again once some finish, or restart it: opperator agent restart ${this.definition.name}`);
    }
    const descriptor = this.commands.find((c) => c.name === command);
    if (!descriptor) {
      const known = this.commands.filter((c) => !c.hidden).map((c) => c.name).join(', ') || 'none';
      throw new DaemonError('DAEMON_COMMAND_NOT_FOUND', `Agent ${this.definition.name} has no command ${JSON.stringify(command)} (commands: ${known}). \`opperator agent commands ${this.definition.name}\` lists them.`);
    }
    const task = descriptor.async ? await this.#deps.tasks.create(this.definition.name, command, args, descriptor.progressLabel) : undefined;
    const id = task?.id ?? randomUUID();
    const outcome = new Promise<InvocationOutcome>((resolve) => this.#pending.set(id, { resolve, ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(task ? { task } : {}) }));
    try {
      await this.supervisor.send({ type: 'command', id, name: command, args, ...(options.client ? { client: options.client } : {}) });
    } catch (err) {
      // Never sent: nothing will answer it, so nothing may wait for it.
      this.#pending.delete(id);
      const code = err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' ? err.code : 'AGENT_WRITE_FAILED';
      if (task) await this.#deps.tasks.finish(id, { state: 'failed', error: { message: `the command could not be sent to the agent: ${err instanceof Error ? err.message : String(err)}`, code } });
      throw err;
    }
    return { outcome, ...(task ? { task } : {}) };
  }

  /** Asks the agent to cancel a running task. */
  async cancel(taskId: string): Promise<void> {
    if (!this.#pending.has(taskId)) throw new DaemonError('DAEMON_TASK_NOT_FOUND', `Task ${taskId} is not running.`);
    await this.supervisor.send({ type: 'cancel', id: taskId });
  }

  /** Resolves once every message received so far is handled (the daemon's stop waits for it before the last writes). */
  async idle(): Promise<void> {
    await this.#inbox;
  }

  async #onMessage(message: AgentToDaemon): Promise<void> {
    const { log, sections, tasks, definition } = this.#deps;
    switch (message.type) {
      case 'command_registry':
        this.commands = message.commands;
        this.#deps.onCommandsChange?.();
        return;
      case 'sidebar_section':
        // Not awaited: memory (what clients see) changes now and the file write
        // follows, coalesced, so a fast-updating agent never waits on the disk.
        sections.upsert(definition.name, { id: message.id, title: message.title, content: message.content, collapsed: message.collapsed ?? false }).catch((err: unknown) => this.#reportFailure('a section update', err));
        return;
      case 'sidebar_section_removal':
        // Not awaited either: the file is written at most every 250 ms, and the agent's next messages must not wait for it.
        sections.remove(definition.name, message.id).catch((err: unknown) => this.#reportFailure('a section removal', err));
        return;
      case 'command_progress': {
        const { type: _type, id, ...progress } = message;
        const pending = this.#pending.get(id);
        pending?.onProgress?.(progress);
        if (pending?.task) await tasks.progress(id, progress);
        return;
      }
      case 'response': {
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        const outcome: InvocationOutcome = message.ok ? { ok: true, result: message.result } : { ok: false, error: message.error };
        if (pending.task) {
          const state = outcome.ok ? 'succeeded' : outcome.error.code === 'CANCELLED' ? 'cancelled' : 'failed';
          await tasks.finish(message.id, outcome.ok ? { state, result: outcome.result } : { state, error: outcome.error });
        }
        pending.resolve(outcome);
        return;
      }
      case 'secret_request':
        await this.supervisor.send(await answerSecretRequest(this.#deps.secrets, definition, this.#deps.agentsFile, message));
        return;
      case 'lifecycle_event':
        log.append({ time: Date.now(), level: 'info', source: 'daemon', message: `agent ${message.event}${message.detail ? `: ${message.detail}` : ''}` });
        return;
      case 'ready':
        return;
    }
  }

  /** A `response` line the reader refused (past a wire limit, or not a valid response) still ends its command: with an error instead of a wait forever. */
  async #onInvalid(line: InvalidLine): Promise<void> {
    if (line.kind === 'not-json' || line.messageType !== 'response' || typeof line.id !== 'string') return;
    const pending = this.#pending.get(line.id);
    if (!pending) return;
    this.#pending.delete(line.id);
    const problem = line.kind === 'oversized' ? `is ${line.bytes} bytes, over the ${MAX_LINE_BYTES}-byte line limit` : line.problem;
    const error = { code: AGENT_MESSAGE_REFUSED, message: `The agent's response ${problem}; it was refused. Return a smaller or flatter result.` };
    if (pending.task) await this.#deps.tasks.finish(line.id, { state: 'failed', error });
    pending.resolve({ ok: false, error });
  }

  #reportFailure(what: string, err: unknown): void {
    const code = err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' ? ` [${err.code}]` : '';
    this.#deps.log.append({ time: Date.now(), level: 'error', source: 'daemon', message: `The daemon could not handle ${what}${code}: ${err instanceof Error ? err.message : String(err)}` });
  }

  async #onExit(): Promise<void> {
    const reason = 'agent exited before the command finished; it was not re-run';
    await this.#deps.tasks.failRunning(this.definition.name, reason);
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.resolve({ ok: false, error: { message: reason, code: 'AGENT_EXITED' } });
    }
  }
}
