import { EventEmitter } from 'node:events';
import type { AgentToDaemon, DaemonToAgent, InvalidLine, LogLevel } from '@opperator/protocol';
import { AgentProcess } from './agent-process.js';
import { describeExit, type AgentExit, type AgentLogEntry, type AgentProcessOptions, type AgentState } from './agent-types.js';
import { decideRestart, EMPTY_RESTART_HISTORY, resolveRestartPolicy, type RestartHistory, type RestartPolicy } from './restart-policy.js';
import { SupervisorError } from './supervisor-error.js';

/**
 * The supervisor's state: an {@link AgentState}, or `restarting` while it
 * waits out the backoff before the next automatic start.
 *
 * @example
 * ```ts
 * const shown = supervisor.state === 'restarting' ? `restarting at ${supervisor.nextRestartAt}` : supervisor.state;
 * ```
 */
export type SupervisorState = AgentState | 'restarting';

/**
 * Options of {@link AgentSupervisor}.
 *
 * @example
 * ```ts
 * const options: AgentSupervisorOptions = { agent: processOptions, autoRestart: true, restartPolicy: { maxRestarts: 5 } };
 * ```
 */
export interface AgentSupervisorOptions {
  /** How to run the agent; every run gets a fresh {@link AgentProcess} built from these. */
  agent: AgentProcessOptions;
  /** Restart after an exit nobody asked for (any exit: an agent is a service, even a clean exit 0 means it stopped serving). */
  autoRestart: boolean;
  /** Budget and backoff; missing fields from `DEFAULT_RESTART_POLICY`. */
  restartPolicy?: Partial<RestartPolicy>;
  now?: () => number;
  /** Jitter source, [0, 1). */
  random?: () => number;
}

/**
 * Payload of `restart-scheduled`.
 *
 * @example
 * ```ts
 * supervisor.on('restart-scheduled', ({ attempt, delayMs }) => console.log(`restart ${attempt} in ${delayMs} ms`));
 * ```
 */
export interface RestartScheduled {
  /** 1-based, since the last stable run. */
  attempt: number;
  delayMs: number;
  /** When the restart will happen (ms since the epoch). */
  at: number;
  /** Restarts in the current window, this one included. */
  restartsInWindow: number;
  exit: AgentExit;
}

/**
 * Payload of `gave-up`: the budget is spent (or was 0); the agent stays `crashed`.
 *
 * @example
 * ```ts
 * supervisor.on('gave-up', ({ reason }) => notify(`agent crashed for good: ${reason}`));
 * ```
 */
export interface GaveUp {
  reason: 'restarts-disabled' | 'budget-exhausted';
  restartsInWindow: number;
  maxRestarts: number;
  restartWindowMs: number;
  exit: AgentExit;
}

/**
 * Events of {@link AgentSupervisor}. `message` and `log` are forwarded from
 * every run; the supervisor adds `log` entries of its own (source `supervisor`)
 * for restarts and giving up, so they are persisted with the agent's logs.
 *
 * @example
 * ```ts
 * supervisor.on('state', (next, previous) => store.setState(name, next));
 * ```
 */
export interface AgentSupervisorEvents {
  message: [message: AgentToDaemon];
  invalid: [line: InvalidLine];
  log: [entry: AgentLogEntry];
  state: [next: SupervisorState, previous: SupervisorState];
  exit: [exit: AgentExit];
  'restart-scheduled': [info: RestartScheduled];
  'gave-up': [info: GaveUp];
}

/**
 * Keeps one agent running: starts it, stops it, and restarts it after an
 * unexpected exit within the restart budget, with exponential backoff.
 *
 * A failed manual `start()` is not retried: its caller gets the error (with
 * the log tail) and the state is `crashed`. A failed automatic restart counts
 * as another crash. `start()` and `restart()` begin with a fresh budget.
 *
 * @example
 * ```ts
 * const supervisor = new AgentSupervisor({ agent: processOptions, autoRestart: true, restartPolicy: { maxRestarts: 5 } });
 * supervisor.on('log', (entry) => logStore.append('mail', entry));
 * supervisor.on('gave-up', (info) => console.error(`gave up: ${info.reason}`));
 * await supervisor.start();
 * await supervisor.send({ type: 'command', id: 't1', name: 'check_now', args: {} });
 * await supervisor.stop();
 * ```
 */
export class AgentSupervisor extends EventEmitter<AgentSupervisorEvents> {
  readonly name: string;
  private readonly options: AgentSupervisorOptions;
  private readonly policy: RestartPolicy;
  private readonly now: () => number;
  private currentState: SupervisorState = 'stopped';
  private current: AgentProcess | undefined;
  private wantUp = false;
  private history: RestartHistory = EMPTY_RESTART_HISTORY;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartAt: number | undefined;
  private lastExitInfo: AgentExit | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: AgentSupervisorOptions) {
    super();
    this.name = options.agent.name;
    this.options = options;
    this.policy = resolveRestartPolicy(options.restartPolicy);
    this.now = options.now ?? Date.now;
  }

  /** Current state. */
  get state(): SupervisorState { return this.currentState; }

  /** Automatic restarts since the last manual `start()`/`restart()`. */
  get restartCount(): number { return this.restarts; }

  /** Restarts counted against the budget right now (0 after a stable run). */
  get restartsInWindow(): number { return this.history.restartTimes.length; }

  /** The pid of the running (or starting, or stopping) agent. */
  get pid(): number | undefined { return this.current && !this.current.exit ? this.current.pid : undefined; }

  /** When the current run became ready (ms since the epoch): its uptime starts there. */
  get runningSince(): number | undefined { return this.current && !this.current.exit ? this.current.readyAt : undefined; }

  /** How the last run ended. */
  get lastExit(): AgentExit | undefined { return this.lastExitInfo; }

  /** When the pending automatic restart happens, while `restarting`. */
  get nextRestartAt(): number | undefined { return this.restartAt; }

  /** The restart policy in force (defaults filled in). */
  get restartPolicy(): Readonly<RestartPolicy> { return this.policy; }

  /** Starts the agent (fresh restart budget); resolves on `ready`. Does nothing if it is already running. */
  async start(): Promise<void> {
    if (this.stopping) await this.stopping;
    if (this.starting) return this.starting;
    if (this.currentState === 'running') return;
    this.cancelRestart();
    this.wantUp = true;
    this.history = EMPTY_RESTART_HISTORY;
    this.restarts = 0;
    return this.launch(true);
  }

  /** Stops the agent, or cancels a pending restart. Resolves once nothing runs. */
  async stop(): Promise<void> {
    this.wantUp = false;
    this.cancelRestart();
    const proc = this.current;
    if (proc && !proc.exit) {
      this.stopping ??= proc.stop().finally(() => (this.stopping = undefined));
      await this.stopping;
    }
    // An explicit stop ends in `stopped`, even for a run that was crashing at the time.
    if (!this.wantUp && this.current === proc) this.setState('stopped');
  }

  /** Stops, then starts with a fresh restart budget. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Sends a message to the current run; rejects with `AGENT_NOT_RUNNING` between runs. */
  send(message: DaemonToAgent): Promise<void> {
    if (!this.current) return Promise.reject(new SupervisorError('AGENT_NOT_RUNNING', `Agent ${JSON.stringify(this.name)} is not running. Start it with \`opperator agent start ${this.name}\`.`, { agent: this.name }));
    return this.current.send(message);
  }

  private launch(manual: boolean): Promise<void> {
    const proc = new AgentProcess({ now: this.now, ...this.options.agent });
    this.current = proc;
    proc.on('message', (message) => this.emit('message', message));
    proc.on('invalid', (line) => this.emit('invalid', line));
    proc.on('log', (entry) => this.emit('log', entry));
    proc.on('state', (next) => {
      // End states are decided in handleExit, which knows whether a restart follows.
      if (this.current === proc && (next === 'starting' || next === 'running' || next === 'stopping')) this.setState(next);
    });
    proc.on('exit', (exit) => this.handleExit(proc, exit, manual));
    const started = proc.start();
    this.starting = started;
    const clear = () => {
      if (this.starting === started) this.starting = undefined;
    };
    started.then(clear, clear);
    return started;
  }

  private handleExit(proc: AgentProcess, exit: AgentExit, manual: boolean): void {
    if (proc !== this.current) return; // a late report from an older run
    this.lastExitInfo = exit;
    this.emit('exit', exit);
    if (exit.expected || !this.wantUp) return this.setState(exit.expected ? 'stopped' : proc.state);
    const readyAt = proc.readyAt;
    if (manual && readyAt === undefined) {
      // The caller of start() gets the error and decides; retrying here would hide it.
      this.wantUp = false;
      return this.setState('crashed');
    }
    if (!this.options.autoRestart) {
      this.wantUp = false;
      this.log('warning', `exited ${describeExit(exit.code, exit.signal)}; auto_restart is off, so it stays down`);
      return this.setState(proc.state);
    }
    const now = this.now();
    const decision = decideRestart(this.history, { now, ranForMs: readyAt === undefined ? 0 : now - readyAt }, this.policy, this.options.random);
    this.history = decision.history;
    const { maxRestarts, restartWindowMs } = this.policy;
    if (decision.action === 'give-up') {
      this.wantUp = false;
      const why = decision.reason === 'restarts-disabled' ? 'max_restarts is 0' : `it was restarted ${decision.restartsInWindow} times within ${restartWindowMs} ms (max_restarts ${maxRestarts})`;
      this.log('error', `exited ${describeExit(exit.code, exit.signal)}; not restarting because ${why}`);
      this.setState('crashed');
      this.emit('gave-up', { reason: decision.reason, restartsInWindow: decision.restartsInWindow, maxRestarts, restartWindowMs, exit });
      return;
    }
    this.restartAt = now + decision.delayMs;
    this.log('warning', `exited ${describeExit(exit.code, exit.signal)}; restarting in ${decision.delayMs} ms (restart ${decision.restartsInWindow} of ${maxRestarts} within ${restartWindowMs} ms)`);
    this.setState('restarting');
    this.restartTimer = setTimeout(() => this.restartNow(), decision.delayMs);
    this.emit('restart-scheduled', { attempt: decision.attempt, delayMs: decision.delayMs, at: this.restartAt, restartsInWindow: decision.restartsInWindow, exit });
  }

  private restartNow(): void {
    this.restartTimer = undefined;
    this.restartAt = undefined;
    this.restarts += 1;
    this.launch(false).catch((error: unknown) => {
      // handleExit has already counted this failure and decided what follows; the log keeps the reason,
      // unless the attempt ended because someone stopped the agent, which is no failure.
      const code = error instanceof SupervisorError ? error.code : String(error);
      if (code !== 'AGENT_STOPPED_DURING_START') this.log('warning', `restart ${this.restarts} failed to start (${code})`);
    });
  }

  private cancelRestart(): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.restartAt = undefined;
  }

  private log(level: LogLevel, message: string): void {
    this.emit('log', { level, message, time: this.now(), source: 'supervisor' });
  }

  private setState(next: SupervisorState): void {
    const previous = this.currentState;
    if (next === previous) return;
    this.currentState = next;
    this.emit('state', next, previous);
  }
}
