import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../cli-error.js';
import { readConfig, childEnvironment } from '../config.js';
import { isAlive, waitForExit } from '../process-exit.js';

/**
 * Same value as `SANDBOX_DEFAULT_PORT` of @opperator/sandbox and the issuer of
 * `providers.sandbox`; repeated here so this chunk does not load oidc-provider.
 */
export const SANDBOX_DEFAULT_PORT = 9440;
/** How long `sandbox start` waits for the discovery document to answer. */
export const SANDBOX_START_TIMEOUT_MS = 15_000;
/** How long `sandbox stop` waits for the process to be gone. */
export const SANDBOX_STOP_TIMEOUT_MS = 10_000;
/** Exit code of dist/sandbox.js when its port is taken (SANDBOX_EXIT_PORT_IN_USE in packages/sandbox/src/main.ts). */
const EXIT_PORT_IN_USE = 3;

/** A client registered at the sandbox; `clientSecret` absent for the public one. */
export interface SandboxStateClient { clientId: string; clientSecret?: string }

/** `$OPPERATOR_HOME/state/sandbox.json` (mode 0600): kept after `stop` so client secrets stay the same. */
export interface SandboxState {
  pid?: number;
  issuer?: string;
  port?: number;
  logPath?: string;
  clients: SandboxStateClient[];
}

function statePaths(): { statePath: string; logPath: string } {
  const { home } = readConfig();
  return { statePath: join(home, 'state', 'sandbox.json'), logPath: join(home, 'state', 'sandbox.log') };
}

function readState(statePath: string): SandboxState | undefined {
  if (!existsSync(statePath)) return undefined;
  try {
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as SandboxState;
    return Array.isArray(state.clients) ? state : undefined;
  } catch {
    return undefined; // a damaged file is replaced with fresh clients
  }
}

function writeState(statePath: string, state: SandboxState): void {
  mkdirSync(dirname(statePath), { recursive: true, mode: 0o700 });
  writeFileSync(statePath, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(statePath, 0o600); // writeFileSync's mode applies only when it creates the file
}

/** Generated once per OPPERATOR_HOME, so agents' stored secrets keep working across restarts. */
function newClients(): SandboxStateClient[] {
  return [{ clientId: 'opperator-demo', clientSecret: `sandbox-secret-${randomBytes(16).toString('hex')}` }, { clientId: 'opperator-demo-public' }];
}

/** The bundled sandbox entry next to the CLI bundle (this module may sit in dist/ or dist/chunks/). */
function sandboxScript(): string {
  for (const candidate of ['./sandbox.js', '../sandbox.js']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('The sandbox bundle is missing next to the CLI; run `npm run build`.');
}

/** The recorded sandbox when its process is alive and its discovery document names the recorded issuer. */
async function running(state: SandboxState | undefined): Promise<(SandboxState & { pid: number; issuer: string; port: number }) | undefined> {
  if (!state?.pid || !state.issuer || !state.port || !isAlive(state.pid)) return undefined;
  return (await discoveryAnswers(state.issuer)) ? { ...state, pid: state.pid, issuer: state.issuer, port: state.port } : undefined;
}

async function discoveryAnswers(issuer: string): Promise<boolean> {
  try {
    const res = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(2000) });
    return res.ok && ((await res.json()) as { issuer?: string }).issuer === issuer;
  } catch {
    return false;
  }
}

/** Parses `--access-token-ttl`: seconds, or a number with s, m or h. */
export function parseTtl(value: string): number {
  const match = /^(\d+)\s*([smh]?)$/.exec(value.trim());
  const seconds = match ? Number(match[1]) * ({ '': 1, s: 1, m: 60, h: 3600 } as const)[match[2] as '' | 's' | 'm' | 'h'] : 0;
  if (!seconds) throw new CliError('usage', `--access-token-ttl ${JSON.stringify(value)} is not a duration: use seconds (90) or 30s, 5m, 1h.`);
  return seconds;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return SANDBOX_DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new CliError('usage', `--port ${JSON.stringify(value)} is not a port number (1-65535).`);
  return port;
}

/** `opperator sandbox start [--port N] [--access-token-ttl D]`. */
export async function sandboxStart(options: { port?: string; accessTokenTtl?: string }): Promise<void> {
  const port = parsePort(options.port);
  const accessTokenTtlSeconds = options.accessTokenTtl === undefined ? undefined : parseTtl(options.accessTokenTtl);
  const { statePath, logPath } = statePaths();
  const previous = readState(statePath);
  const already = await running(previous);
  if (already) {
    process.stdout.write(`The sandbox is already running (pid ${already.pid}).\n${describe(already)}`);
    return;
  }
  const clients = previous?.clients.length ? previous.clients : newClients();
  // Recorded before the process starts: the secrets must survive even a failed start.
  writeState(statePath, { clients });
  const issuer = `http://127.0.0.1:${port}`;
  if (await portAnswers(port)) throw portInUse(port);
  const pid = await spawnAndWait(port, issuer, logPath, { port, clients, ...(accessTokenTtlSeconds ? { accessTokenTtlSeconds } : {}) });
  const state = { pid, issuer, port, logPath, clients };
  writeState(statePath, state);
  process.stdout.write(`Sandbox started (pid ${pid}). Logs: ${logPath}\n${describe(state)}`);
}

async function spawnAndWait(port: number, issuer: string, logPath: string, config: object): Promise<number> {
  mkdirSync(dirname(logPath), { recursive: true, mode: 0o700 });
  const logFd = openSync(logPath, 'a', 0o600);
  const child = spawn(process.execPath, [sandboxScript()], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: childEnvironment({ OPPERATOR_SANDBOX_CONFIG: JSON.stringify(config) }),
  });
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const deadline = Date.now() + SANDBOX_START_TIMEOUT_MS;
  while (Date.now() < deadline && exited === undefined) {
    // Checking the child too: another server already on the port could answer discovery.
    if ((await discoveryAnswers(issuer)) && exited === undefined && child.pid) {
      child.unref();
      return child.pid;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (exited === EXIT_PORT_IN_USE) {
    throw portInUse(port);
  }
  if (exited === undefined) child.kill();
  const tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-10).join('\n');
  throw new CliError('failure', `The sandbox did not start${exited === undefined ? ` within ${SANDBOX_START_TIMEOUT_MS / 1000} s` : ` (exit code ${exited})`}. Last lines of ${logPath}:\n${tail}`);
}

function portInUse(port: number): CliError {
  return new CliError('unavailable', `Port ${port} on 127.0.0.1 is already in use. Stop what uses it, or choose another port: opperator sandbox start --port <N>`);
}

/** Whether something already accepts connections on the port: its discovery answer must not be mistaken for ours. */
function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** What an agent author needs: where things are and the exact commands to store the credentials. */
function describe(state: SandboxState & { issuer: string }): string {
  const lines = [`Issuer:   ${state.issuer}`, `Demo API: ${state.issuer}/gmail/v1 (GET users/me/profile, users/me/messages?q=is:unread; scope "email")`, 'Sign in with any user name and password.', 'Clients:'];
  for (const client of state.clients) {
    lines.push(client.clientSecret ? `  ${client.clientId}  (confidential)  secret: ${client.clientSecret}` : `  ${client.clientId}  (public, PKCE only)`);
  }
  // providers.sandbox names the default port; elsewhere agents give the issuer URL instead.
  if (state.port !== undefined && state.port !== SANDBOX_DEFAULT_PORT) lines.push(`Not the default port: in agents use provider: '${state.issuer}' instead of 'sandbox'.`);
  const confidential = state.clients.find((c) => c.clientSecret);
  if (confidential) {
    lines.push('Store them for an agent (useOAuth({ provider: \'sandbox\', clientIdSecret: \'sandbox_client_id\', clientSecretSecret: \'sandbox_client_secret\' })):');
    lines.push(`  opperator secret set sandbox_client_id ${confidential.clientId}`, `  opperator secret set sandbox_client_secret ${confidential.clientSecret}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `opperator sandbox stop`. */
export async function sandboxStop(): Promise<void> {
  const { statePath } = statePaths();
  const state = readState(statePath);
  const current = await running(state);
  if (!state || !current) {
    process.stdout.write('The sandbox is not running.\n');
    return;
  }
  process.kill(current.pid, 'SIGTERM');
  if (await waitForExit(current.pid, SANDBOX_STOP_TIMEOUT_MS)) {
    // Keep the clients (stable secrets); forget the process.
    writeState(statePath, { clients: state.clients });
    process.stdout.write('Sandbox stopped.\n');
    return;
  }
  throw new CliError('failure', `The sandbox (pid ${current.pid}) is still running after ${SANDBOX_STOP_TIMEOUT_MS / 1000} s. Stop it with: kill ${current.pid}`);
}

/** `opperator sandbox status [--json]`; exits 5 when not running, like `daemon status`. */
export async function sandboxStatus(options: { json?: boolean }): Promise<void> {
  const current = await running(readState(statePaths().statePath));
  if (!current) throw new CliError('unavailable', 'The sandbox is not running. Start it: opperator sandbox start');
  if (options.json) {
    const body = { running: true, pid: current.pid, issuer: current.issuer, port: current.port, demoApiUrl: `${current.issuer}/gmail/v1`, clients: current.clients };
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  } else {
    process.stdout.write(`The sandbox is running (pid ${current.pid}).\n${describe(current)}`);
  }
}
