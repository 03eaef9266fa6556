/**
 * Benchmark: `opperator secret list` cold start against `node -e 0`, both as
 * fresh processes, alternating. The CLI must load only what the command
 * needs: no keyring module, no OAuth toolkit, no lock library.
 */
import { execFileSync } from 'node:child_process';
import { CLI_PATH } from '@opperator/testing';
import { alternate, elapsedMs, type Comparison } from './stats.js';

/** Settings of {@link benchCliStartup}. */
export interface CliStartupBenchOptions {
  /** OPPERATOR_HOME for the runs (a temp dir). */
  home: string;
  rounds: number;
}

/** Measures wall time of whole processes, in ms. */
export async function benchCliStartup(options: CliStartupBenchOptions): Promise<Comparison> {
  const { DBUS_SESSION_BUS_ADDRESS: _bus, ...base } = process.env;
  const env = { ...base, OPPERATOR_HOME: options.home, OPPERATOR_SECRET_STORE: 'file' };
  // A few secrets, so list has a registry to read and rows to print.
  for (const name of ['gmail_client_id', 'gmail_client_secret', 'github_token']) {
    execFileSync(process.execPath, [CLI_PATH, 'secret', 'set', name, 'bench-value'], { env, stdio: 'ignore' });
  }
  const time = (args: string[], into: number[]) => async () => {
    const start = performance.now();
    execFileSync(process.execPath, args, { env, stdio: 'ignore' });
    into.push(elapsedMs(start));
  };
  const listMs: number[] = [];
  const nodeMs: number[] = [];
  await alternate(3, time([CLI_PATH, 'secret', 'list'], []), time(['-e', '0'], []));
  await alternate(options.rounds, time([CLI_PATH, 'secret', 'list'], listMs), time(['-e', '0'], nodeMs));
  return {
    name: 'CLI cold start',
    subject: { label: 'opperator secret list', values: listMs },
    baseline: { label: 'node -e 0', values: nodeMs },
    unit: 'ms',
    note: 'whole processes, bundled CLI (npm run build); goal at most 1.50x.',
  };
}
