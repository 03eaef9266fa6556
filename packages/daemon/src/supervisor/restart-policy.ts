import { SupervisorError } from './supervisor-error.js';

/**
 * When and how fast an agent that exited on its own is started again.
 *
 * Budget: at most `maxRestarts` automatic restarts within any sliding window
 * of `restartWindowMs`. The next exit beyond that gives up (the agent is then
 * `crashed` until someone starts it). `maxRestarts: 0` means "never restart
 * automatically", the same as `autoRestart: false`, just spelled differently;
 * `Infinity` means "no limit". There is no other special value.
 *
 * Stability: a run that lasted at least `stableAfterMs` (from `ready` to exit)
 * clears the history, so an agent that crashes once a day is never given up
 * on, and its backoff starts again from `backoffBaseMs`.
 *
 * Backoff: restart n (counted since the last stable run) waits
 * `min(backoffCapMs, backoffBaseMs * backoffFactor^(n-1))`, shortened by up to
 * `jitterRatio` at random so agents that crashed together do not restart in lockstep.
 *
 * @example
 * ```ts
 * const policy: RestartPolicy = { ...DEFAULT_RESTART_POLICY, maxRestarts: 3 };
 * ```
 */
export interface RestartPolicy {
  maxRestarts: number;
  restartWindowMs: number;
  stableAfterMs: number;
  backoffBaseMs: number;
  backoffFactor: number;
  backoffCapMs: number;
  /** 0..1: the share of a delay that randomness may take away. */
  jitterRatio: number;
}

/** Default budget: `max_restarts` of the SPEC's example agents.yaml. @example `DEFAULT_MAX_RESTARTS === 5` */
export const DEFAULT_MAX_RESTARTS = 5;
/** Default window the budget counts in. @example `RESTART_WINDOW_MS === 300_000` */
export const RESTART_WINDOW_MS = 5 * 60_000;
/** Default run length after which an agent counts as stable. @example `RESTART_STABLE_AFTER_MS === 60_000` */
export const RESTART_STABLE_AFTER_MS = 60_000;
/** Default first delay. @example `RESTART_BACKOFF_BASE_MS === 1_000` */
export const RESTART_BACKOFF_BASE_MS = 1_000;
/** Default growth of the delay per restart. @example `RESTART_BACKOFF_FACTOR === 2` */
export const RESTART_BACKOFF_FACTOR = 2;
/** Default longest delay. @example `RESTART_BACKOFF_CAP_MS === 30_000` */
export const RESTART_BACKOFF_CAP_MS = 30_000;
/** Default jitter: delays are 80-100 % of the computed value. @example `RESTART_JITTER_RATIO === 0.2` */
export const RESTART_JITTER_RATIO = 0.2;

/**
 * The defaults, together: 5 restarts per 5 minutes, stable after 1 minute,
 * delays 1 s, 2 s, 4 s ... up to 30 s.
 *
 * @example
 * ```ts
 * const policy = resolveRestartPolicy({ maxRestarts: 10 }); // the rest from DEFAULT_RESTART_POLICY
 * ```
 */
export const DEFAULT_RESTART_POLICY: Readonly<RestartPolicy> = Object.freeze({
  maxRestarts: DEFAULT_MAX_RESTARTS,
  restartWindowMs: RESTART_WINDOW_MS,
  stableAfterMs: RESTART_STABLE_AFTER_MS,
  backoffBaseMs: RESTART_BACKOFF_BASE_MS,
  backoffFactor: RESTART_BACKOFF_FACTOR,
  backoffCapMs: RESTART_BACKOFF_CAP_MS,
  jitterRatio: RESTART_JITTER_RATIO,
});

/**
 * Fills a partial policy from the defaults and checks it, so a bad
 * agents.yaml value fails at load time rather than at the first crash.
 * Throws `SupervisorError` `SUPERVISOR_INVALID_OPTIONS`.
 *
 * @example
 * ```ts
 * resolveRestartPolicy({ maxRestarts: 0 }); // never restart automatically
 * resolveRestartPolicy({ maxRestarts: -1 }); // throws SUPERVISOR_INVALID_OPTIONS
 * ```
 */
export function resolveRestartPolicy(partial: Partial<RestartPolicy> = {}): RestartPolicy {
  const policy = { ...DEFAULT_RESTART_POLICY, ...partial };
  const problems: string[] = [];
  if (!(Number.isInteger(policy.maxRestarts) || policy.maxRestarts === Infinity) || policy.maxRestarts < 0) problems.push('maxRestarts must be a whole number >= 0 (0: never restart) or Infinity');
  for (const key of ['restartWindowMs', 'stableAfterMs', 'backoffBaseMs', 'backoffCapMs'] as const) {
    if (!(policy[key] > 0)) problems.push(`${key} must be > 0`);
  }
  if (!(policy.backoffFactor >= 1)) problems.push('backoffFactor must be >= 1');
  if (!(policy.backoffCapMs >= policy.backoffBaseMs)) problems.push('backoffCapMs must be >= backoffBaseMs');
  if (!(policy.jitterRatio >= 0 && policy.jitterRatio <= 1)) problems.push('jitterRatio must be between 0 and 1');
  if (problems.length > 0) throw new SupervisorError('SUPERVISOR_INVALID_OPTIONS', `Invalid restart policy: ${problems.join('; ')}.`);
  return policy;
}

/**
 * What the policy remembers between exits. Immutable: every decision returns a new one.
 *
 * @example
 * ```ts
 * let history: RestartHistory = EMPTY_RESTART_HISTORY;
 * ```
 */
export interface RestartHistory {
  /** When the restarts of the current window were decided (ms), oldest first. */
  readonly restartTimes: readonly number[];
  /** Restarts since the last stable run: drives the backoff. */
  readonly consecutive: number;
}

/** No restarts yet. @example `decideRestart(EMPTY_RESTART_HISTORY, { now, ranForMs: 0 }, policy)` */
export const EMPTY_RESTART_HISTORY: RestartHistory = Object.freeze({ restartTimes: Object.freeze([]), consecutive: 0 });

/**
 * The outcome of {@link decideRestart}. `restartsInWindow` counts this restart too.
 *
 * @example
 * ```ts
 * if (decision.action === 'give-up') console.log(decision.reason);
 * ```
 */
export type RestartDecision =
  | { action: 'restart'; delayMs: number; attempt: number; restartsInWindow: number; history: RestartHistory }
  | { action: 'give-up'; reason: 'restarts-disabled' | 'budget-exhausted'; restartsInWindow: number; history: RestartHistory };

/**
 * Decides what to do after an unexpected exit. Pure: time and randomness come in.
 *
 * @param facts `now`: the exit time; `ranForMs`: how long the run lasted from `ready` (0 if it never got there).
 * @param random a number in [0, 1); `Math.random` by default, fixed in tests.
 * @example
 * ```ts
 * const decision = decideRestart(history, { now: Date.now(), ranForMs: 1_200 }, policy);
 * history = decision.history;
 * if (decision.action === 'restart') setTimeout(restart, decision.delayMs);
 * ```
 */
export function decideRestart(history: RestartHistory, facts: { now: number; ranForMs: number }, policy: RestartPolicy, random: () => number = Math.random): RestartDecision {
  const { now, ranForMs } = facts;
  const base = ranForMs >= policy.stableAfterMs ? EMPTY_RESTART_HISTORY : history;
  const recent = base.restartTimes.filter((time) => now - time < policy.restartWindowMs);
  const kept: RestartHistory = { restartTimes: recent, consecutive: base.consecutive };
  if (policy.maxRestarts === 0) return { action: 'give-up', reason: 'restarts-disabled', restartsInWindow: 0, history: kept };
  if (recent.length >= policy.maxRestarts) return { action: 'give-up', reason: 'budget-exhausted', restartsInWindow: recent.length, history: kept };
  const attempt = base.consecutive + 1;
  // Bounded: fewer than maxRestarts times are ever kept, since reaching maxRestarts gives up above.
  const restartTimes = [...recent, now];
  return { action: 'restart', delayMs: computeBackoffMs(attempt, policy, random), attempt, restartsInWindow: restartTimes.length, history: { restartTimes, consecutive: attempt } };
}

/**
 * The delay before restart number `attempt` (1-based, since the last stable run).
 *
 * @example
 * ```ts
 * computeBackoffMs(3, { ...DEFAULT_RESTART_POLICY, jitterRatio: 0 }); // 4000
 * ```
 */
export function computeBackoffMs(attempt: number, policy: RestartPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const raw = Math.min(policy.backoffCapMs, policy.backoffBaseMs * policy.backoffFactor ** exponent);
  return Math.round(raw * (1 - policy.jitterRatio * random()));
}
