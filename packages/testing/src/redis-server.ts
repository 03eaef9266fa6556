import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { makeTempDir } from './temp-dir.js';

/** Debian's redis-server (apt package `redis-server`, installed by scripts/setup.sh). */
export const REDIS_SERVER_PATH = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';

/** How long redis-server may take to accept connections after it starts. */
const START_TIMEOUT_MS = 10_000;
/** How long a graceful shutdown (SIGTERM: flush the append-only file, exit) may take before SIGKILL. */
const STOP_TIMEOUT_MS = 5_000;
/** Free ports found by binding port 0 can be taken before redis-server binds them: try a few. */
const PORT_ATTEMPTS = 5;

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /**
   * Keep the data across {@link TestRedisServer.restart} (default true): an
   * append-only file fsynced on every write (`--appendonly yes --appendfsync
   * always`), so even a SIGKILLed server comes back with every acknowledged
   * write, lease keys and their expiry included. `false`: nothing is
   * persisted and a restart starts empty, as a cache-only Redis would.
   */
  persist?: boolean;
  /** Require this password (`--requirepass`); the `url` stays without it. */
  password?: string;
}

/** A real redis-server on 127.0.0.1 with its data in a temporary directory. */
export interface TestRedisServer {
  /** `redis://127.0.0.1:<port>` (no credentials, even with a password). */
  url: string;
  port: number;
  /** The data directory (the append-only file lives under it). */
  dir: string;
  /** Stops the server (if up) and removes its directory. */
  stop(): Promise<void>;
  /** Stops the server and starts it again on the same port and directory (see {@link RedisServerOptions.persist}). */
  restart(): Promise<void>;
  /** Stops the server, keeping its directory, until {@link up}: an outage. `SIGKILL` is a crash, `SIGTERM` (default) a clean shutdown. */
  down(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts the server again after {@link down}, on the same port and directory. */
  up(): Promise<void>;
  /** Pauses the server (SIGSTOP) until {@link thaw}: connections stay open and nothing answers, as a hung host or a black-holed network. */
  freeze(): void;
  /** Resumes a frozen server (SIGCONT). */
  thaw(): void;
}

/** Why Redis tests cannot run here, or `undefined` when redis-server is installed. */
export function redisServerMissing(): string | undefined {
  return existsSync(REDIS_SERVER_PATH) ? undefined : `${REDIS_SERVER_PATH} is not installed (apt-get install redis-server, or run scripts/setup.sh)`;
}

/**
 * Starts Debian's redis-server on 127.0.0.1 and a free port, with its data
 * in a temporary directory; `stop()` kills it and removes the directory.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer();
 * const store = new RedisTokenStore({ url: redis.url, key: 'test' });
 * await redis.down(); // an outage
 * await redis.up();
 * await redis.stop();
 * ```
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<TestRedisServer> {
  const temp = await makeTempDir('opperator-redis-');
  const persist = options.persist ?? true;
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 1; child === undefined; attempt += 1) {
    port = await freePort();
    try {
      child = await launch(port, temp.path, persist, options.password);
    } catch (err) {
      if (attempt >= PORT_ATTEMPTS) {
        await temp.remove();
        throw err;
      }
    }
  }
  const down = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    const running = child;
    child = undefined;
    // A frozen server would not act on SIGTERM until resumed.
    running?.kill('SIGCONT');
    if (running) await terminate(running, signal);
  };
  const up = async () => {
    if (child) return;
    child = await launch(port, temp.path, persist, options.password);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir: temp.path,
    down,
    up,
    restart: async () => {
      await down();
      await up();
    },
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
    stop: async () => {
      await down();
      await temp.remove();
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts redis-server and resolves once it accepts connections (it says so on stdout). */
function launch(port: number, dir: string, persist: boolean, password: string | undefined): Promise<ChildProcess> {
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--daemonize', 'no',
    '--save', '',
    '--appendonly', persist ? 'yes' : 'no',
    '--appendfsync', 'always',
    '--loglevel', 'notice',
    '--logfile', '',
    ...(password === undefined ? [] : ['--requirepass', password]),
  ];
  const child = spawn(REDIS_SERVER_PATH, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`redis-server on port ${port} ${why}:\n${log.slice(-2_000)}`));
    };
    const timer = setTimeout(() => fail(`did not accept connections within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    const onData = (chunk: string) => {
      log += chunk;
      if (/Ready to accept connections/.test(log)) {
        clearTimeout(timer);
        // Keep draining its output so a chatty server never blocks on a full pipe.
        child.stdout?.off('data', onData).on('data', () => undefined);
        resolve(child);
      }
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    child.once('error', (err) => fail(`could not start (${err.message})`));
    child.once('exit', (code, signal) => {
      if (!/Ready to accept connections/.test(log)) fail(`exited (${signal ?? code})`);
    });
  });
}

function terminate(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
