import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../cli-error.js';
import { childEnvironment } from '../config.js';
import { waitForExit } from '../process-exit.js';
import {
  discoveryAnswers,
  newAdminToken,
  newSandboxClients,
  readSandboxState,
  runningSandbox,
  sandboxPaths,
  writeSandboxState,
  type SandboxState,
} from './sandbox-state.js';

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

/** The bundled sandbox entry next to the CLI bundle (this module may sit in dist/ or dist/chunks/). */
function sandboxScript(): string {
  for (const candidate of ['./sandbox.js', '../sandbox.js']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('The sandbox bundle is missing next to the CLI; run `npm run build`.');
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
  const { statePath, logPath, storePath } = sandboxPaths();
  const previous = readSandboxState(statePath);
  const already = await runningSandbox(previous);
  if (already) {
    process.stdout.write(`The sandbox is already running (pid ${already.pid}).\n${describe(already, true)}`);
    return;
  }
  const clients = previous?.clients.length ? previous.clients : newSandboxClients();
  const adminToken = previous?.adminToken ?? newAdminToken();
  // Recorded before the process starts: the secrets must survive even a failed start.
  writeSandboxState(statePath, { clients, adminToken });
  const issuer = `http://127.0.0.1:${port}`;
  if (await portAnswers(port)) throw portInUse(port);
  // The store keeps sessions, grants, tokens and keys: agents stay signed in across stop and start.
  const config = { port, clients, adminToken, stateFile: storePath, ...(accessTokenTtlSeconds ? { accessTokenTtlSeconds } : {}) };
  const pid = await spawnAndWait(port, issuer, logPath, config);
  const state = { pid, issuer, port, logPath, clients, adminToken };
  writeSandboxState(statePath, state);
  process.stdout.write(`Sandbox started (pid ${pid}). Logs: ${logPath}\n${describe(state, true)}`);
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

/**
 * What an agent author needs: where things are and, with `showSecrets`, the
 * exact commands to store the credentials (start prints them; status only
 * when asked, since its output ends up in logs and bug reports).
 */
function describe(state: SandboxState & { issuer: string }, showSecrets: boolean): string {
  const lines = [
    `Issuer:   ${state.issuer}`,
    `Demo API: ${state.issuer}/gmail/v1 (GET users/me/profile, users/me/messages?q=is:unread; scope "email")`,
    `GitHub-shaped API: ${state.issuer}/github (GET user; notifications with scope "notifications")`,
    'Sign in with any user name (the password is not checked). Revoke grants: opperator sandbox revoke',
    'Clients:',
  ];
  for (const client of state.clients) {
    const secret = showSecrets ? client.clientSecret : '(hidden; opperator sandbox status --show-secrets)';
    lines.push(client.clientSecret ? `  ${client.clientId}  (confidential)  secret: ${secret}` : `  ${client.clientId}  (public, PKCE only)`);
  }
  // providers.sandbox names the default port; elsewhere agents give the issuer URL instead.
  if (state.port !== undefined && state.port !== SANDBOX_DEFAULT_PORT) lines.push(`Not the default port: in agents use provider: '${state.issuer}' instead of 'sandbox'.`);
  const confidential = state.clients.find((c) => c.clientSecret);
  if (confidential && showSecrets) {
    // Secret names are the agent's own (its agents.yaml `secrets:`); the value goes through the prompt, not argv.
    lines.push('Store them under the secret names your agent reads (`agent bootstrap NAME --template oauth --provider sandbox` prints them):');
    lines.push(`  opperator secret set <agent>_sandbox_client_id ${confidential.clientId}`, `  opperator secret set <agent>_sandbox_client_secret      # asks for the value: ${confidential.clientSecret}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `opperator sandbox stop`. */
export async function sandboxStop(): Promise<void> {
  const { statePath } = sandboxPaths();
  const state = readSandboxState(statePath);
  const current = await runningSandbox(state);
  if (!state || !current) {
    process.stdout.write('The sandbox is not running.\n');
    return;
  }
  process.kill(current.pid, 'SIGTERM');
  if (await waitForExit(current.pid, SANDBOX_STOP_TIMEOUT_MS)) {
    // Keep the clients (stable secrets) and the admin token; forget the process.
    writeSandboxState(statePath, { clients: state.clients, ...(state.adminToken ? { adminToken: state.adminToken } : {}) });
    process.stdout.write('Sandbox stopped.\n');
    return;
  }
  throw new CliError('failure', `The sandbox (pid ${current.pid}) is still running after ${SANDBOX_STOP_TIMEOUT_MS / 1000} s. Stop it with: kill ${current.pid}`);
}

/**
 * `opperator sandbox status [--json] [--show-secrets]`; exits 5 when not
 * running, like `daemon status`. Client secrets only with `--show-secrets`.
 */
export async function sandboxStatus(options: { json?: boolean; showSecrets?: boolean }): Promise<void> {
  const current = await runningSandbox(readSandboxState(sandboxPaths().statePath));
  if (!current) throw new CliError('unavailable', 'The sandbox is not running. Start it: opperator sandbox start');
  const showSecrets = options.showSecrets === true;
  if (options.json) {
    const clients = current.clients.map((client) => (showSecrets ? client : { clientId: client.clientId, confidential: client.clientSecret !== undefined }));
    const body = {
      running: true,
      pid: current.pid,
      issuer: current.issuer,
      port: current.port,
      demoApiUrl: `${current.issuer}/gmail/v1`,
      githubApiUrl: `${current.issuer}/github`,
      clients,
    };
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  } else {
    process.stdout.write(`The sandbox is running (pid ${current.pid}).\n${describe(current, showSecrets)}`);
  }
}
