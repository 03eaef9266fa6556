import { agentToDaemonSchema, encodeMessage, readMessages, type AgentToDaemon, type DaemonToAgent, type InvalidLine } from '@opperator/protocol';
import { AgentRuntime, createLinkedTransport, type Agent, type AgentRuntimeOptions } from '../src/index.js';

type Response = Extract<AgentToDaemon, { type: 'response' }>;
type Log = Extract<AgentToDaemon, { type: 'log' }>;

/**
 * A fake daemon on the other end of an in-memory link: it records every
 * message the agent sends (validated against the protocol, so a malformed
 * message shows up in `invalid`) and lets tests wait for one.
 */
export function startAgent(agent: Agent, options: Partial<AgentRuntimeOptions> = {}) {
  const link = createLinkedTransport();
  const messages: AgentToDaemon[] = [];
  const invalid: InvalidLine[] = [];
  let waiters: Array<() => void> = [];
  readMessages(link.daemon.input, {
    schema: agentToDaemonSchema,
    onMessage: (message) => {
      messages.push(message);
      for (const wake of waiters.splice(0)) wake();
    },
    onInvalid: (line) => invalid.push(line),
  });
  const runtime = new AgentRuntime(agent, { ...link.agent, agentName: 'test-agent', agentDir: '/tmp/test-agent', pid: 4242, stopTimeoutMs: 1_000, ...options });
  const exit = runtime.run();
  let counter = 0;

  /** The first message (seen or to come) matching `predicate`. */
  async function waitFor<T extends AgentToDaemon>(predicate: (message: AgentToDaemon) => message is T, timeoutMs?: number): Promise<T>;
  async function waitFor(predicate: (message: AgentToDaemon) => boolean, timeoutMs?: number): Promise<AgentToDaemon>;
  async function waitFor(predicate: (message: AgentToDaemon) => boolean, timeoutMs = 3_000): Promise<AgentToDaemon> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = messages.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(messages.map((m) => m.type))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  const send = (message: DaemonToAgent | Record<string, unknown>) => link.daemon.output.write(encodeMessage(message));
  const response = (id: string) => waitFor((m): m is Response => m.type === 'response' && m.id === id);
  return {
    runtime,
    exit,
    messages,
    invalid,
    link,
    send,
    waitFor,
    response,
    ready: () => waitFor((m) => m.type === 'ready'),
    /** Sends a command and resolves with its response. */
    invoke(name: string, args: Record<string, unknown> = {}, id = `t${++counter}`) {
      send({ type: 'command', id, name, args });
      return response(id);
    },
    logs: (level?: Log['level']) => messages.filter((m): m is Log => m.type === 'log' && (level === undefined || m.level === level)),
    progressOf: (id: string) => messages.filter((m) => m.type === 'command_progress' && m.id === id),
    types: () => messages.map((m) => (m.type === 'lifecycle_event' ? `lifecycle:${m.event}` : m.type)),
    close: () => {
      waiters = [];
      return runtime.stop('test finished');
    },
  };
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds (or fails after `timeoutMs`). */
export async function until(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(2);
  }
}

/** A promise plus the functions that settle it. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
