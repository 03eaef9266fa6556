import { SIGN_IN_SECTION_PREFIX, formatHumanTime, signInCommandNames, signInNames, signInStatusSchema, type ControlClient, type SignInStatus } from '@opperator/protocol';
import { CliError } from '../cli-error.js';
import { querySignIn } from './auth-targets.js';
import { printResult, withDaemon } from './with-daemon.js';

/** Where one sign-in stands, in the user's terms (the token's own state is `tokenState`). */
export type AuthState = 'signed-in' | 'signing-in' | 'not-signed-in' | 'sign-in-again' | 'credentials-missing' | 'error' | 'agent-not-running';

/** One row of `opperator auth status --json`: no token values, times in ISO 8601. */
export interface AuthStatusRow {
  agent: string;
  /** The `useOAuth` name (`authorize_<name>`). */
  name: string;
  status: AuthState;
  /** The agent's state when it is not running (its sign-ins are then known from the sections it last showed). */
  agentState?: string;
  provider?: string;
  /** True when the provider's requests go to a local emulator, not the real provider. */
  emulated?: boolean;
  emulator?: string;
  account?: string;
  tokenState?: SignInStatus['state'];
  expiresAt?: string;
  refreshDueAt?: string;
  refreshTokenExpiresAt?: string;
  hasRefreshToken?: boolean;
  scopes?: string[];
  missingScopes?: string[];
  credentials?: SignInStatus['credentials'];
  missingSecrets?: SignInStatus['missingSecrets'];
  /** Where the tokens are kept. */
  store?: string;
  reauthorizationReason?: string;
  problem?: string;
  warnings: string[];
  /** Where to finish a sign-in under way (device flow: the code to type). */
  signingIn?: { path: string; url: string; userCode?: string; expiresAt?: string };
  /** The command that fixes what needs attention, when something does. */
  next?: string;
}

/** States that need the user: `auth status` exits 5 (unavailable) when a sign-in is in one of them. */
const NEEDS_ATTENTION: ReadonlySet<AuthState> = new Set(['not-signed-in', 'sign-in-again', 'credentials-missing', 'error', 'agent-not-running']);

/**
 * `opperator auth status [AGENT] [--json]`: every sign-in of every agent (as
 * `gh auth status` lists hosts), asked of the running agents through their
 * hidden `oauth_status_<name>` commands. A stopped agent's sign-ins are named
 * from the auth sections it last showed. Exits 5 when one needs attention.
 */
export async function authStatus(options: { json?: boolean; agent?: string }): Promise<void> {
  const rows = await withDaemon((daemon) => collectAuthStatus(daemon, options.agent));
  printResult(rows, options.json, (all) => renderAuthStatus(all, Date.now()));
  if (rows.some((row) => NEEDS_ATTENTION.has(row.status))) process.exitCode = 5;
}

/** The rows of `auth status`, agents in agents.yaml order, sign-ins by name. */
export async function collectAuthStatus(daemon: ControlClient, only?: string): Promise<AuthStatusRow[]> {
  const agents = (await daemon.request('agent.list')).filter((agent) => only === undefined || agent.name === only);
  if (only !== undefined && agents.length === 0) throw new CliError('notFound', `No agent named ${only}. List them: opperator agent list`);
  const perAgent = await Promise.all(
    agents.map(async (agent): Promise<AuthStatusRow[]> => {
      if (agent.state !== 'running') {
        const sections = await daemon.request('agent.sections', { name: agent.name });
        return sections
          .filter((section) => section.id.startsWith(SIGN_IN_SECTION_PREFIX))
          .map((section) => ({ agent: agent.name, name: section.id.slice(SIGN_IN_SECTION_PREFIX.length), status: 'agent-not-running', agentState: agent.state, warnings: [], next: `opperator agent start ${agent.name}` }));
      }
      const names = signInNames(await daemon.request('agent.commands', { name: agent.name }));
      return Promise.all(
        names.map(async (name): Promise<AuthStatusRow> => {
          try {
            return toRow(agent.name, await querySignIn(daemon, agent.name, signInCommandNames(name).status, signInStatusSchema));
          } catch (err) {
            return { agent: agent.name, name, status: 'error', problem: err instanceof Error ? err.message : String(err), warnings: [], next: `opperator agent logs ${agent.name}` };
          }
        }),
      );
    }),
  );
  return perAgent.flat();
}

function toRow(agent: string, s: SignInStatus): AuthStatusRow {
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const status = authState(s);
  const row: AuthStatusRow = {
    agent,
    name: s.name,
    status,
    provider: s.provider,
    emulated: s.emulator !== undefined,
    ...(s.emulator === undefined ? {} : { emulator: s.emulator }),
    ...(s.account === undefined ? {} : { account: s.account }),
    tokenState: s.state,
    ...(s.expiresAt === undefined ? {} : { expiresAt: iso(s.expiresAt) }),
    ...(s.refreshDueAt === undefined ? {} : { refreshDueAt: iso(s.refreshDueAt) }),
    ...(s.refreshTokenExpiresAt === undefined ? {} : { refreshTokenExpiresAt: iso(s.refreshTokenExpiresAt) }),
    hasRefreshToken: s.hasRefreshToken,
    scopes: s.scopes,
    missingScopes: s.missingScopes,
    credentials: s.credentials,
    missingSecrets: s.missingSecrets,
    store: s.store,
    ...(s.reauthorizationReason === undefined ? {} : { reauthorizationReason: s.reauthorizationReason }),
    ...(s.problem === undefined ? {} : { problem: s.problem }),
    warnings: s.warnings,
    ...(s.signingIn ? { signingIn: { path: s.signingIn.path, url: s.signingIn.url, ...(s.signingIn.userCode === undefined ? {} : { userCode: s.signingIn.userCode }), ...(s.signingIn.expiresAt === undefined ? {} : { expiresAt: iso(s.signingIn.expiresAt) }) } } : {}),
  };
  const next = nextCommand(agent, s, status);
  return next === undefined ? row : { ...row, next };
}

/** The user's view of a sign-in: missing credentials first, since nothing works without them. */
function authState(s: SignInStatus): AuthState {
  if (s.signingIn) return 'signing-in';
  if (s.credentials === 'missing') return 'credentials-missing';
  if (s.state === 'reauthorization-required') return 'sign-in-again';
  if (s.state === 'not-authorized') return s.problem ? 'error' : 'not-signed-in';
  return 'signed-in';
}

function nextCommand(agent: string, s: SignInStatus, status: AuthState): string | undefined {
  switch (status) {
    case 'credentials-missing':
      return s.missingSecrets.map((secret) => (secret.reason === 'denied' ? `add ${secret.name} to the secrets: of ${agent} in agents.yaml, then opperator agent restart ${agent}` : `opperator secret set ${secret.name}`)).join('; ');
    case 'not-signed-in':
    case 'sign-in-again':
      return `opperator auth login ${agent} ${s.name}`;
    case 'error':
      return `opperator agent logs ${agent}`;
    case 'signed-in':
      return s.missingScopes.length > 0 ? `opperator auth refresh ${agent} ${s.name} --scopes "${s.missingScopes.join(' ')}"` : undefined;
    default:
      return undefined;
  }
}

const MARK: Record<AuthState, string> = { 'signed-in': '✓', 'signing-in': '…', 'not-signed-in': '✗', 'sign-in-again': '✗', 'credentials-missing': '✗', error: '✗', 'agent-not-running': '-' };

const HEADLINE: Record<AuthState, string> = {
  'signed-in': 'signed in',
  'signing-in': 'signing in now',
  'not-signed-in': 'not signed in',
  'sign-in-again': 'must sign in again',
  'credentials-missing': 'client credentials missing',
  error: 'status unknown',
  'agent-not-running': 'unknown while the agent is not running',
};

/** The human form of `auth status`, grouped by agent like `gh auth status` groups by host. */
export function renderAuthStatus(rows: readonly AuthStatusRow[], now: number): string {
  if (rows.length === 0) return 'No sign-ins. An agent signs in with this.useOAuth(); create one: opperator agent bootstrap NAME --template oauth';
  const lines: string[] = [];
  let agent: string | undefined;
  for (const row of rows) {
    if (row.agent !== agent) {
      agent = row.agent;
      lines.push(`${row.agent}${row.agentState ? ` (agent ${row.agentState})` : ''}`);
    }
    const provider = row.provider ? ` to ${row.provider}${row.emulated ? ' (emulated)' : ''}` : '';
    const account = row.account ? ` as ${row.account}` : '';
    lines.push(`  ${MARK[row.status]} ${row.name}: ${HEADLINE[row.status]}${row.status === 'signed-in' ? `${provider}${account}` : ''}`);
    lines.push(...detailLines(row, now).map((line) => `    - ${line}`));
  }
  return lines.join('\n');
}

function detailLines(row: AuthStatusRow, now: number): string[] {
  const details: string[] = [];
  if (row.status !== 'signed-in' && row.provider) details.push(`Provider: ${row.provider}${row.emulated ? ` (emulated at ${row.emulator})` : ''}`);
  if (row.status === 'signed-in' && row.emulated) details.push(`Emulated at ${row.emulator}`);
  if (row.signingIn) details.push(row.signingIn.userCode ? `Open ${row.signingIn.url} and enter the code ${row.signingIn.userCode}` : `Waiting for the ${row.signingIn.path === 'paste' ? 'pasted address' : 'browser'} (the page is in the sign-in task)`);
  if (row.expiresAt) details.push(`Access token ${Date.parse(row.expiresAt) > now ? 'valid until' : 'expired at'} ${when(row.expiresAt, now)}${row.refreshDueAt && row.hasRefreshToken ? `, refreshed by itself from ${when(row.refreshDueAt, now)}` : ''}`);
  if (row.hasRefreshToken === false && row.status === 'signed-in') details.push('No refresh token: sign in again when the access token expires');
  if (row.refreshTokenExpiresAt) details.push(`Refresh token valid until ${when(row.refreshTokenExpiresAt, now)}`);
  if (row.scopes && row.scopes.length > 0) details.push(`Scopes: ${row.scopes.join(' ')}`);
  if (row.missingScopes && row.missingScopes.length > 0) details.push(`Not granted: ${row.missingScopes.join(' ')}`);
  if (row.reauthorizationReason) details.push(`Why: ${row.reauthorizationReason}`);
  if (row.problem) details.push(`Problem: ${row.problem}`);
  for (const warning of row.warnings) details.push(`Warning: ${warning}`);
  if (row.store && row.status !== 'agent-not-running') details.push(`Tokens: ${row.store}`);
  if (row.next) details.push(`Next: ${row.next}`);
  return details;
}

/** An ISO time in the one human time format (`formatHumanTime`). */
function when(iso: string, now: number): string {
  return formatHumanTime(Date.parse(iso), { now });
}
