import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DaemonStatus } from '@opperator/protocol';
import type { SecretStore } from '@opperator/secrets';
import { AgentHost } from './agent-host.js';
import type { AgentLaunch } from './agent-launch.js';
import { loadAgentsConfig, type AgentDefinition } from './agents-config.js';
import type { DaemonConfig } from './config.js';
import { dispatchTable } from './control-dispatch.js';
import { ControlServer, type ControlHandler } from './control-server.js';
import { DaemonError } from './daemon-error.js';
import { restoreAgents } from './agent-restore.js';
import { acquireInstanceLock } from './instance-lock.js';
import { serveLogs } from './log-stream.js';
import { AgentLog } from './stores/log-store.js';
import { SectionStore } from './stores/section-store.js';
import { TaskStore } from './stores/task-store.js';
import { ProcessUsageSampler, type AgentProcessOptions } from './supervisor/index.js';
import { SOCKET_CHECK_MS, watchSocketFile } from './socket-watch.js';
import { WantedAgents } from './wanted-agents.js';
import { serveWatch } from './watch-stream.js';

/** What the daemon is built from (the composition root passes these in). */
export interface DaemonOptions {
  config: DaemonConfig;
  launch: AgentLaunch;
  secrets: Pick<SecretStore, 'get'>;
  /** Test seam: shorter agent timeouts. */
  processOptions?: Partial<AgentProcessOptions>;
  /** How often the daemon checks that its socket is still its own (default `SOCKET_CHECK_MS`). */
  socketCheckMs?: number;
}

/**
 * The daemon: one per OPPERATOR_HOME (an instance lock), agents from
 * agents.yaml under supervisors, persisted logs/sections/tasks, and the
 * control socket that the CLI and TUI talk to.
 *
 * @example
 * ```ts
 * const daemon = new Daemon({ config: readDaemonConfig(), launch, secrets });
 * await daemon.start();
 * process.on('SIGTERM', () => void daemon.stop());
 * ```
 */
export class Daemon {
  readonly #options: DaemonOptions;
  readonly #hosts = new Map<string, AgentHost>();
  /** Definitions changed in agents.yaml while their agent ran; applied at its next restart. */
  readonly #pendingDefinitions = new Map<string, AgentDefinition>();
  readonly #logs = new Map<string, AgentLog>();
  readonly #sections: SectionStore;
  readonly #tasks: TaskStore;
  /** The agents the user wants running: restored at the next start; only `agent start|restart|stop` change it. */
  readonly #wanted: WantedAgents;
  /** Fires when an agent's state changes or agents.yaml brings or drops agents; `watch` clients hear it. */
  readonly #agentChanges = new EventEmitter<{ change: [] }>();
  /** CPU and memory of the agents' process groups, measured when `agent.list` asks. */
  readonly #usage = new ProcessUsageSampler();
  #server: ControlServer | undefined;
  #releaseLock: (() => Promise<void>) | undefined;
  #startedAt = 0;
  #stopping: Promise<void> | undefined;
  /** Taking the lock and the socket ({@link start}'s first part); a stop waits for it. */
  #opening: Promise<void> | undefined;
  /** Resolves when the daemon has stopped (asked over the socket or by a signal). */
  readonly stopped: Promise<void>;
  #resolveStopped!: () => void;
  #stopWatchingSocket: (() => void) | undefined;

  constructor(options: DaemonOptions) {
    this.#options = options;
    this.#sections = new SectionStore(options.config.stateDir);
    this.#tasks = new TaskStore(options.config.stateDir);
    this.#wanted = new WantedAgents(options.config.wantedAgentsFile);
    this.stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
  }

  /** Takes the instance lock and the socket, then starts the agents marked `start_with_daemon` and those the user left running. */
  async start(): Promise<void> {
    // A stop meanwhile (a signal) waits for the lock and the socket to give them back; then no agent starts.
    await (this.#opening = this.#open());
    if (!this.#stopping) await restoreAgents(this.#hosts, this.#wanted);
  }

  async #open(): Promise<void> {
    const { config } = this.#options;
    await mkdir(config.runDir, { recursive: true, mode: 0o700 });
    this.#releaseLock = await acquireInstanceLock(config.lockPath, config.home);
    this.#startedAt = Date.now();
    await this.#tasks.load();
    for (const definition of await loadAgentsConfig(config.agentsFile)) this.#host(definition.name, definition);
    this.#server = new ControlServer(config.socketPath, this.#handlers());
    await this.#server.listen();
    const server = this.#server;
    this.#stopWatchingSocket = watchSocketFile(server, this.#options.socketCheckMs ?? SOCKET_CHECK_MS, () => {
      process.stderr.write(`opperator daemon: ${server.socketPath} was removed or replaced; nothing can reach this daemon any more, stopping it and its agents\n`);
      void this.stop();
    });
  }

  /** Stops every agent, the socket and the lock. Safe to call more than once, and during {@link start}. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await this.#opening?.catch(() => undefined);
      this.#stopWatchingSocket?.();
      // Which agents are wanted is on disk before any stops: stopping them with the daemon is not the user stopping them.
      await this.#wanted.flush();
      const hosts = [...this.#hosts.values()];
      await Promise.allSettled(hosts.map((host) => host.supervisor.stop()));
      // The agents' last messages (a final section update) are handled before the files are flushed.
      await Promise.allSettled(hosts.map((host) => host.idle()));
      await this.#server?.close();
      await this.#sections.flush().catch(() => undefined);
      await this.#tasks.flush().catch(() => undefined);
      await Promise.allSettled([...this.#logs.values()].map((log) => log.close()));
      await this.#releaseLock?.().catch(() => undefined);
      this.#resolveStopped();
    })();
    return this.#stopping;
  }

  /**
   * Re-reads agents.yaml: new agents appear (stopped), removed ones are
   * stopped and dropped, changed ones take effect now if stopped, else at
   * their next restart.
   */
  async #reload(): Promise<{ added: string[]; removed: string[]; changed: string[]; restartToApply: string[] }> {
    const definitions = await loadAgentsConfig(this.#options.config.agentsFile);
    const result = { added: [] as string[], removed: [] as string[], changed: [] as string[], restartToApply: [] as string[] };
    const names = new Set(definitions.map((d) => d.name));
    for (const [agent, host] of this.#hosts) {
      if (names.has(agent)) continue;
      await host.supervisor.stop();
      this.#hosts.delete(agent);
      this.#pendingDefinitions.delete(agent);
      await this.#wanted.delete(agent);
      result.removed.push(agent);
    }
    for (const definition of definitions) {
      const host = this.#hosts.get(definition.name);
      if (!host) {
        this.#host(definition.name, definition);
        result.added.push(definition.name);
      } else if (JSON.stringify(host.definition) !== JSON.stringify(definition)) {
        result.changed.push(definition.name);
        if (host.state === 'stopped' || host.state === 'crashed') this.#hosts.set(definition.name, this.#createHost(definition));
        else {
          this.#pendingDefinitions.set(definition.name, definition);
          result.restartToApply.push(definition.name);
        }
      }
    }
    if (result.added.length > 0 || result.removed.length > 0 || result.changed.length > 0) this.#agentChanges.emit('change');
    return result;
  }

  /** Runs a start; a failure becomes DAEMON_AGENT_START_FAILED with the agent's log tail in the message. */
  async #startHost(start: () => Promise<void>): Promise<void> {
    try {
      await start();
    } catch (err) {
      throw new DaemonError('DAEMON_AGENT_START_FAILED', err instanceof Error ? err.message : String(err), { cause: err });
    }
  }

  #host(name: string, definition?: AgentDefinition): AgentHost {
    let host = this.#hosts.get(name);
    if (!host && definition) {
      host = this.#createHost(definition);
      this.#hosts.set(name, host);
    }
    if (!host) throw new DaemonError('DAEMON_AGENT_NOT_FOUND', `No agent named ${JSON.stringify(name)} in ${this.#options.config.agentsFile}. \`opperator agent list\` shows the agents.`);
    return host;
  }

  #agentRows() {
    // Secret names (never values): a UI offers to set the missing ones.
    // `wanted`: the user wants it running (restored at the next daemon start), also while it is crashed.
    return [...this.#hosts.values()].map((h) => ({ name: h.definition.name, description: h.definition.description, state: h.state, pid: h.supervisor.pid ?? null, restarts: h.supervisor.restartCount, secrets: h.definition.secrets, wanted: this.#wanted.has(h.definition.name), ...this.#mcpRow(h) }));
  }

  /** `mcp:` of agents.yaml for clients, when set; read from a pending definition too, since it needs no restart. */
  #mcpRow(host: AgentHost): { mcp?: { hidden: boolean; hideCommands: string[] } } {
    const { mcp } = this.#pendingDefinitions.get(host.definition.name) ?? host.definition;
    return mcp.hidden || mcp.hide_commands.length > 0 ? { mcp: { hidden: mcp.hidden, hideCommands: mcp.hide_commands } } : {};
  }

  /** `agent.list`: the rows with, for each agent up, when its run started and what its process group uses (absent where unmeasurable). */
  #listRows() {
    const usage = this.#usage.sample([...this.#hosts.values()].flatMap((host) => host.supervisor.pid ?? []));
    return this.#agentRows().map((row) => {
      const startedAt = this.#hosts.get(row.name)?.supervisor.runningSince;
      return { ...row, ...(startedAt === undefined ? {} : { startedAt }), ...(row.pid === null ? {} : usage.get(row.pid)) };
    });
  }

  #createHost(definition: AgentDefinition): AgentHost {
    const { config, launch, secrets, processOptions } = this.#options;
    const host = new AgentHost({
      definition,
      agentsDir: config.agentsDir,
      agentsFile: config.agentsFile,
      baseEnv: config.agentBaseEnv,
      launch,
      log: this.#log(definition.name),
      sections: this.#sections,
      tasks: this.#tasks,
      secrets,
      ...(processOptions ? { processOptions } : {}),
      // A watch has no event of its own for commands (an older client would refuse one): an agents event makes watchers re-read them.
      onCommandsChange: () => this.#agentChanges.emit('change'),
    });
    host.supervisor.on('state', () => this.#agentChanges.emit('change'));
    return host;
  }

  #log(agent: string): AgentLog {
    let log = this.#logs.get(agent);
    if (!log) {
      log = new AgentLog(join(this.#options.config.stateDir, 'logs'), agent);
      this.#logs.set(agent, log);
    }
    return log;
  }

  #handlers(): Record<string, ControlHandler> {
    // Params arrive parsed by their method's schema (control-methods.ts in @opperator/protocol).
    const task = (id: string) => {
      const found = this.#tasks.get(id);
      if (!found) throw new DaemonError('DAEMON_TASK_NOT_FOUND', `No task ${JSON.stringify(id)}. \`opperator task list\` shows the tasks.`);
      return found;
    };
    return dispatchTable({
      'daemon.status': async (): Promise<DaemonStatus> => ({ pid: process.pid, home: this.#options.config.home, startedAt: this.#startedAt, agents: this.#hosts.size, environment: { platform: process.platform, browser: this.#options.config.browserEnvironment }, paths: { ...this.#options.config.layout, socket: this.#options.config.socketPath } }),
      'daemon.stop': async () => {
        setImmediate(() => void this.stop());
        return { stopping: true };
      },
      'agents.reload': async () => this.#reload(),
      'agent.list': async () => this.#listRows(),
      // Every change a UI shows (agent states, sections, tasks), coalesced per frame: see serveWatch.
      watch: async (_params, context) =>
        serveWatch(context, {
          agentRows: () => this.#agentRows(),
          onAgentsChange: (listener) => {
            this.#agentChanges.on('change', listener);
            return () => this.#agentChanges.off('change', listener);
          },
          onSectionChange: (listener) => this.#sections.onChange(listener),
          onTaskChange: (listener) => this.#tasks.onChange(listener),
        }),
      'agent.start': async ({ name: agent }) => {
        // Edits to agents.yaml (secrets:, env:) apply at the next start without a separate reload.
        await this.#reload();
        const host = this.#host(agent);
        await this.#wanted.add(agent);
        await this.#startHost(() => host.start());
        return { state: host.state };
      },
      'agent.stop': async ({ name }) => {
        const host = this.#host(name);
        await this.#wanted.delete(host.definition.name);
        await host.supervisor.stop();
        return { state: host.state };
      },
      'agent.restart': async ({ name: agent }) => {
        await this.#reload();
        const current = this.#host(agent);
        await this.#wanted.add(agent);
        const pending = this.#pendingDefinitions.get(agent);
        if (pending) {
          // agents.yaml changed since this agent started: restart with the new definition.
          await current.supervisor.stop();
          this.#pendingDefinitions.delete(agent);
          const replacement = this.#createHost(pending);
          this.#hosts.set(agent, replacement);
          await this.#startHost(() => replacement.start());
        } else {
          await this.#startHost(() => current.restart());
        }
        return { state: this.#host(agent).state };
      },
      'agent.commands': async ({ name }) => this.#host(name).commands,
      'agent.sections': async ({ name }) => this.#sections.list(this.#host(name).definition.name),
      'agent.logs': async (params, context) => serveLogs(this.#log(this.#host(params.name).definition.name), params, context),
      'agent.invoke': async ({ name, command, args = {}, detach = false, client }, context) => {
        const host = this.#host(name);
        // A detached caller gets its answer at once; progress goes to the task record only, and the agent is told nobody waits.
        const { task, outcome } = await host.invoke(command, args, detach ? {} : { onProgress: (progress) => context.emit({ progress }), ...(client ? { client } : {}) });
        if (task && detach) return { detached: true, task };
        if (task) context.emit({ task: { id: task.id, progressLabel: task.progressLabel ?? null } });
        return { ...(await outcome), ...(task ? { taskId: task.id } : {}) };
      },
      'task.list': async ({ agent }) => this.#tasks.list(agent === undefined ? {} : { agent }),
      'task.get': async ({ id }) => task(id),
      'task.cancel': async ({ id }) => {
        const { agent } = task(id);
        await this.#host(agent).cancel(id);
        return { cancelling: id };
      },
    });
  }
}
