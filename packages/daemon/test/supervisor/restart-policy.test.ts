import { describe, expect, it } from 'vitest';
import { computeBackoffMs, decideRestart, DEFAULT_RESTART_POLICY, EMPTY_RESTART_HISTORY, resolveRestartPolicy, SupervisorError, type RestartHistory, type RestartPolicy } from '../../src/supervisor/index.js';

const policy: RestartPolicy = resolveRestartPolicy({ maxRestarts: 3, restartWindowMs: 60_000, stableAfterMs: 10_000, backoffBaseMs: 1_000, backoffFactor: 2, backoffCapMs: 5_000, jitterRatio: 0 });
const noJitter = () => 0;

/** Feeds a series of exits (time, run length) through the policy. */
function replay(exits: Array<[now: number, ranForMs: number]>, use: RestartPolicy = policy) {
  let history: RestartHistory = EMPTY_RESTART_HISTORY;
  return exits.map(([now, ranForMs]) => {
    const decision = decideRestart(history, { now, ranForMs }, use, noJitter);
    history = decision.history;
    return decision;
  });
}

describe('restart policy', () => {
  it('backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => computeBackoffMs(attempt, policy, noJitter))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it('jitter only shortens a delay, by at most the ratio', () => {
    const jittery = { ...policy, jitterRatio: 0.2 };
    expect(computeBackoffMs(1, jittery, () => 0)).toBe(1_000);
    expect(computeBackoffMs(1, jittery, () => 0.999_999)).toBe(800);
    expect(computeBackoffMs(3, jittery, () => 0.5)).toBe(3_600);
  });

  it('allows maxRestarts restarts within the window, then gives up', () => {
    const decisions = replay([[0, 100], [2_000, 100], [5_000, 100], [10_000, 100]]);
    expect(decisions.map((decision) => decision.action)).toEqual(['restart', 'restart', 'restart', 'give-up']);
    expect(decisions.map((decision) => decision.restartsInWindow)).toEqual([1, 2, 3, 3]);
    expect(decisions[3]).toMatchObject({ action: 'give-up', reason: 'budget-exhausted' });
  });

  it('forgets restarts older than the window (sliding)', () => {
    const decisions = replay([[0, 100], [1_000, 100], [2_000, 100], [60_500, 100]]);
    expect(decisions[3]).toMatchObject({ action: 'restart', restartsInWindow: 3 }); // the one at 0 fell out; 1 000 and 2 000 remain
  });

  it('clears the history and the backoff after a stable run', () => {
    const decisions = replay([[0, 100], [2_000, 100], [5_000, 100], [30_000, 10_000], [31_000, 100]]);
    expect(decisions[3]).toMatchObject({ action: 'restart', attempt: 1, delayMs: 1_000, restartsInWindow: 1 });
    expect(decisions[4]).toMatchObject({ action: 'restart', attempt: 2, restartsInWindow: 2 });
  });

  it('maxRestarts 0 means never restart; Infinity means no limit', () => {
    expect(replay([[0, 100]], { ...policy, maxRestarts: 0 })[0]).toMatchObject({ action: 'give-up', reason: 'restarts-disabled', restartsInWindow: 0 });
    const unlimited = replay(Array.from({ length: 50 }, (_, index): [number, number] => [index * 10, 1]), { ...policy, maxRestarts: Infinity });
    expect(unlimited.every((decision) => decision.action === 'restart')).toBe(true);
  });

  it('fills defaults and rejects values that cannot work', () => {
    expect(resolveRestartPolicy()).toEqual(DEFAULT_RESTART_POLICY);
    expect(resolveRestartPolicy({ maxRestarts: 0 }).maxRestarts).toBe(0);
    for (const bad of [{ maxRestarts: -1 }, { maxRestarts: 1.5 }, { restartWindowMs: 0 }, { backoffFactor: 0.5 }, { backoffCapMs: 10 }, { jitterRatio: 2 }]) {
      expect(() => resolveRestartPolicy(bad)).toThrow(expect.objectContaining({ code: 'SUPERVISOR_INVALID_OPTIONS' }));
    }
    expect(() => resolveRestartPolicy({ maxRestarts: Number.NaN })).toThrow(SupervisorError);
  });
});
