/**
 * Benchmark 5: 8 processes sharing one token file while the provider
 * rotates the refresh token on every use (the sandbox's public client) and
 * access tokens live a few seconds. Counts refresh requests and invalid_grant
 * answers at the token endpoint proxy over a fixed number of expiry windows:
 * ours (OAuthClient + FileTokenStore in every process) against
 * google-auth-library sharing the file naively (see refresh-worker.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Credentials } from 'google-auth-library';
import { SHORT_LIVED_REFRESH_FRACTION } from '@opperator/oauth';
import { googleEagerRefreshMs } from './concurrent-refresh.js';
import { countsSince, sleep, type RefreshSandbox, type TokenCounts } from './refresh-sandbox.js';
import type { WorkerConfig, WorkerReport } from './refresh-worker.js';
import type { Comparison } from './stats.js';

/** Settings of {@link benchRotation}. */
export interface RotationBenchOptions {
  sandbox: RefreshSandbox;
  /** Scratch directory for the token files (a temp dir, never the repository). */
  dir: string;
  /** Processes per side. */
  workers: number;
  /** Expiry windows each side runs for; one refresh per window is the ideal. */
  windows: number;
}

/** Lock staleness for ours, as in the e2e test: short, since no worker is killed here. */
const LOCK_STALE_MS = 5_000;
/** Extra time a worker may take past its run (startup, the last request, the report) before it is killed. */
const WORKER_GRACE_MS = 30_000;
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const workerScript = fileURLToPath(new URL('./refresh-worker.ts', import.meta.url));

/** One side's outcome. */
interface SideResult {
  counts: TokenCounts;
  reports: WorkerReport[];
}

/**
 * Runs the ours side, then the google-auth-library side, each from its own
 * fresh sign-in, and returns two comparisons (refresh requests and
 * invalid_grant answers), ours as subject.
 */
export async function benchRotation(options: RotationBenchOptions): Promise<Comparison[]> {
  const { sandbox, windows } = options;
  const ttlMs = sandbox.accessTokenTtlSeconds * 1000;
  // Both sides refresh once a quarter of the lifetime is left: ours by default, google's by eagerRefreshThresholdMillis.
  const windowMs = ttlMs * (1 - SHORT_LIVED_REFRESH_FRACTION);
  const durationMs = windows * windowMs;

  const ours = await runSide(options, 'ours', durationMs, windowMs);
  const google = await runSide(options, 'google', durationMs, windowMs);

  const describe = (side: SideResult) => {
    const reports = side.reports;
    const sum = (pick: (r: WorkerReport) => number) => reports.reduce((total, r) => total + pick(r), 0);
    // A refresh refused with invalid_grant fails the caller's getAccessToken() too.
    const errors = [...reports.flatMap((r) => r.errors), ...Array.from({ length: sum((r) => r.invalidGrants) }, () => 'invalid_grant')];
    const distinct = new Set(reports.flatMap((r) => r.tokens)).size;
    return `${sum((r) => r.served)} tokens served, ${distinct} distinct access token(s), ${errors.length} failed call(s)${errors.length ? ` (${summarize(errors)})` : ''}, ${reports.filter((r) => r.signedOut).length}/${reports.length} processes signed out at the end`;
  };
  const ownStale = google.reports.reduce((total, r) => total + r.ownStaleRefreshToken, 0);
  const tornReads = google.reports.reduce((total, r) => total + r.tornReads, 0);
  const name = `${options.workers} processes, rotating RT, ${windows} windows`;
  const oursLabel = 'OAuthClient + FileTokenStore';
  const googleLabel = 'google-auth-library, naive file';
  return [
    {
      name: `${name}: refresh requests`,
      subject: { label: oursLabel, values: [ours.counts.refreshRequests] },
      baseline: { label: googleLabel, values: [google.counts.refreshRequests] },
      unit: 'req',
      note:
        `${sandbox.accessTokenTtlSeconds} s access tokens, refresh due after ${windowMs} ms, each side runs ${durationMs / 1000} s from its first expiry; ideal: ${windows} refreshes, 0 invalid_grant. ` +
        `ours: ${describe(ours)}. google-auth-library: ${describe(google)}; ${ownStale} of its invalid_grant hit a refresh token the same process had already redeemed, ${tornReads} re-reads caught the file mid-write. ` +
        'A google worker whose refresh token is refused and finds nothing newer in the file stops sending requests and only watches the file.',
    },
    {
      name: `${name}: invalid_grant`,
      subject: { label: oursLabel, values: [ours.counts.invalidGrants] },
      baseline: { label: googleLabel, values: [google.counts.invalidGrants] },
      unit: 'resp',
    },
  ];
}

/** One side: fresh sign-in, token file in that side's format, `workers` processes started together at the first expiry. */
async function runSide(options: RotationBenchOptions, mode: 'ours' | 'google', durationMs: number, windowMs: number): Promise<SideResult> {
  const { sandbox } = options;
  const oursPath = join(options.dir, mode, 'token.json');
  const signedIn = await sandbox.signIn(oursPath);
  let tokenPath = oursPath;
  if (mode === 'google') {
    // The same sign-in, converted to what google-auth-library's setCredentials takes.
    tokenPath = join(options.dir, mode, 'google-credentials.json');
    const credentials: Credentials = { access_token: signedIn.accessToken, refresh_token: signedIn.refreshToken ?? null, expiry_date: signedIn.expiresAt ?? null, token_type: 'Bearer' };
    await writeFile(tokenPath, JSON.stringify(credentials), { mode: 0o600 });
  }
  const config: WorkerConfig = {
    provider: sandbox.provider,
    clientId: sandbox.client.clientId,
    tokenUrl: sandbox.tokenUrl,
    tokenPath,
    durationMs,
    eagerRefreshMs: googleEagerRefreshMs(sandbox.accessTokenTtlSeconds),
    lockStaleMs: LOCK_STALE_MS,
  };
  const children: ChildProcess[] = [];
  try {
    const workers = Array.from({ length: options.workers }, () => startWorker(mode, config, children));
    await Promise.all(workers.map((w) => w.ready));
    // Start at the first refresh due time, so every side gets the same number of windows.
    await sleep(signedIn.obtainedAt + windowMs - Date.now());
    const before = sandbox.counts();
    for (const child of children) child.stdin?.end('go\n');
    const reports = await Promise.all(workers.map((w) => w.report));
    return { counts: countsSince(before, sandbox.counts()), reports };
  } finally {
    // Whatever happened, no worker outlives the benchmark.
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Spawns one worker; `ready` resolves on its first line, `report` with its last one after it exits. */
function startWorker(mode: string, config: WorkerConfig, children: ChildProcess[]): { ready: Promise<void>; report: Promise<WorkerReport> } {
  const child = spawn(process.execPath, ['--import', 'tsx', workerScript, mode, JSON.stringify(config)], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const lines: string[] = [];
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    if (line === 'ready') markReady();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), config.durationMs + WORKER_GRACE_MS);
  const report = exited.then((code) => {
    clearTimeout(timer);
    const last = lines.at(-1);
    if (code !== 0 || !last?.startsWith('{')) throw new Error(`${mode} worker ${child.pid} exited with ${code} and no report`);
    return JSON.parse(last) as WorkerReport;
  });
  // A worker that dies before it is ready must not leave the benchmark waiting forever.
  return { ready: Promise.race([ready, report.then(() => undefined)]), report };
}

/** "3x OAUTH_NETWORK, 1x other" from a list of error codes. */
function summarize(errors: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const error of errors) counts.set(error, (counts.get(error) ?? 0) + 1);
  return [...counts].map(([error, count]) => `${count}x ${error.slice(0, 80)}`).join(', ');
}
