import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { StoredTokens } from '@opperator/oauth';

/** A record whose values say which writer made it. */
export function sampleTokens(tag: string, overrides: Partial<StoredTokens> = {}): StoredTokens {
  return {
    issuer: 'https://issuer.test',
    clientId: 'client-1',
    tokenType: 'bearer',
    accessToken: `at-${tag}`,
    refreshToken: `rt-${tag}`,
    scopes: ['read'],
    obtainedAt: Date.parse('2026-12-06T10:00:00.000Z'),
    expiresAt: Date.parse('2026-12-06T11:00:00.000Z'),
    ...overrides,
  };
}

/** A pool for the test's own look at the tables, quiet when the server stops under it. */
export function adminPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => {
    // An idle connection died with a stopped server; the next query reconnects.
  });
  return pool;
}

/** Runs a fixture of test/fixtures as another host would: its own Node process. */
export function runFixture(name: string, args: string[]) {
  const path = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk;
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    lines.push(...complete);
    waiters.splice(0).forEach((wake) => wake());
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A fixture that exits early wakes whoever waits for a line, to fail rather than hang.
  void exited.then(() => waiters.splice(0).forEach((wake) => wake()));
  /** The n-th line (1-based) the fixture printed, once it has. */
  const line = async (n: number): Promise<string> => {
    while (lines.length < n) {
      if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) after ${lines.length} lines`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
    return lines[n - 1]!;
  };
  return { child, line, exited };
}

/** Milliseconds `work` took, with its outcome. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T | undefined; error: unknown }> {
  const started = performance.now();
  try {
    const result = await work();
    return { ms: performance.now() - started, result, error: undefined };
  } catch (error) {
    return { ms: performance.now() - started, result: undefined, error };
  }
}
