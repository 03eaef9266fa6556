import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ChaosWorkerConfig, ChaosWorkerReport } from './shared-grant-worker.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./shared-grant-worker.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** tsx's loader by absolute URL: a worker runs in its own directory, where `--import tsx` would not resolve. */
const TSX_LOADER = pathToFileURL(join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
/** How long a worker may take to report after `stop` (its last call, status, closing the store). */
const STOP_GRACE_MS = 30_000;

/** One worker process of the chaos run. */
export interface ChaosWorker {
  id: string;
  pid: number;
  /** Resolves once the worker is ready for `go`, or has died. */
  ready: Promise<void>;
  /** Its report after `stop`, or why there is none (killed, crashed). Never rejects: a killed worker is expected. */
  report: Promise<ChaosWorkerReport | { failure: string }>;
  go(): void;
  stop(): void;
  /** SIGKILL: a host dying mid-work. */
  kill(): void;
  readonly alive: boolean;
}

/**
 * Starts one worker in `config.dir` (created here), sharing nothing with the
 * others but the store URL. Its stderr goes to the runner's.
 */
export async function startChaosWorker(config: ChaosWorkerConfig): Promise<ChaosWorker> {
  await mkdir(config.dir, { recursive: true, mode: 0o700 });
  const child: ChildProcess = spawn(process.execPath, ['--import', TSX_LOADER, WORKER_SCRIPT, JSON.stringify(config)], { cwd: config.dir, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let markReady: () => void = () => undefined;
  const readyLine = new Promise<void>((resolve) => (markReady = resolve));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    if (line === 'ready') markReady();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', () => resolve({ code: null, signal: null }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const report = exited.then(({ code, signal }) => {
    const last = lines.at(-1);
    if (code !== 0 || !last?.startsWith('{')) return { failure: `chaos worker ${config.id} (pid ${child.pid}) ended with ${signal ?? code} and no report` };
    return JSON.parse(last) as ChaosWorkerReport;
  });
  const send = (word: string) => {
    if (child.stdin?.writable) child.stdin.write(`${word}\n`);
  };
  return {
    id: config.id,
    pid: child.pid ?? -1,
    ready: Promise.race([readyLine, report.then(() => undefined)]),
    report,
    go: () => send('go'),
    stop: () => {
      send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      void exited.then(() => clearTimeout(timer));
    },
    kill: () => void child.kill('SIGKILL'),
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
  };
}
