import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';

/** A real PostgreSQL server on 127.0.0.1 with its data in a temporary directory. */
export interface TestPostgresServer {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres`: password authentication (SCRAM) is on. */
  url: string;
  port: number;
  /** The superuser's password (it is in `url` too): for tests that check it never leaks. */
  password: string;
  /** Stops the server (fast shutdown: clean, data kept) and removes its directory. */
  stop(): Promise<void>;
  /** Stops the server cleanly and starts it again on the same port with the same data. */
  restart(): Promise<void>;
  /** Stops the server cleanly and keeps its data (for outage tests); `start()` brings it back on the same port. */
  halt(): Promise<void>;
  /** Starts a halted server again. */
  start(): Promise<void>;
}

/** How long initdb and the server's start may take before the harness gives up. */
const START_TIMEOUT_MS = 30_000;
/** How long a fast shutdown may take before the server is killed. */
const STOP_TIMEOUT_MS = 10_000;

/** Debian installs each major version under here, with nothing on PATH. */
const DEBIAN_POSTGRES_DIR = '/usr/lib/postgresql';

/**
 * The directory holding `initdb` and `postgres` (the newest Debian major
 * version, else the first on PATH), or `undefined` when PostgreSQL is not installed: tests skip
 * with that reason, and only then.
 *
 * @example
 * ```ts
 * const missing = (await findPostgresBinDir()) === undefined ? 'postgresql is not installed' : undefined;
 * describe.skipIf(missing)('on Postgres', () => { ... });
 * ```
 */
export async function findPostgresBinDir(): Promise<string | undefined> {
  const versions = existsSync(DEBIAN_POSTGRES_DIR) ? await readdir(DEBIAN_POSTGRES_DIR) : [];
  const newest = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  // Debian's newest major first, then whatever PATH offers (other distributions, Homebrew).
  const candidates = [...newest.map((version) => join(DEBIAN_POSTGRES_DIR, version, 'bin')), ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  return candidates.find((bin) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres')));
}

/**
 * Starts a real PostgreSQL on 127.0.0.1 at a free port, with a fresh cluster
 * in a temporary directory and settings for speed (no fsync: a clean
 * shutdown still writes everything, so `restart()` keeps the data).
 *
 * PostgreSQL refuses to run as root, as this machine and CI do: then initdb
 * and the server run as the unprivileged `postgres` user of the Debian
 * package, in a directory given to it; otherwise as the current user.
 *
 * @example
 * ```ts
 * const server = await startPostgresServer();
 * const store = new PostgresTokenStore({ connectionString: server.url, key: 'mail' });
 * await server.restart();
 * await server.stop();
 * ```
 */
export async function startPostgresServer(): Promise<TestPostgresServer> {
  const bin = await findPostgresBinDir();
  if (!bin) throw new Error(`PostgreSQL is not installed (no ${DEBIAN_POSTGRES_DIR}/<version>/bin/postgres, none on PATH); scripts/setup.sh installs the postgresql package.`);
  const owner = await serverOwner();
  const dir = await mkdtemp(join(tmpdir(), 'opperator-postgres-'));
  const data = join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  try {
    const passwordFile = join(dir, 'password');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    if (owner) {
      await chown(dir, owner.uid, owner.gid);
      await chown(passwordFile, owner.uid, owner.gid);
    }
    // Password (SCRAM) over TCP, so tests exercise real credentials; trust on the socket nobody uses.
    await runToEnd(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth-host=scram-sha-256', '--auth-local=trust', `--pwfile=${passwordFile}`, '--no-sync', '--no-instructions', '--encoding=UTF8', '--locale=C'], owner);
    await rm(passwordFile);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  let port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = await launchServer(join(bin, 'postgres'), data, dir, port, owner);
  };
  const halt = async () => {
    const running = child;
    child = undefined;
    if (running) await stopServer(running);
  };
  try {
    await launch();
  } catch {
    // The free port was taken between our probe and the server's bind: one more try.
    port = await freePort();
    try {
      await launch();
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }
  // A test process that dies without stop() must not leave a server behind.
  const killOnExit = () => child?.kill('SIGQUIT');
  process.once('exit', killOnExit);

  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    password,
    halt,
    start: launch,
    restart: async () => {
      await halt();
      await launch();
    },
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

interface Owner {
  uid: number;
  gid: number;
}

/** The `postgres` user's ids when we are root (postgres will not run as root), else undefined (run as ourselves). */
async function serverOwner(): Promise<Owner | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const line = (await readFile('/etc/passwd', 'utf8')).split('\n').find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error(`Running as root (${userInfo().username}) and there is no 'postgres' user to run PostgreSQL as; install Debian's postgresql package.`);
  return { uid: Number(uid), gid: Number(gid) };
}

/** The server's environment: nothing of ours (no PG* variables, no locale surprises). */
function serverEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' };
}

function runToEnd(command: string, args: string[], owner: Owner | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'], ...owner });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${output.trim()}`))));
  });
}

/** Starts `postgres` in the foreground and resolves once it accepts connections. */
function launchServer(postgres: string, data: string, socketDir: string, port: number, owner: Owner | undefined): Promise<ChildProcess> {
  const settings = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: socketDir,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    shared_buffers: '16MB',
    max_connections: '100',
  };
  const args = ['-D', data, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
  return new Promise((resolve, reject) => {
    const child = spawn(postgres, args, { env: serverEnv(), stdio: ['ignore', 'ignore', 'pipe'], ...owner });
    let log = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`postgres did not accept connections within ${START_TIMEOUT_MS / 1000} s: ${log.trim()}`));
    }, START_TIMEOUT_MS);
    // The log is read to the end (else the server blocks once the pipe fills), kept only until ready.
    child.stderr?.on('data', (chunk: Buffer) => {
      if (ready) return;
      log += chunk.toString();
      if (log.includes('database system is ready to accept connections')) {
        ready = true;
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`postgres exited (${code ?? signal}) before accepting connections: ${log.trim()}`));
    });
  });
}

/** Fast shutdown (SIGINT): sessions are ended, everything is written, the server exits. */
function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT');
  });
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
