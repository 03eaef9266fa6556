import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { oldHomePending } from '@opperator/protocol';
import { readConfig } from '../config.js';
import { isAlive } from '../process-exit.js';

/** A client registered at the sandbox; `clientSecret` absent for the public one. */
export interface SandboxStateClient { clientId: string; clientSecret?: string }

/**
 * `sandbox.json` in the state directory (mode 0600): kept after `stop` so
 * client secrets and the admin token stay the same.
 */
export interface SandboxState {
  pid?: number;
  issuer?: string;
  port?: number;
  logPath?: string;
  clients: SandboxStateClient[];
  /** Bearer token of the sandbox's admin API (`sandbox revoke`); absent in files from before it existed. */
  adminToken?: string;
  /** Providers the running sandbox emulates (`sandbox start --emulate`); absent when none. */
  emulate?: string[];
  /** The GitHub App registered at the GitHub emulator (its client id starts with `Iv`), kept so its secret stays the same. */
  githubAppClient?: SandboxStateClient;
}

/** A recorded sandbox whose process is alive and answers. */
export type RunningSandbox = SandboxState & { pid: number; issuer: string; port: number };

/**
 * Where the sandbox keeps its files: the CLI's record (`sandbox.json`), the
 * server's log, and the server's own state (sessions, grants, tokens, keys:
 * `sandbox-store.json`), all in the state directory (`HomeLayout.state`).
 *
 * @example
 * ```ts
 * const { statePath } = sandboxPaths();
 * ```
 */
export function sandboxPaths(): { statePath: string; logPath: string; storePath: string } {
  const { layout } = readConfig();
  // Until an old single-folder home has moved, a sandbox it started is recorded there: `sandbox stop` must find it (see home-move.ts).
  const old = join(layout.config, 'state');
  const dir = oldHomePending(layout) && existsSync(join(old, 'sandbox.json')) ? old : layout.state;
  return { statePath: join(dir, 'sandbox.json'), logPath: join(dir, 'sandbox.log'), storePath: join(dir, 'sandbox-store.json') };
}

/**
 * The CLI's record of the sandbox, or undefined when absent or unreadable.
 *
 * @example
 * ```ts
 * const state = readSandboxState(sandboxPaths().statePath);
 * ```
 */
export function readSandboxState(statePath: string): SandboxState | undefined {
  if (!existsSync(statePath)) return undefined;
  try {
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as SandboxState;
    return Array.isArray(state.clients) ? state : undefined;
  } catch {
    return undefined; // a damaged file is replaced with fresh clients
  }
}

/**
 * Writes the record, mode 0600 in a 0700 directory: it holds client secrets and the admin token.
 *
 * @example
 * ```ts
 * writeSandboxState(statePath, { clients, adminToken });
 * ```
 */
export function writeSandboxState(statePath: string, state: SandboxState): void {
  mkdirSync(dirname(statePath), { recursive: true, mode: 0o700 });
  writeFileSync(statePath, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(statePath, 0o600); // writeFileSync's mode applies only when it creates the file
}

/**
 * Generated once per OPPERATOR_HOME, so agents' stored secrets keep working across restarts.
 *
 * @example
 * ```ts
 * const clients = previous?.clients.length ? previous.clients : newSandboxClients();
 * ```
 */
export function newSandboxClients(): SandboxStateClient[] {
  return [{ clientId: 'opperator-demo', clientSecret: `sandbox-secret-${randomBytes(16).toString('hex')}` }, { clientId: 'opperator-demo-public' }];
}

/**
 * A GitHub App client for the GitHub emulator, generated once per
 * OPPERATOR_HOME: GitHub App client ids start with `Iv` (`Iv1.` and 16 hex
 * digits, as in GitHub's docs), secrets are 40 hex digits.
 *
 * @example
 * ```ts
 * const githubAppClient = previous?.githubAppClient ?? newGithubAppClient();
 * ```
 */
export function newGithubAppClient(): SandboxStateClient {
  return { clientId: `Iv1.${randomBytes(8).toString('hex')}`, clientSecret: randomBytes(20).toString('hex') };
}

/**
 * A fresh admin token for the sandbox's admin API.
 *
 * @example
 * ```ts
 * const adminToken = previous?.adminToken ?? newAdminToken();
 * ```
 */
export function newAdminToken(): string {
  return `sandbox-admin-${randomBytes(24).toString('base64url')}`;
}

/**
 * The recorded sandbox when its process is alive and its discovery document names the recorded issuer.
 *
 * @example
 * ```ts
 * const current = await runningSandbox(readSandboxState(statePath));
 * ```
 */
export async function runningSandbox(state: SandboxState | undefined): Promise<RunningSandbox | undefined> {
  if (!state?.pid || !state.issuer || !state.port || !isAlive(state.pid)) return undefined;
  return (await discoveryAnswers(state.issuer)) ? { ...state, pid: state.pid, issuer: state.issuer, port: state.port } : undefined;
}

/**
 * Whether `<issuer>/.well-known/openid-configuration` answers with that issuer.
 *
 * @example
 * ```ts
 * if (await discoveryAnswers('http://127.0.0.1:9440')) { ... }
 * ```
 */
export async function discoveryAnswers(issuer: string): Promise<boolean> {
  try {
    const res = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(2000) });
    return res.ok && ((await res.json()) as { issuer?: string }).issuer === issuer;
  } catch {
    return false;
  }
}
