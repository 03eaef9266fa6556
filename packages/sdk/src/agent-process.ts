import { dirname } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { encodeMessage } from '@opperator/protocol';
import { messageOf } from './errors.js';
import { loadAgentClass } from './load-agent.js';
import { AgentRuntime } from './runtime.js';

/**
 * Options of {@link runAgentProcess}.
 *
 * @example
 * ```ts
 * const options: AgentProcessOptions = { entryFile, input: process.stdin, output: process.stdout, errorOutput: process.stderr };
 * ```
 */
export interface AgentProcessOptions {
  /** Absolute path of the agent's entry file. */
  entryFile: string;
  /** Default: the entry file's folder name (agents/<name>/agent.ts). */
  agentName?: string;
  /** Default: the entry file's folder. */
  agentDir?: string;
  /** See {@link AgentRuntimeOptions.providerEmulator}. */
  providerEmulator?: string | undefined;
  /** See {@link AgentRuntimeOptions.tokenStore}. */
  tokenStore?: string | undefined;
  /** The protocol's input (stdin). */
  input: Readable;
  /** The protocol's output (stdout). */
  output: Writable;
  /** Human-readable failures (stderr). */
  errorOutput: Writable;
  /** Stop on these signals (default SIGTERM and SIGINT). */
  signals?: NodeJS.Signals[];
}

/**
 * The body of the agent process: loads the entry's default export, runs it
 * over the given streams, stops it on SIGTERM/SIGINT (a second signal exits
 * at once), and resolves with the exit code. Failures before the runtime exists (bad entry, throwing
 * constructor) go to stderr and, as a `log` line, to the daemon's log tail.
 *
 * @example
 * ```ts
 * const code = await runAgentProcess({ entryFile, input: process.stdin, output: process.stdout, errorOutput: process.stderr });
 * process.exit(code);
 * ```
 */
export async function runAgentProcess(options: AgentProcessOptions): Promise<number> {
  const agentDir = options.agentDir ?? dirname(options.entryFile);
  const agentName = options.agentName ?? (agentDir.split(/[\\/]/).filter(Boolean).at(-1) || 'agent');
  const fail = (message: string, err: unknown) => {
    options.output.write(encodeMessage({ type: 'log', level: 'error', message: `${message}: ${messageOf(err)}`, time: Date.now() }));
    options.errorOutput.write(`opperator agent ${agentName}: ${message}: ${err instanceof Error && err.stack ? err.stack : messageOf(err)}\n`);
    return 1;
  };
  let runtime: AgentRuntime;
  try {
    const AgentClass = await loadAgentClass(options.entryFile);
    runtime = new AgentRuntime(new AgentClass(), { input: options.input, output: options.output, agentName, agentDir, ...(options.providerEmulator ? { providerEmulator: options.providerEmulator } : {}), ...(options.tokenStore ? { tokenStore: options.tokenStore } : {}) });
  } catch (err) {
    return fail('the agent could not be started', err);
  }
  // Observe only: Node still prints the error and exits 1, but the daemon's log tail says why.
  const onCrash = (err: unknown) => {
    options.output.write(encodeMessage({ type: 'log', level: 'error', message: `uncaught error: ${messageOf(err)}`, time: Date.now() }));
  };
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second Ctrl-C (or SIGTERM) while stopping means "now": do not make a person wait out stop().
    if (signalled) process.exit(1);
    signalled = true;
    void runtime.stop(signal);
  };
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  for (const signal of signals) process.on(signal, onSignal);
  process.on('uncaughtExceptionMonitor', onCrash);
  try {
    return await runtime.run();
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
    process.off('uncaughtExceptionMonitor', onCrash);
  }
}
