import { LOG_LEVELS, commandDescriptorSchema, type AgentToDaemon, type LogLevel } from '@opperator/protocol';
import { SdkError, messageOf } from './errors.js';
import { startEvery } from './every.js';
import { AGENT_BRAND, agentInternals, registryMessage, sectionMessage, type AgentHost, type AgentInternals, type RegisteredCommand, type SectionState } from './internal.js';
import { checkName, plainFields } from './util.js';
import { setUpOAuth } from './use-oauth.js';
import type { UseOAuthHandle, UseOAuthOptions } from './use-oauth-options.js';
import type { BackgroundTask, CommandArgs, CommandHandler, CommandOptions, EveryOptions, LogFields, ProgressUpdate, SectionOptions } from './types.js';

/** Longest interval a timer can wait (about 24.8 days). */
const MAX_INTERVAL_MS = 2 ** 31 - 1;

/**
 * The base class of every agent. The entry file's default export extends it;
 * the runtime constructs it, attaches it to the daemon, calls `initialize()`
 * (required), then `start()` and later `stop()` when the subclass defines
 * them (see {@link AgentLifecycle}).
 *
 * @example
 * ```ts
 * export default class InvoiceMonitor extends Agent {
 *   async initialize() {
 *     this.registerCommand('check_now', async (_args, ctx) => {
 *       ctx.reportProgress({ text: 'Listing unread messages', progress: 0.5 });
 *       return { unread: 3 };
 *     }, { description: 'Check the inbox now', async: true, progressLabel: 'Checking Gmail' });
 *     this.registerSection('stats', 'Inbox', '<b>Unread:</b> 3');
 *     this.every(5 * 60_000, () => this.logInfo('polling'));
 *   }
 * }
 * ```
 */
export abstract class Agent {
  /** Recognised by the runner even when the agent was built on another copy of the SDK. */
  static readonly [AGENT_BRAND] = true;

  #host: AgentHost | undefined;
  /** Messages sent before a runtime attached (logs from a constructor), delivered on attach. */
  #queued: AgentToDaemon[] = [];
  readonly #commands = new Map<string, RegisteredCommand>();
  readonly #sections = new Map<string, SectionState>();
  readonly #stop = new AbortController();
  readonly #runs = new Set<Promise<unknown>>();

  /**
   * Registers commands and sections and reads configuration. Runs before the
   * agent is announced ready; a throw here is a crash during start.
   */
  abstract initialize(): Promise<void> | void;

  /**
   * The agent's name in agents.yaml. Available from `initialize()` on.
   *
   * @example
   * ```ts
   * this.logInfo(`${this.agentName} is up`);
   * ```
   */
  get agentName(): string {
    return this.#attached('agentName').agentName;
  }

  /**
   * The agent's folder (`$OPPERATOR_HOME/agents/<name>/`), where files such as
   * `token.json` belong. Available from `initialize()` on.
   *
   * @example
   * ```ts
   * const tokenPath = join(this.agentDir, 'token.json');
   * ```
   */
  get agentDir(): string {
    return this.#attached('agentDir').agentDir;
  }

  /**
   * The provider emulator this agent's `useOAuth` sign-ins go to instead of
   * the real Google, GitHub or Microsoft (`OPPERATOR_EMULATE` in the agent's
   * `env:`, pointing at `opperator sandbox start --emulate …`); `undefined`
   * when the real providers are used.
   *
   * @example
   * ```ts
   * if (this.providerEmulator) this.logInfo(`providers emulated at ${this.providerEmulator}`);
   * ```
   */
  get providerEmulator(): string | undefined {
    return this.#attached('providerEmulator').providerEmulator;
  }

  /**
   * Where this agent's `useOAuth` sign-ins keep tokens unless one names its
   * own `store`: `token_store` in agents.yaml (a path, `redis://…`,
   * `postgres://…`); `undefined`: `token.json` in the agent folder.
   *
   * @example
   * ```ts
   * if (this.tokenStoreLocation?.startsWith('redis')) this.logInfo('tokens shared through Redis');
   * ```
   */
  get tokenStoreLocation(): string | undefined {
    return this.#attached('tokenStoreLocation').tokenStore;
  }

  /**
   * Aborted when the agent is asked to stop (the guide's `_stop_event`). Pass
   * it to anything that waits.
   *
   * @example
   * ```ts
   * await setTimeout(60_000, undefined, { signal: this.stopSignal });
   * ```
   */
  get stopSignal(): AbortSignal {
    return this.#stop.signal;
  }

  /**
   * Offers a command. Registering a name again replaces it; after start-up,
   * every change is announced to the daemon at once.
   *
   * @example
   * ```ts
   * this.registerCommand<{ folder?: string }>('check_now', async ({ folder = 'INBOX' }, ctx) => {
   *   ctx.reportProgress('Listing');
   *   return { folder, unread: 3 };
   * }, { async: true, arguments: [{ name: 'folder', type: 'string' }] });
   * ```
   */
  registerCommand<A extends CommandArgs = CommandArgs>(name: string, handler: CommandHandler<A>, options: CommandOptions = {}): void {
    if (typeof handler !== 'function') throw new SdkError('SDK_INVALID_ARGUMENT', `registerCommand(${JSON.stringify(name)}): the handler must be a function`);
    const { description, title, progressLabel, hidden } = options;
    const parsed = commandDescriptorSchema.safeParse({ name, title, description, async: options.async ?? false, progressLabel, arguments: options.arguments, hidden });
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'name'}: ${issue.message}`).join('; ');
      throw new SdkError('SDK_INVALID_ARGUMENT', `registerCommand(${JSON.stringify(name)}): ${problems}`);
    }
    this.#commands.set(name, { descriptor: parsed.data, handler: handler as CommandHandler });
    this.#host?.announce(registryMessage(this.#commands));
  }

  /**
   * Reports progress of the command running in the current async context:
   * works in helpers, after awaits and in timer callbacks started by the
   * command. Outside any command it does nothing (and says so at debug level).
   *
   * @example
   * ```ts
   * private async download() { this.reportProgress({ text: 'Downloading', progress: 0.3 }); }
   * ```
   */
  reportProgress(update: ProgressUpdate): void {
    if (this.#host?.reportProgress(update)) return;
    this.logDebug('reportProgress() was called outside a running command; ignored');
  }

  /**
   * Shows a sidebar section (markup: `<b>`, `<i>`, `<c fg bg>`). Registering an
   * id again replaces the section.
   *
   * @example
   * ```ts
   * this.registerSection('auth', 'Gmail', "<c fg='yellow'>Not signed in</c>", { collapsed: false });
   * ```
   */
  registerSection(id: string, title: string, content: string, options: SectionOptions = {}): void {
    checkName('registerSection', id);
    const section: SectionState = { title: String(title), content: String(content), ...(options.collapsed === undefined ? {} : { collapsed: options.collapsed }) };
    this.#sections.set(id, section);
    this.#host?.announce(sectionMessage(id, section));
  }

  /**
   * Replaces the content of a registered section (title and folding stay).
   * An unknown id is logged as a warning and ignored.
   *
   * @example
   * ```ts
   * this.updateSection('auth', "<c fg='green'>Signed in</c>");
   * ```
   */
  updateSection(id: string, content: string): void {
    const section = this.#sections.get(id);
    if (!section) {
      this.logWarning(`updateSection(${JSON.stringify(id)}): no such section; call registerSection first`);
      return;
    }
    section.content = String(content);
    this.#host?.announce(sectionMessage(id, section));
  }

  /**
   * Removes a section. The removal is always sent, even for an id unknown in
   * this run: sections persist across restarts, so this is how an agent
   * clears one left by an earlier version.
   *
   * @example
   * ```ts
   * this.unregisterSection('auth');
   * ```
   */
  unregisterSection(id: string): void {
    checkName('unregisterSection', id);
    this.#sections.delete(id);
    this.#send({ type: 'sidebar_section_removal', id });
  }

  /**
   * Writes a log line at `level` ('debug' | 'info' | 'warning' | 'error').
   *
   * @example
   * ```ts
   * this.log('warning', 'quota low', { remaining: 10 });
   * ```
   */
  log(level: LogLevel, message: string, fields?: LogFields): void {
    const known = (LOG_LEVELS as readonly string[]).includes(level) ? level : (level as string) === 'warn' ? 'warning' : 'info';
    this.#send({ type: 'log', level: known, message: String(message), ...(fields === undefined ? {} : { fields: plainFields(fields) }) });
  }

  /** Logs at debug level. @example `this.logDebug('cache hit', { key });` */
  logDebug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }

  /** Logs at info level. @example `this.logInfo('polled', { unread: 3 });` */
  logInfo(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }

  /** Logs at warning level. @example `this.logWarning('token expires soon');` */
  logWarning(message: string, fields?: LogFields): void {
    this.log('warning', message, fields);
  }

  /** Logs at error level. @example `this.logError('poll failed', { error: err });` */
  logError(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  /**
   * Reads a secret through the daemon (only names in this agent's `secrets:`
   * list in agents.yaml). Throws {@link SecretError} naming the fix.
   *
   * @example
   * ```ts
   * const clientId = await this.getSecret('invoice_monitor_gmail_client_id');
   * ```
   */
  async getSecret(name: string): Promise<string> {
    checkName('getSecret', name);
    return this.#attached('getSecret').requestSecret(name);
  }

  /**
   * Runs `task` every `intervalMs` until the agent stops. The first run comes
   * after one interval (as with setInterval; `{ immediate: true }` runs at
   * once too). A tick that finds the previous run still going is skipped;
   * errors are logged and never end the loop or the agent. Returns a function
   * that ends this loop early.
   *
   * @example
   * ```ts
   * const stopPolling = this.every(5 * 60_000, (signal) => this.poll(signal), { name: 'poll' });
   * ```
   */
  every(intervalMs: number, task: BackgroundTask, options: EveryOptions = {}): () => void {
    if (!Number.isFinite(intervalMs) || intervalMs < 1 || intervalMs > MAX_INTERVAL_MS) {
      throw new SdkError('SDK_INVALID_ARGUMENT', `every(): the interval must be between 1 and ${MAX_INTERVAL_MS} ms, got ${intervalMs}`);
    }
    const label = JSON.stringify(options.name ?? (task.name || 'every'));
    const start = () =>
      startEvery(intervalMs, task, {
        signal: this.#stop.signal,
        immediate: options.immediate ?? false,
        onError: (err) => {
          this.logError(`background task ${label} failed: ${messageOf(err)}`);
          if (err instanceof Error && err.stack) this.logDebug(`background task ${label} stack`, { stack: err.stack });
        },
        onSkip: () => this.logDebug(`background task ${label} is still running; skipped this tick`),
        onRun: (run) => {
          this.#runs.add(run);
          void run.finally(() => this.#runs.delete(run));
        },
      });
    // A loop started inside a command must not report progress against that command.
    return this.#host ? this.#host.runDetached(start) : start();
  }

  /**
   * Signs in to an OAuth provider from inside the agent. Registers an async
   * `authorize_<name>` command (browser, or `{ "device": true }` for the
   * device flow; register the name again to override it), a `sign_out_<name>`
   * command, and an `oauth_<name>` auth-status section that updates itself.
   * Client credentials are read from secrets when needed (so they may be set
   * later, or changed, without a restart) and never written to disk; tokens
   * go to `token.json` in the agent folder (0600) and are kept fresh in the
   * background while the agent runs. Call it from `initialize()`.
   *
   * @example
   * ```ts
   * const gmail = this.useOAuth({
   *   name: 'gmail', provider: 'google', scopes: ['openid', 'email', 'https://www.googleapis.com/auth/gmail.readonly'],
   *   clientIdSecret: 'gmail_client_id', clientSecretSecret: 'gmail_client_secret',
   * });
   * this.every(5 * 60_000, async () => this.logInfo('profile', { status: (await gmail.fetch(profileUrl)).status }));
   * ```
   */
  useOAuth(options: UseOAuthOptions): UseOAuthHandle {
    checkName('useOAuth', options.name);
    return setUpOAuth(this, options);
  }

  /** The runtime's handle on this agent; not for agent code. */
  [agentInternals](): AgentInternals {
    return {
      attach: (host) => {
        if (this.#host) throw new SdkError('SDK_INVALID_ARGUMENT', 'this agent is already attached to a runtime');
        this.#host = host;
        for (const message of this.#queued.splice(0)) host.send(message);
      },
      commands: () => this.#commands,
      sections: () => this.#sections,
      abortStop: (reason) => this.#stop.abort(new DOMException(reason, 'AbortError')),
      backgroundRuns: () => [...this.#runs],
    };
  }

  #send(message: AgentToDaemon): void {
    if (this.#host) this.#host.send(message);
    else this.#queued.push(message);
  }

  #attached(what: string): AgentHost {
    if (this.#host) return this.#host;
    throw new SdkError('SDK_NOT_ATTACHED', `${what} is available from initialize() on, not in the agent's constructor`);
  }
}
