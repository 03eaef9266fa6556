import { setTimeout as sleep } from 'node:timers/promises';
import { OAuthError } from './errors.js';
import type { StoredTokens } from './token-set.js';
import { refreshDueAt } from './token-timing.js';

/** How often keepFresh looks again when there is nothing to refresh (not signed in, re-authorization needed). */
export const KEEP_FRESH_IDLE_MS = 60_000;

/** After a failed refresh (retries exhausted), keepFresh tries again this much later. */
export const KEEP_FRESH_RETRY_MS = 30_000;

/** The longest wait keepFresh honours when a provider's `Retry-After` asks for one. */
export const KEEP_FRESH_MAX_RETRY_AFTER_MS = 3_600_000;

/** Upper bound of the random delay added after the refresh is due, so processes do not wake together. */
export const KEEP_FRESH_MAX_JITTER_MS = 30_000;

/** Longest single wait; timers cannot wait longer than about 24.8 days anyway. */
const MAX_WAIT_MS = 24 * 3_600_000;

/** What the keep-fresh loop needs from its client. */
export interface KeepFreshDependencies {
  now: () => number;
  skewMs: number;
  signal: AbortSignal;
  /** This client's stored tokens, or undefined. */
  load: () => Promise<StoredTokens | undefined>;
  /** Refreshes when due (getAccessToken). */
  ensureFresh: () => Promise<unknown>;
  /** Told about failures the loop survives. */
  onError: (err: unknown) => void;
  random?: () => number;
}

/**
 * Background refresh for long-running programs: sleeps until the tokens are
 * due (plus jitter, never past expiry), refreshes, and repeats until
 * `signal` aborts. Failures do not end the loop; it waits and looks again.
 */
export async function runKeepFresh(deps: KeepFreshDependencies): Promise<void> {
  const random = deps.random ?? Math.random;
  while (!deps.signal.aborted) {
    let waitMs = KEEP_FRESH_IDLE_MS;
    try {
      const tokens = await deps.load();
      const due = tokens && !tokens.reauthorizationRequired ? refreshDueAt(tokens, deps.skewMs) : undefined;
      if (tokens && due !== undefined) {
        const now = deps.now();
        if (now >= due) {
          await deps.ensureFresh();
          continue;
        }
        const slack = tokens.expiresAt === undefined ? KEEP_FRESH_MAX_JITTER_MS : Math.max(0, tokens.expiresAt - due) / 4;
        waitMs = due - now + random() * Math.min(KEEP_FRESH_MAX_JITTER_MS, slack);
      }
    } catch (err) {
      deps.onError(err);
      const asked = err instanceof OAuthError ? err.retryAfterMs : undefined;
      waitMs = Math.max(KEEP_FRESH_RETRY_MS, Math.min(asked ?? 0, KEEP_FRESH_MAX_RETRY_AFTER_MS));
    }
    if (!(await pause(Math.min(waitMs, MAX_WAIT_MS), deps.signal))) return;
  }
}

/** Waits; false when the signal aborted instead. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch (err) {
    if (signal.aborted) return false;
    throw err;
  }
}
