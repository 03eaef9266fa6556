// The seam between `Agent` (what authors see) and `AgentRuntime` (the wire).
// Nothing here is exported from the package index: authors cannot reach it,
// and the runtime can be replaced (another transport, the OAuth helper's
// extra messages) without changing Agent's public surface.
import type { AgentToDaemon, CommandDescriptor } from '@opperator/protocol';
import type { CommandHandler, ProgressUpdate } from './types.js';

/**
 * Key of the method through which the runtime reaches an agent's internals.
 *
 * @example
 * ```ts
 * const internals = agent[agentInternals]();
 * ```
 */
export const agentInternals: unique symbol = Symbol('opperator.sdk.agentInternals');

/**
 * Marks Agent subclasses across copies of the SDK, so the runner can tell
 * "not an agent" apart from "an agent built on another copy of @opperator/sdk".
 *
 * @example
 * ```ts
 * const looksLikeAgent = (value: Record<symbol, unknown>) => value[AGENT_BRAND] === true;
 * ```
 */
export const AGENT_BRAND = Symbol.for('opperator.sdk.agent');

/**
 * A command as the agent registered it.
 *
 * @example
 * ```ts
 * const command: RegisteredCommand = { descriptor: { name: 'ping', async: false }, handler: () => 'pong' };
 * ```
 */
export interface RegisteredCommand {
  descriptor: CommandDescriptor;
  handler: CommandHandler;
}

/**
 * A sidebar section as the agent last described it.
 *
 * @example
 * ```ts
 * const section: SectionState = { title: 'Inbox', content: '<b>3</b> unread' };
 * ```
 */
export interface SectionState {
  title: string;
  content: string;
  collapsed?: boolean;
}

/**
 * What an attached agent asks of its runtime.
 *
 * @example
 * ```ts
 * agent[agentInternals]().attach(host); // host: AgentHost, built by AgentRuntime
 * ```
 */
export interface AgentHost {
  readonly agentName: string;
  readonly agentDir: string;
  /** The emulator origin useOAuth routes well-known providers to, when set. */
  readonly providerEmulator?: string;
  /** Where useOAuth keeps tokens by default (agents.yaml `token_store`), when set. */
  readonly tokenStore?: string;
  /** Sends a message now (logs). */
  send(message: AgentToDaemon): void;
  /** Sends registry/section changes, but only once the initial state was announced; before that they are part of it. */
  announce(message: AgentToDaemon): void;
  requestSecret(name: string): Promise<string>;
  /** Reports progress against the command running in the caller's async context; false outside any command. */
  reportProgress(update: ProgressUpdate): boolean;
  /** Runs `fn` outside any command's async context, so timers it creates do not belong to that command. */
  runDetached<T>(fn: () => T): T;
}

/**
 * What the runtime asks of an agent.
 *
 * @example
 * ```ts
 * const names = [...agent[agentInternals]().commands().keys()];
 * ```
 */
export interface AgentInternals {
  attach(host: AgentHost): void;
  commands(): ReadonlyMap<string, RegisteredCommand>;
  sections(): ReadonlyMap<string, SectionState>;
  /** Aborts `stopSignal`; every() loops end. */
  abortStop(reason: string): void;
  /** Background runs still in flight, to wait for (boundedly) while stopping. */
  backgroundRuns(): Promise<unknown>[];
}

/**
 * The current registry as the `command_registry` message carries it.
 *
 * @example
 * ```ts
 * send(registryMessage(internals.commands()));
 * ```
 */
export function registryMessage(commands: ReadonlyMap<string, RegisteredCommand>): AgentToDaemon {
  return { type: 'command_registry', commands: [...commands.values()].map((command) => command.descriptor) };
}

/**
 * One section as its `sidebar_section` message.
 *
 * @example
 * ```ts
 * send(sectionMessage('stats', { title: 'Inbox', content: '3 unread' }));
 * ```
 */
export function sectionMessage(id: string, section: SectionState): AgentToDaemon {
  return { type: 'sidebar_section', id, title: section.title, content: section.content, ...(section.collapsed === undefined ? {} : { collapsed: section.collapsed }) };
}
