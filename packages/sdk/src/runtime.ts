import {
  AGENT_PROTOCOL_VERSION,
  MAX_LINE_BYTES,
  daemonToAgentSchema,
  encodeMessage,
  readMessages,
  type AgentToDaemon,
  type DaemonToAgent,
  type InvalidLine,
  type LogLevel,
} from '@opperator/protocol';
import type { Agent } from './agent.js';
import { COMMAND_ERROR_CODES, CommandRunner } from './commands.js';
import { messageOf } from './errors.js';
import { agentInternals, registryMessage, sectionMessage, type AgentHost, type AgentInternals } from './internal.js';
import { SecretRequests } from './secrets.js';
import { FLUSH_TIMEOUT_MS, STOP_TIMEOUT_MS, type AgentRuntimeOptions, type RuntimePhase } from './runtime-options.js';
import { settlesWithin } from './util.js';
import type { AgentLifecycle } from './types.js';
import { SDK_VERSION } from './version.js';

/**
 * Connects one agent to the daemon over a pair of streams and runs its life:
 *
 * start-up: `lifecycle_event starting`, `initialize()`, `command_registry`,
 * one `sidebar_section` per section, `ready`, `start()`, `lifecycle_event started`.
 *
 * stop (a `shutdown` message, the input ending, or {@link AgentRuntime.stop}):
 * `lifecycle_event stopping`, `stopSignal` and every running command's
 * `ctx.signal` abort, `stop()` and in-flight work (background runs, commands)
 * get `stopTimeoutMs`, commands still running then answer CANCELLED,
 * `lifecycle_event stopped`, the output is flushed and `run()` resolves 0.
 *
 * A throw from `initialize()` is logged and `run()` resolves 1 without
 * `stopped`; a throw from `start()` is logged, `stop()` still runs, and `run()` resolves 1.
 *
 * @example
 * ```ts
 * const runtime = new AgentRuntime(new MyAgent(), { input: process.stdin, output: process.stdout, agentName: 'demo', agentDir: here });
 * process.once('SIGTERM', () => void runtime.stop('SIGTERM'));
 * process.exit(await runtime.run());
 * ```
 */
export class AgentRuntime {
  readonly #agent: Agent & AgentLifecycle;
  readonly #internals: AgentInternals;
  readonly #options: AgentRuntimeOptions;
  readonly #commands: CommandRunner;
  readonly #secrets: SecretRequests;
  #phase: RuntimePhase = 'created';
  /** True once the full registry and sections went out; later changes are sent as they happen. */
  #announced = false;
  #stopReason: string | undefined;
  #shutdown: Promise<number> | undefined;
  #detach: (() => void) | undefined;
  #outputBroken = false;
  #pendingWrites = 0;
  #drainWaiters: Array<() => void> = [];
  readonly #done: Promise<number>;
  #resolveDone!: (code: number) => void;

  constructor(agent: Agent, options: AgentRuntimeOptions) {
    this.#agent = agent;
    this.#internals = agent[agentInternals]();
    this.#options = options;
    const log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => this.#log(level, message, fields);
    this.#commands = new CommandRunner({ lookup: (name) => this.#internals.commands().get(name), send: (message) => this.#send(message), log });
    this.#secrets = new SecretRequests((message) => this.#send(message), options.secretTimeoutMs === undefined ? {} : { timeoutMs: options.secretTimeoutMs });
    this.#done = new Promise((resolve) => (this.#resolveDone = resolve));
  }

  /** Where the runtime is in its life. */
  get phase(): RuntimePhase {
    return this.#phase;
  }

  /** Starts the agent (once) and resolves with the exit code when it has stopped. */
  run(): Promise<number> {
    if (this.#phase === 'created') {
      this.#phase = 'starting';
      this.#lifecycle().catch((err: unknown) => {
        this.#log('error', `the agent runtime failed: ${messageOf(err)}`);
        void this.#stop(1, 'runtime failure', false);
      });
    }
    return this.#done;
  }

  /** Asks the agent to stop; resolves with the exit code once it has. During `initialize()` the stop happens right after it. */
  stop(reason = 'asked to stop'): Promise<number> {
    if (this.#phase === 'created') {
      this.#phase = 'stopped';
      this.#resolveDone(0);
    } else if (this.#phase === 'starting') {
      // initialize() may be waiting for a secret the daemon will no longer send.
      this.#stopReason ??= reason;
      this.#internals.abortStop(reason);
      this.#secrets.rejectAll('the agent is stopping');
    } else {
      void this.#stop(0, reason, true);
    }
    return this.#done;
  }

  async #lifecycle(): Promise<void> {
    const { input, output } = this.#options;
    this.#internals.attach(this.#host());
    output.on('error', (err) => {
      // The daemon is gone (EPIPE): nobody is left to tell, so stop quietly.
      this.#outputBroken = true;
      void this.stop(`output failed: ${messageOf(err)}`);
    });
    this.#detach = readMessages(input, { schema: daemonToAgentSchema, onMessage: (message) => this.#dispatch(message), onInvalid: (line) => this.#invalid(line) });
    input.once('end', () => void this.stop('the daemon closed the input'));
    this.#send({ type: 'lifecycle_event', event: 'starting' });
    try {
      await this.#agent.initialize();
    } catch (err) {
      this.#logFailure('initialize()', err);
      await this.#stop(1, 'initialize() failed', false);
      return;
    }
    if (this.#stopReason !== undefined) {
      await this.#stop(0, this.#stopReason, true);
      return;
    }
    this.#announced = true;
    this.#send(registryMessage(this.#internals.commands()));
    for (const [id, section] of this.#internals.sections()) this.#send(sectionMessage(id, section));
    this.#phase = 'ready';
    this.#send({ type: 'ready', protocolVersion: AGENT_PROTOCOL_VERSION, sdk: `@opperator/sdk@${SDK_VERSION}`, pid: this.#options.pid ?? process.pid });
    try {
      await this.#agent.start?.();
    } catch (err) {
      this.#logFailure('start()', err);
      await this.#stop(1, 'start() failed', true);
      return;
    }
    if (this.#phase === 'ready') this.#send({ type: 'lifecycle_event', event: 'started' });
  }

  #host(): AgentHost {
    return {
      agentName: this.#options.agentName,
      agentDir: this.#options.agentDir,
      ...(this.#options.providerEmulator ? { providerEmulator: this.#options.providerEmulator } : {}),
      ...(this.#options.tokenStore ? { tokenStore: this.#options.tokenStore } : {}),
      send: (message) => this.#send(message),
      announce: (message) => {
        if (this.#announced) this.#send(message);
      },
      requestSecret: (name) => this.#secrets.request(name),
      reportProgress: (update) => this.#commands.reportProgress(update),
      runDetached: (fn) => this.#commands.runDetached(fn),
    };
  }

  #dispatch(message: DaemonToAgent): void {
    switch (message.type) {
      case 'command':
        if (this.#phase === 'stopping' || this.#phase === 'stopped') {
          this.#send({ type: 'response', id: message.id, ok: false, error: { code: COMMAND_ERROR_CODES.stopping, message: 'the agent is stopping' } });
        } else {
          this.#commands.start(message);
        }
        return;
      case 'cancel':
        if (!this.#commands.cancel(message.id)) this.#log('debug', `cancel for ${JSON.stringify(message.id)} ignored: no such command is running`);
        return;
      case 'secret_response':
        if (!this.#secrets.settle(message)) this.#log('debug', `secret response ${JSON.stringify(message.requestId)} ignored: nothing is waiting for it`);
        return;
      case 'shutdown':
        void this.stop(message.reason ?? 'the daemon asked the agent to stop');
        return;
    }
  }

  #invalid(line: InvalidLine): void {
    if (line.kind === 'not-json') this.#log('warning', 'ignored a line from the daemon that is not JSON', { text: line.text.slice(0, 200) });
    else if (line.kind === 'oversized') this.#log('warning', 'ignored an oversized line from the daemon', { bytes: line.bytes });
    else this.#log('warning', `ignored a message from the daemon that does not match protocol version ${AGENT_PROTOCOL_VERSION}`, { messageType: line.messageType, problem: line.problem });
  }

  /** The stop sequence; runs once, whoever asks first decides the exit code. */
  #stop(code: number, reason: string, graceful: boolean): Promise<number> {
    this.#shutdown ??= (async () => {
      this.#phase = 'stopping';
      if (graceful) this.#send({ type: 'lifecycle_event', event: 'stopping', detail: reason });
      this.#internals.abortStop(reason);
      this.#commands.abortAll('the agent is stopping');
      this.#secrets.rejectAll('the agent is stopping');
      if (graceful) {
        const stop = this.#agent.stop;
        const stopping = stop ? [(async () => stop.call(this.#agent))().catch((err: unknown) => this.#logFailure('stop()', err))] : [];
        const timeoutMs = this.#options.stopTimeoutMs ?? STOP_TIMEOUT_MS;
        const work = Promise.allSettled([...stopping, ...this.#internals.backgroundRuns(), ...this.#commands.inFlight()]);
        if (!(await settlesWithin(work, timeoutMs))) {
          this.#log('warning', `stopping took longer than ${timeoutMs} ms (stop(), a background task or a cancelled command is still running); exiting anyway`);
        }
      }
      this.#commands.cancelAll('was cancelled: the agent stopped before it finished');
      if (graceful && code === 0) this.#send({ type: 'lifecycle_event', event: 'stopped', detail: reason });
      this.#detach?.();
      await settlesWithin(this.#flush(), FLUSH_TIMEOUT_MS);
      this.#phase = 'stopped';
      this.#resolveDone(code);
      return code;
    })();
    return this.#shutdown;
  }

  #logFailure(what: string, err: unknown): void {
    this.#log('error', `${what} failed: ${messageOf(err)}`);
    if (err instanceof Error && err.stack) this.#log('debug', `${what} stack`, { stack: err.stack });
  }

  #log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    this.#send({ type: 'log', level, message, ...(fields === undefined ? {} : { fields }) });
  }

  #send(message: AgentToDaemon): void {
    if (this.#phase === 'stopped' || this.#outputBroken) return;
    const stamped = message.type === 'log' && message.time === undefined ? { ...message, time: (this.#options.now ?? Date.now)() } : message;
    let line: string;
    try {
      line = encodeMessage(stamped);
    } catch (err) {
      if (stamped.type !== 'log') {
        this.#log('error', `could not send a ${stamped.type} message: ${messageOf(err)}`);
        return;
      }
      // A log line whose fields JSON cannot carry still goes out, without them.
      line = encodeMessage({ ...stamped, fields: { unserialisableFields: messageOf(err) } });
    }
    if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
      this.#log('error', `a ${stamped.type} message of ${Buffer.byteLength(line)} bytes exceeds the ${MAX_LINE_BYTES}-byte line limit; dropped`);
      return;
    }
    this.#pendingWrites++;
    this.#options.output.write(line, () => {
      this.#pendingWrites--;
      if (this.#pendingWrites === 0) for (const wake of this.#drainWaiters.splice(0)) wake();
    });
  }

  #flush(): Promise<void> {
    if (this.#pendingWrites === 0 || this.#outputBroken) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }
}
