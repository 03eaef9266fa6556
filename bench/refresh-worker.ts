/**
 * Bench fixture: one "agent process" of the 8-process rotation benchmark
 * (rotation-processes.ts). Prints `ready`, waits for `go` on stdin, calls
 * getAccessToken() in a loop for `durationMs`, then prints a JSON
 * {@link WorkerReport} as its last stdout line.
 *
 *   node --import tsx bench/refresh-worker.ts ours|google '<WorkerConfig JSON>'
 *
 * `ours`: OAuthClient + FileTokenStore on the shared token file.
 * `google`: google-auth-library sharing a token file naively: reads it at
 * start, writes every new token set back on the 'tokens' event, and re-reads
 * it when its own refresh fails with invalid_grant.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { OAuth2Client, type Credentials } from 'google-auth-library';
import { FileTokenStore, OAuthClient, isOAuthError, type OAuthProvider } from '@opperator/oauth';

/** What the parent passes as the second argument (JSON). */
export interface WorkerConfig {
  /** Provider whose token endpoint is the counting proxy (ours). */
  provider: OAuthProvider;
  clientId: string;
  /** The proxy's token URL (google-auth-library). */
  tokenUrl: string;
  /** The shared token file: ours' format for `ours`, google-auth-library Credentials JSON for `google`. */
  tokenPath: string;
  durationMs: number;
  /** google-auth-library's eagerRefreshThresholdMillis. */
  eagerRefreshMs: number;
  lockStaleMs: number;
}

/** What a worker prints when done. */
export interface WorkerReport {
  /** getAccessToken() calls that returned a token. */
  served: number;
  /** Failed calls, by error code or message. */
  errors: string[];
  /** Fingerprints (not values) of the access tokens handed out. */
  tokens: string[];
  /** Refreshes that failed with invalid_grant, as this process saw them (google only). */
  invalidGrants: number;
  /** Of those, failures with a refresh token this very process had already redeemed (google only). */
  ownStaleRefreshToken: number;
  /** Times the process took newer tokens from the file after an invalid_grant (google only). */
  adoptedFromFile: number;
  /** The file could not be parsed when re-read (caught mid-write; google only). */
  tornReads: number;
  /** Ended with a dead refresh token and nothing newer in the file (google only). */
  signedOut: boolean;
}

const [mode, configJson] = process.argv.slice(2) as [string, string];
const config = JSON.parse(configJson) as WorkerConfig;
const report: WorkerReport = { served: 0, errors: [], tokens: [], invalidGrants: 0, ownStaleRefreshToken: 0, adoptedFromFile: 0, tornReads: 0, signedOut: false };
const seen = new Set<string>();
const fingerprint = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 12);
const pause = () => new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 15));

/** One pass of the worker's loop: a getAccessToken() call, or for a signed-out google worker a look at the file. */
let step: () => Promise<void>;
/** Fills in the last report fields. */
let finish: () => void = () => undefined;

if (mode === 'ours') {
  const client = new OAuthClient({ provider: config.provider, clientId: config.clientId, store: new FileTokenStore(config.tokenPath, { lockStaleMs: config.lockStaleMs }) });
  step = async () => {
    try {
      seen.add(fingerprint(await client.getAccessToken()));
      report.served += 1;
    } catch (err) {
      report.errors.push(isOAuthError(err) ? err.code : String(err));
    }
  };
} else if (mode === 'google') {
  const readShared = (): Credentials | undefined => {
    try {
      return JSON.parse(readFileSync(config.tokenPath, 'utf8')) as Credentials;
    } catch {
      report.tornReads += 1;
      return undefined;
    }
  };
  const client = new OAuth2Client({ clientId: config.clientId, endpoints: { oauth2TokenUrl: config.tokenUrl }, eagerRefreshThresholdMillis: config.eagerRefreshMs });
  client.setCredentials(readShared() ?? {});
  const redeemed = new Set<string>();
  client.on('tokens', (tokens) => {
    // Synchronously: right after this event the library replaces
    // tokens.refresh_token with the refresh token it just redeemed.
    const used = client.credentials.refresh_token ?? undefined;
    if (used) redeemed.add(used);
    const next: Credentials = { access_token: tokens.access_token, refresh_token: tokens.refresh_token ?? used ?? null, expiry_date: tokens.expiry_date, token_type: tokens.token_type };
    writeFileSync(config.tokenPath, JSON.stringify(next));
  });
  let dead: string | undefined;
  step = async () => {
    if (dead !== undefined) {
      // Signed out: only a newer refresh token in the file helps, so poll the file and send nothing.
      const shared = readShared();
      if (shared?.refresh_token && shared.refresh_token !== dead) {
        client.setCredentials(shared);
        report.adoptedFromFile += 1;
        dead = undefined;
      }
      return;
    }
    const using = client.credentials.refresh_token ?? '';
    try {
      const { token } = await client.getAccessToken();
      if (token) seen.add(fingerprint(token));
      report.served += 1;
    } catch (err) {
      if (!isInvalidGrant(err)) {
        report.errors.push(err instanceof Error ? err.message : String(err));
        return;
      }
      report.invalidGrants += 1;
      if (redeemed.has(using)) report.ownStaleRefreshToken += 1;
      const shared = readShared();
      if (shared?.refresh_token && shared.refresh_token !== using) {
        client.setCredentials(shared);
        report.adoptedFromFile += 1;
      } else {
        dead = using;
      }
    }
  };
  finish = () => {
    report.signedOut = dead !== undefined;
  };
} else {
  throw new Error(`unknown mode ${JSON.stringify(mode)}; use ours or google`);
}

// Start only on the parent's word, so all 8 processes meet the first expiry together.
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
const go = await new Promise<boolean>((resolve) => {
  lines.once('line', (line) => resolve(line.trim() === 'go'));
  // The parent is gone: do nothing, exit.
  lines.once('close', () => resolve(false));
});
lines.close();
if (go) {
  const end = Date.now() + config.durationMs;
  while (Date.now() < end) {
    await step();
    await pause();
  }
}
report.tokens = [...seen];
finish();
process.stdout.write(`${JSON.stringify(report)}\n`);

/** gaxios' error for an OAuth error answer: `response.data.error` is the OAuth error code. */
function isInvalidGrant(err: unknown): boolean {
  const response = typeof err === 'object' && err !== null && 'response' in err ? (err as { response?: { data?: { error?: unknown } } }).response : undefined;
  return response?.data?.error === 'invalid_grant';
}
