import { PassThrough } from 'node:stream';

/**
 * One side of a link: what it reads and what it writes.
 *
 * @example
 * ```ts
 * const { input, output }: LinkEnd = createLinkedTransport().daemon;
 * ```
 */
export interface LinkEnd {
  /** What this side reads. */
  input: PassThrough;
  /** What this side writes. */
  output: PassThrough;
}

/**
 * Two ends joined in memory: what one writes, the other reads.
 *
 * @example
 * ```ts
 * const link: LinkedTransport = createLinkedTransport();
 * link.daemon.output.write('{"type":"shutdown"}\n'); // arrives on link.agent.input
 * ```
 */
export interface LinkedTransport {
  /** Give these to `AgentRuntime` (they stand for the agent's stdin and stdout). */
  agent: LinkEnd;
  /** The daemon's end, for tests: write daemon messages to `output`, read the agent's from `input`. */
  daemon: LinkEnd;
}

/**
 * An in-memory stand-in for the agent's stdio, so an agent and a fake daemon
 * can talk in one process (unit tests), with the same NDJSON framing as the
 * real pipes.
 *
 * @example
 * ```ts
 * const link = createLinkedTransport();
 * const runtime = new AgentRuntime(new MyAgent(), { ...link.agent, agentName: 'my-agent', agentDir: '/tmp/my-agent' });
 * readMessages(link.daemon.input, { schema: agentToDaemonSchema, onMessage: seen.push.bind(seen), onInvalid: console.warn });
 * void runtime.run();
 * link.daemon.output.write(encodeMessage({ type: 'command', id: 't1', name: 'ping', args: {} }));
 * ```
 */
export function createLinkedTransport(): LinkedTransport {
  const toAgent = new PassThrough();
  const toDaemon = new PassThrough();
  return { agent: { input: toAgent, output: toDaemon }, daemon: { input: toDaemon, output: toAgent } };
}
