import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { agentToDaemonSchema, encodeMessage, readMessages, type AgentToDaemon, type DaemonToAgent, type InvalidLine, type LogLevel } from '@opperator/protocol';
import { describeExit, SUPPORTED_PROTOCOL_VERSIONS, type AgentExit, type AgentProcessEvents, type AgentProcessOptions, type AgentState, type LogSource } from './agent-types.js';
import { signalProcessGroup } from './process-group.js';
import { LogTail, readLines } from './stdio-lines.js';
import { SupervisorError, type SupervisorErrorCode } from './supervisor-error.js';
import { AGENT_EXIT_AFTER_KILL_MS, AGENT_KILL_WAIT_MS, AGENT_READY_TIMEOUT_MS, AGENT_STDIO_DRAIN_MS, AGENT_STOP_GRACE_MS } from './timeouts.js';

interface StartFailure {
  code: SupervisorErrorCode;
  /** Completes "Agent "name" ..." */
  message: string;
  cause?: unknown;
}

/**
 * One run of one agent process: spawn in its own process group, wait for
 * `ready`, read validated messages from stdout and lines from stderr, send
 * messages to stdin, stop with escalation (`shutdown` → SIGTERM → SIGKILL to
 * the group). One-shot: a new run needs a new instance (the supervisor does that).
 *
 * stderr lines are logged at level `warning`: stderr carries crashes, but also
 * deprecation notices and library chatter, and a real crash is reported by the
 * exit anyway.
 *
 * @example
 * ```ts
 * const agent = new AgentProcess({ name: 'mail', command: process.execPath, args: ['agent.mjs'], cwd, env: { PATH } });
 * agent.on('message', (message) => console.log(message.type));
 * agent.on('log', (entry) => console.log(`[${entry.source}] ${entry.message}`));
 * await agent.start(); // resolves on `ready`; rejects with a SupervisorError quoting the last log lines
 * await agent.send({ type: 'command', id: '1', name: 'check_now', args: {} });
 * await agent.stop();
 * ```
 */
export class AgentProcess extends EventEmitter<AgentProcessEvents> {
  readonly name: string;
  private readonly options: AgentProcessOptions;
  private readonly now: () => number;
  private readonly tail: LogTail;
  private currentState: AgentState = 'stopped';
  private child: ChildProcess | undefined;
  private startCalled = false;
  private readyAtMs: number | undefined;
  private startFailure: StartFailure | undefined;
  private stopRequested = false;
  private termination: Promise<void> | undefined;
  private settleStart: ((error?: SupervisorError) => void) | undefined;
  private leaderExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private exitInfo: AgentExit | undefined;
  private readyTimer: NodeJS.Timeout | undefined;
  private drainTimer: NodeJS.Timeout | undefined;
  private readonly detachers: Array<() => void> = [];
  private onLeaderExit: () => void = () => undefined;
  private readonly leaderExited = new Promise<void>((resolve) => (this.onLeaderExit = resolve));
  private onExited: () => void = () => undefined;
  private readonly exited = new Promise<void>((resolve) => (this.onExited = resolve));

  constructor(options: AgentProcessOptions) {
    super();
    this.name = options.name;
    this.options = options;
    this.now = options.now ?? Date.now;
    this.tail = new LogTail(options.logTailLines);
  }

  /** Current state; `stopped` before `start()`. */
  get state(): AgentState { return this.currentState; }

  /** The agent's pid (also its process group id) once spawned. */
  get pid(): number | undefined { return this.child?.pid; }

  /** When `ready` arrived (ms since the epoch), if it did. */
  get readyAt(): number | undefined { return this.readyAtMs; }

  /** How the process ended, once it has. */
  get exit(): AgentExit | undefined { return this.exitInfo; }

  /** The last log lines (what a start failure quotes). */
  logTail(): string[] { return this.tail.lines(); }

  /**
   * Spawns the agent and resolves when it sends a supported `ready`. On
   * failure the process is gone before the returned promise rejects.
   */
  start(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.startCalled) {
      return Promise.reject(new SupervisorError('AGENT_ALREADY_STARTED', `Agent ${JSON.stringify(this.name)} was already started; each run needs a new AgentProcess.`, { agent: this.name }));
    }
    this.startCalled = true;
    const { signal } = options;
    const started = new Promise<void>((resolve, reject) => {
      const onAbort = () => this.failStart({ code: 'AGENT_START_ABORTED', message: 'was aborted while starting', cause: signal?.reason });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.settleStart = (error) => {
        this.settleStart = undefined;
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
    });
    this.setState('starting');
    const run = this.isolated();
    if ('unavailable' in run) {
      this.startFailure = { code: 'AGENT_ISOLATION_UNAVAILABLE', message: run.unavailable };
      this.finalize();
      return started;
    }
    try {
      const spawn = this.options.spawn ?? nodeSpawn;
      this.child = spawn(run.command, run.args, { cwd: this.options.cwd, env: run.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    } catch (error) {
      // Synchronous spawn failures (invalid arguments) produce neither a process nor an exit event.
      this.startFailure = { code: 'AGENT_SPAWN_FAILED', message: `could not be spawned (${JSON.stringify(this.options.command)})`, cause: error };
      this.finalize();
      return started;
    }
    this.wire(this.child);
    this.record('add');
    if (signal?.aborted) this.failStart({ code: 'AGENT_START_ABORTED', message: 'was aborted while starting', cause: signal.reason });
    const readyTimeoutMs = this.options.readyTimeoutMs ?? AGENT_READY_TIMEOUT_MS;
    this.readyTimer = setTimeout(() => this.failStart({ code: 'AGENT_START_TIMEOUT', message: `did not send "ready" within ${readyTimeoutMs} ms` }), readyTimeoutMs);
    return started;
  }

  /**
   * Writes one message to the agent's stdin. Allowed while `starting` too:
   * an agent may ask for secrets from its `initialize()`, before `ready`.
   */
  send(message: DaemonToAgent): Promise<void> {
    const stdin = this.child?.stdin;
    if ((this.currentState !== 'starting' && this.currentState !== 'running') || !stdin?.writable) {
      const hint = `Start it with \`opperator agent start ${this.name}\`.`;
      return Promise.reject(new SupervisorError('AGENT_NOT_RUNNING', `Agent ${JSON.stringify(this.name)} is ${this.currentState}; it cannot receive "${message.type}". ${hint}`, { agent: this.name }));
    }
    return new Promise((resolve, reject) => {
      stdin.write(encodeMessage(message), (error) => {
        if (error) reject(new SupervisorError('AGENT_WRITE_FAILED', `Could not write to agent ${JSON.stringify(this.name)}: ${error.message}`, { agent: this.name, cause: error }));
        else resolve();
      });
    });
  }

  /**
   * Stops the agent: `shutdown` and stdin closed, then SIGTERM, then SIGKILL
   * to its process group, each after its timeout. Resolves once it has exited;
   * a second call returns the same promise.
   */
  stop(reason = 'stop requested'): Promise<void> {
    if (!this.startCalled || this.exitInfo) return Promise.resolve();
    this.stopRequested = true;
    return this.terminate(true, reason);
  }

  private wire(child: ChildProcess): void {
    const { stdin, stdout, stderr } = child;
    if (!stdin || !stdout || !stderr) throw new Error('spawned without pipes'); // cannot happen with stdio 'pipe'; keeps types honest
    // Write errors reach send() callers through their callback; this keeps an EPIPE from an exited agent from being uncaught.
    stdin.on('error', (error) => this.log('debug', 'supervisor', `stdin: ${error.message}`));
    this.detachers.push(readMessages(stdout, { schema: agentToDaemonSchema, onMessage: (message) => this.handleMessage(message), onInvalid: (line) => this.handleInvalid(line) }));
    this.detachers.push(readLines(stderr, (line) => this.log('warning', 'stderr', line)));
    child.on('error', (error) => {
      if (child.pid !== undefined) return this.log('warning', 'supervisor', `process error: ${error.message}`);
      this.startFailure ??= { code: 'AGENT_SPAWN_FAILED', message: `could not be spawned (${JSON.stringify(this.options.command)}): ${error.message}`, cause: error };
      setImmediate(() => this.finalize()); // 'close' usually follows a spawn error; this guarantees the report when it does not
    });
    child.on('exit', (code, signal) => {
      this.leaderExit = { code, signal };
      this.onLeaderExit();
      // Helpers the agent left behind get SIGTERM now and SIGKILL in finalize (as systemd does with a service's cgroup).
      this.signalGroup('SIGTERM');
      this.drainTimer = setTimeout(() => this.finalize(), this.options.stdioDrainMs ?? AGENT_STDIO_DRAIN_MS);
    });
    child.on('close', () => this.finalize());
  }

  private handleMessage(message: AgentToDaemon): void {
    if (message.type === 'log') {
      this.log(message.level, 'agent', message.message, message.fields, message.time);
      return;
    }
    if (message.type === 'ready') {
      if (this.currentState !== 'starting' || this.startFailure) {
        this.log('warning', 'supervisor', `ignored "ready" while ${this.currentState}`);
        return;
      }
      if (!SUPPORTED_PROTOCOL_VERSIONS.includes(message.protocolVersion)) {
        const message_ = `speaks agent protocol version ${message.protocolVersion}, but this daemon supports ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}; update @opperator/sdk in the agent's folder or the daemon so that both match`;
        this.failStart({ code: 'AGENT_PROTOCOL_UNSUPPORTED', message: message_ });
        return;
      }
      clearTimeout(this.readyTimer);
      this.readyAtMs = this.now();
      this.setState('running');
      this.settleStart?.();
    }
    this.emit('message', message);
  }

  private handleInvalid(line: InvalidLine): void {
    this.emit('invalid', line);
    if (line.kind === 'not-json') this.log('info', 'stdout', line.text);
    else if (line.kind === 'invalid') {
      const type = line.messageType === undefined ? '' : ` of type ${JSON.stringify(line.messageType)}`;
      this.log('warning', 'supervisor', `ignored an invalid message${type} on stdout: ${line.problem}`);
    } else this.log('warning', 'supervisor', `ignored an oversized stdout line (${line.bytes} bytes)`);
  }

  private log(level: LogLevel, source: LogSource, message: string, fields?: Record<string, unknown>, time?: number): void {
    this.tail.push(`[${source === 'agent' ? level : source}] ${message}`);
    this.emit('log', { level, message, time: time ?? this.now(), source, ...(fields === undefined ? {} : { fields }) });
  }

  private failStart(failure: StartFailure): void {
    if (this.currentState !== 'starting' || this.startFailure) return;
    this.startFailure = failure;
    this.log('error', 'supervisor', `${failure.message}; stopping it`);
    this.terminate(false, failure.code).catch((error: unknown) => this.log('error', 'supervisor', `could not stop it: ${String(error)}`));
  }

  private terminate(polite: boolean, reason: string): Promise<void> {
    this.termination ??= this.escalate(polite, reason);
    return this.termination;
  }

  /** The ordered escalation; each step only runs if the process outlived the previous one. */
  private async escalate(polite: boolean, reason: string): Promise<void> {
    const stopGraceMs = this.options.stopGraceMs ?? AGENT_STOP_GRACE_MS;
    const killWaitMs = this.options.killWaitMs ?? AGENT_KILL_WAIT_MS;
    const exitAfterKillMs = this.options.exitAfterKillMs ?? AGENT_EXIT_AFTER_KILL_MS;
    this.setState('stopping');
    const stdin = this.child?.stdin;
    if (polite && stdin?.writable) stdin.write(encodeMessage({ type: 'shutdown', reason } satisfies DaemonToAgent));
    stdin?.end(); // end of input is the other way an agent learns it should go
    if (!polite || !(await this.waitForLeaderExit(stopGraceMs))) {
      if (polite) this.log('warning', 'supervisor', `still running ${stopGraceMs} ms after "shutdown"; sending SIGTERM to its process group`);
      this.signalGroup('SIGTERM');
      if (!(await this.waitForLeaderExit(killWaitMs))) {
        this.log('warning', 'supervisor', `still running ${killWaitMs} ms after SIGTERM; sending SIGKILL to its process group`);
        this.signalGroup('SIGKILL');
        if (!(await this.waitForLeaderExit(exitAfterKillMs))) {
          throw new SupervisorError('AGENT_STOP_TIMEOUT', `Agent ${JSON.stringify(this.name)} (pid ${this.pid}) did not exit ${exitAfterKillMs} ms after SIGKILL.`, { agent: this.name });
        }
      }
    }
    await this.exited;
  }

  private async waitForLeaderExit(ms: number): Promise<boolean> {
    if (this.leaderExit || this.exitInfo) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, ms, false)));
    try {
      return await Promise.race([this.leaderExited.then(() => true), this.exited.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      signalProcessGroup(pid, signal);
    } catch (error) {
      this.log('error', 'supervisor', `could not send ${signal} to process group ${pid}: ${String(error)}`);
    }
  }

  /** Reports the end exactly once: after 'close', or after the drain time following 'exit', or after a spawn error. */
  private finalize(): void {
    if (this.exitInfo) return;
    clearTimeout(this.readyTimer);
    clearTimeout(this.drainTimer);
    for (const detach of this.detachers.splice(0)) detach();
    // Helpers the agent left behind do not outlive it: they got SIGTERM when it exited, this is the SIGKILL.
    // Not logged: a container's PID 1 may leave dead helpers as zombies, which would answer and make it noise.
    if (this.leaderExit) this.signalGroup('SIGKILL');
    // A surviving grandchild may still hold the pipes: let go of them so their handles do not keep the daemon busy.
    for (const stream of [this.child?.stdin, this.child?.stdout, this.child?.stderr]) stream?.destroy();
    this.record('remove');
    const { code, signal } = this.leaderExit ?? { code: null, signal: null };
    let failure = this.startFailure;
    if (this.settleStart && !failure) {
      failure = this.stopRequested
        ? { code: 'AGENT_STOPPED_DURING_START', message: 'was stopped before it was ready' }
        : { code: 'AGENT_CRASHED_DURING_START', message: `exited ${describeExit(code, signal)} before it was ready` };
    }
    const expected = this.stopRequested && !this.startFailure;
    this.exitInfo = { code, signal, expected };
    this.setState(expected || (code === 0 && !failure) ? 'stopped' : 'crashed');
    if (this.settleStart && failure) {
      const { code: errorCode, message, cause } = failure;
      this.settleStart(new SupervisorError(errorCode, `Agent ${JSON.stringify(this.name)} ${message}.`, { agent: this.name, logTail: this.tail.lines(), cause }));
    }
    this.emit('exit', this.exitInfo);
    this.onExited();
  }

  /** The command to spawn: as given, or wrapped by the isolation (never unisolated when isolation was asked for). */
  private isolated(): { command: string; args: string[]; env: Record<string, string> } | { unavailable: string } {
    const { command, args, env, cwd, isolate, isolation } = this.options;
    if (!isolate) return { command, args, env };
    if (!isolation) return { unavailable: 'asks for isolation (isolate: true in agents.yaml), but this daemon was built without any; it was not started unisolated' };
    return isolation.wrap({ name: this.name, command, args, cwd, env });
  }

  /** Keeps {@link AgentProcessOptions.processRecords} current; a failure is logged, the agent runs on. */
  private record(change: 'add' | 'remove'): void {
    const pid = this.child?.pid;
    const records = this.options.processRecords;
    if (pid === undefined || !records) return;
    try {
      records[change](this.name, pid);
    } catch (error) {
      this.log('warning', 'supervisor', `could not ${change === 'add' ? 'record' : 'forget'} process ${pid} in ${records.dir}: ${String(error)}; a daemon crash may leave it running`);
    }
  }

  private setState(next: AgentState): void {
    const previous = this.currentState;
    if (next === previous) return;
    this.currentState = next;
    this.emit('state', next, previous);
  }
}
