import { CliError } from '../cli-error.js';
import { waitForExit } from '../process-exit.js';
import { portAnswers, portInUse, SANDBOX_STOP_TIMEOUT_MS, startSandboxProcess } from './sandbox-process.js';
import {
  newAdminToken,
  newGithubAppClient,
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
/** How long `sandbox start` / `status` wait for the sandbox to list its emulators. */
export const SANDBOX_EMULATORS_TIMEOUT_MS = 2_000;

/**
 * The providers `--emulate` accepts: the names of `EMULATED_PROVIDERS` in
 * @opperator/sandbox, repeated so this chunk does not load oidc-provider
 * (packages/cli/test/sandbox-emulate.e2e.test.ts checks they agree).
 */
export const SANDBOX_EMULATED_PROVIDERS = ['github', 'google', 'microsoft'] as const;

/**
 * Parses `--emulate github,google,microsoft`: names are case-insensitive,
 * duplicates dropped; an unknown or missing name is a usage error (exit 2)
 * naming the valid ones.
 *
 * @example
 * ```ts
 * parseEmulate('GitHub, google'); // ['github', 'google']
 * ```
 */
export function parseEmulate(value: string): string[] {
  const names = [...new Set(value.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean))];
  const unknown = names.filter((name) => !(SANDBOX_EMULATED_PROVIDERS as readonly string[]).includes(name));
  if (unknown.length || !names.length) {
    const what = unknown.length ? `${unknown.map((name) => JSON.stringify(name)).join(', ')} cannot be emulated` : 'name at least one provider';
    throw new CliError('usage', `--emulate ${JSON.stringify(value)}: ${what}. Valid providers: ${SANDBOX_EMULATED_PROVIDERS.join(', ')} (comma-separated, e.g. --emulate github,google,microsoft).`);
  }
  return names;
}

/** Each emulated provider's real hosts and where the sandbox serves them. */
type EmulatedBaseUrls = Record<string, Record<string, string>>;

/**
 * Asks the running sandbox which providers it emulates and where
 * (`GET <issuer>/sandbox/emulators`, admin token); undefined when it cannot tell.
 */
async function fetchEmulated(state: SandboxState & { issuer: string }): Promise<EmulatedBaseUrls | undefined> {
  if (!state.adminToken || !state.emulate?.length) return state.emulate?.length ? undefined : {};
  try {
    const res = await fetch(`${state.issuer}/sandbox/emulators`, { headers: { Authorization: `Bearer ${state.adminToken}` }, signal: AbortSignal.timeout(SANDBOX_EMULATORS_TIMEOUT_MS) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { emulators?: EmulatedBaseUrls };
    return body.emulators;
  } catch (err) {
    // Status still prints what it knows: the names recorded at start.
    void err;
    return undefined;
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

/**
 * `opperator sandbox start [--port N] [--access-token-ttl D] [--emulate github,google,microsoft]`.
 * With `--emulate`, the sandbox also serves emulators of those providers
 * under `<issuer>/emulate/<host>/` (default: none).
 */
export async function sandboxStart(options: { port?: string; accessTokenTtl?: string; emulate?: string }): Promise<void> {
  const port = parsePort(options.port);
  const accessTokenTtlSeconds = options.accessTokenTtl === undefined ? undefined : parseTtl(options.accessTokenTtl);
  const emulate = options.emulate === undefined ? [] : parseEmulate(options.emulate);
  const { statePath, logPath, storePath } = sandboxPaths();
  const previous = readSandboxState(statePath);
  const already = await runningSandbox(previous);
  if (already) {
    const running = already.emulate ?? [];
    const differs = emulate.length > 0 && (emulate.length !== running.length || emulate.some((name) => !running.includes(name)));
    const note = differs ? `It emulates ${running.length ? running.join(', ') : 'nothing'}; to emulate ${emulate.join(', ')}: opperator sandbox stop && opperator sandbox start --emulate ${emulate.join(',')}\n` : '';
    process.stdout.write(`The sandbox is already running (pid ${already.pid}).\n${note}${describe(already, true, await fetchEmulated(already))}`);
    return;
  }
  const clients = previous?.clients.length ? previous.clients : newSandboxClients();
  const adminToken = previous?.adminToken ?? newAdminToken();
  // One GitHub App per OPPERATOR_HOME, made when GitHub is first emulated: agents keep its secret across restarts.
  const githubAppClient = previous?.githubAppClient ?? (emulate.includes('github') ? newGithubAppClient() : undefined);
  const kept = { clients, adminToken, ...(githubAppClient ? { githubAppClient } : {}) };
  // Recorded before the process starts: the secrets must survive even a failed start.
  writeSandboxState(statePath, kept);
  const issuer = `http://127.0.0.1:${port}`;
  if (await portAnswers(port)) throw portInUse(port);
  // The store keeps sessions, grants, tokens and keys: agents stay signed in across stop and start.
  const config = {
    port,
    clients,
    adminToken,
    stateFile: storePath,
    ...(accessTokenTtlSeconds ? { accessTokenTtlSeconds } : {}),
    ...(emulate.length ? { emulate } : {}),
    ...(githubAppClient && emulate.includes('github') ? { githubAppClient } : {}),
  };
  const pid = await startSandboxProcess(port, issuer, logPath, config);
  const state = { pid, issuer, port, logPath, ...kept, ...(emulate.length ? { emulate } : {}) };
  writeSandboxState(statePath, state);
  process.stdout.write(`Sandbox started (pid ${pid}). Logs: ${logPath}\n${describe(state, true, await fetchEmulated(state))}`);
}

/**
 * What an agent author needs: where things are and, with `showSecrets`, the
 * exact commands to store the credentials (start prints them; status only
 * when asked, since its output ends up in logs and bug reports).
 */
function describe(state: SandboxState & { issuer: string }, showSecrets: boolean, emulated?: EmulatedBaseUrls): string {
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
  lines.push(...describeEmulators(state, showSecrets, emulated));
  const confidential = state.clients.find((c) => c.clientSecret);
  if (confidential && showSecrets) {
    // Secret names are the agent's own (its agents.yaml `secrets:`); the value goes through the prompt, not argv.
    lines.push('Store them under the secret names your agent reads (`agent bootstrap NAME --template oauth --provider sandbox` prints them):');
    lines.push(`  opperator secret set <agent>_sandbox_client_id ${confidential.clientId}`, `  opperator secret set <agent>_sandbox_client_secret      # asks for the value: ${confidential.clientSecret}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The "Emulated providers" lines of {@link describe}: each provider's hosts and where they are served, and the GitHub App. */
function describeEmulators(state: SandboxState & { issuer: string }, showSecrets: boolean, emulated: EmulatedBaseUrls | undefined): string[] {
  const names = state.emulate ?? [];
  if (!names.length) return [];
  const lines = [`Emulated providers (the real https://HOST/PATH is served at ${state.issuer}/emulate/HOST/PATH; same clients as above):`];
  for (const name of names) {
    const hosts = emulated?.[name];
    lines.push(`  ${name}: ${hosts ? Object.entries(hosts).map(([host, url]) => `${host} at ${url}`).join(', ') : `${state.issuer}/emulate/`}`);
  }
  if (names.includes('github') && state.githubAppClient) {
    const secret = showSecrets ? state.githubAppClient.clientSecret : '(hidden; opperator sandbox status --show-secrets)';
    lines.push(`  GitHub App (GitHub emulator only): ${state.githubAppClient.clientId}  secret: ${secret}`);
  }
  lines.push(`To run an agent against them, add to its entry in agents.yaml: env: { OPPERATOR_EMULATE: "${state.issuer}" }  (then opperator agent restart NAME)`);
  return lines;
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
    // Keep the clients (stable secrets), the GitHub App and the admin token; forget the process.
    writeSandboxState(statePath, { clients: state.clients, ...(state.adminToken ? { adminToken: state.adminToken } : {}), ...(state.githubAppClient ? { githubAppClient: state.githubAppClient } : {}) });
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
  const emulated = await fetchEmulated(current);
  if (options.json) {
    const clients = current.clients.map((client) => (showSecrets ? client : { clientId: client.clientId, confidential: client.clientSecret !== undefined }));
    const app = current.emulate?.includes('github') ? current.githubAppClient : undefined;
    const body = {
      running: true,
      pid: current.pid,
      issuer: current.issuer,
      port: current.port,
      demoApiUrl: `${current.issuer}/gmail/v1`,
      githubApiUrl: `${current.issuer}/github`,
      clients,
      // Provider → { real host → emulated base URL }; {} when nothing is emulated.
      emulated: emulated ?? Object.fromEntries((current.emulate ?? []).map((name) => [name, {}])),
      ...(app ? { githubAppClient: showSecrets ? app : { clientId: app.clientId, confidential: true } } : {}),
    };
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  } else {
    process.stdout.write(`The sandbox is running (pid ${current.pid}).\n${describe(current, showSecrets, emulated)}`);
  }
}
