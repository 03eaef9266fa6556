import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentProcessOptions } from '../../src/supervisor/index.js';

/** The fixture agents: plain Node ESM scripts that speak the protocol by hand. */
export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

/**
 * Options that run a fixture with small, test-sized timeouts. The environment
 * is the bare minimum, as the daemon's filtered one would be.
 */
export function fixtureOptions(fixture: string, args: string[] = [], overrides: Partial<AgentProcessOptions> = {}): AgentProcessOptions {
  return {
    name: fixture,
    command: process.execPath,
    args: [join(FIXTURES_DIR, `${fixture}.mjs`), ...args],
    cwd: FIXTURES_DIR,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    readyTimeoutMs: 10_000, // generous: two cores shared with other suites
    stopGraceMs: 1_000,
    killWaitMs: 500,
    ...overrides,
  };
}

/**
 * Whether `pid` is a live process. A zombie counts as dead: when the agent and
 * its grandchild die together, the grandchild is re-parented to PID 1, which
 * in a container may never reap it.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ESRCH') return false;
    throw error;
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch (error) {
    // Vanished between kill(0) and the read: dead.
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return false;
    throw error;
  }
}

/** Polls `predicate` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Collects what needs stopping after a test, so a failing test leaves no process behind. */
export class Cleanup {
  private readonly stoppers: Array<() => Promise<void>> = [];

  add<T extends { stop(): Promise<void> }>(item: T): T {
    this.stoppers.push(() => item.stop());
    return item;
  }

  async run(): Promise<void> {
    const results = await Promise.allSettled(this.stoppers.splice(0).map((stop) => stop()));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
