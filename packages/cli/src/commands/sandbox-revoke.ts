import { CliError } from '../cli-error.js';
import { readSandboxState, runningSandbox, sandboxPaths } from './sandbox-state.js';

/** How long `sandbox revoke` waits for the sandbox to answer. */
export const SANDBOX_REVOKE_TIMEOUT_MS = 10_000;

/**
 * `opperator sandbox revoke [--account NAME] [--json]`: revokes grants at the
 * running sandbox, as a user removing an app on a provider's "connected
 * apps" page would, so agents' refresh tokens stop working. Exits 5 when the
 * sandbox is not running.
 *
 * @example
 * ```ts
 * await sandboxRevoke({ account: 'alice' }); // Revoked 1 grant at the sandbox; ...
 * ```
 */
export async function sandboxRevoke(options: { account?: string; json?: boolean }): Promise<void> {
  if (options.account !== undefined && !options.account.trim()) throw new CliError('usage', '--account needs a user name (the name used to sign in at the sandbox).');
  const current = await runningSandbox(readSandboxState(sandboxPaths().statePath));
  if (!current) throw new CliError('unavailable', 'The sandbox is not running. Start it: opperator sandbox start');
  if (!current.adminToken) {
    throw new CliError('unavailable', 'The running sandbox was started before `sandbox revoke` existed. Restart it: opperator sandbox stop && opperator sandbox start');
  }
  let res: Response;
  try {
    res = await fetch(`${current.issuer}/sandbox/revoke-grants`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${current.adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(options.account === undefined ? {} : { account: options.account }),
      signal: AbortSignal.timeout(SANDBOX_REVOKE_TIMEOUT_MS),
    });
  } catch (err) {
    throw new CliError('unavailable', `The sandbox at ${current.issuer} did not answer. Check it: opperator sandbox status`, { cause: err });
  }
  const body = (await res.json().catch(() => ({}))) as { revoked?: unknown; error_description?: unknown };
  if (!res.ok || typeof body.revoked !== 'number') {
    throw new CliError('failure', `The sandbox refused to revoke grants (HTTP ${res.status}${body.error_description ? `: ${JSON.stringify(body.error_description)}` : ''}). Restart it: opperator sandbox stop && opperator sandbox start`);
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ revoked: body.revoked, ...(options.account !== undefined ? { account: options.account } : {}) })}\n`);
    return;
  }
  const whose = options.account === undefined ? '' : ` of ${JSON.stringify(options.account)}`;
  process.stdout.write(
    body.revoked === 0
      ? `No grants${whose} to revoke at the sandbox.\n`
      : `Revoked ${body.revoked} grant${body.revoked === 1 ? '' : 's'}${whose} at the sandbox; agents signed in there must run their authorize command again.\n`,
  );
}
