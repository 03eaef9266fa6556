import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentSupervisor, type AgentSupervisorOptions, type GaveUp, type RestartPolicy, type RestartScheduled, type SupervisorState } from '../../src/supervisor/index.js';
import { Cleanup, fixtureOptions, isAlive, waitFor } from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Small, jitter-free numbers so a whole crash loop fits in about a second. */
const fastPolicy: Partial<RestartPolicy> = { maxRestarts: 2, restartWindowMs: 60_000, stableAfterMs: 10_000, backoffBaseMs: 50, backoffFactor: 2, backoffCapMs: 1_000, jitterRatio: 0 };

function supervise(fixture: string, args: string[], options: Partial<AgentSupervisorOptions> = {}) {
  const supervisor = cleanup.add(new AgentSupervisor({ agent: fixtureOptions(fixture, args), autoRestart: true, restartPolicy: fastPolicy, ...options }));
  const states: SupervisorState[] = [];
  const scheduled: RestartScheduled[] = [];
  const gaveUp: GaveUp[] = [];
  supervisor.on('state', (state) => states.push(state));
  supervisor.on('restart-scheduled', (info) => scheduled.push(info));
  supervisor.on('gave-up', (info) => gaveUp.push(info));
  return { supervisor, states, scheduled, gaveUp };
}

describe('AgentSupervisor', () => {
  it('restarts a crashing agent with growing backoff, then gives up and reports crashed', async () => {
    const { supervisor, states, scheduled, gaveUp } = supervise('crash-after', ['100']);
    const logs: string[] = [];
    supervisor.on('log', (entry) => logs.push(`${entry.source}: ${entry.message}`));
    await supervisor.start();
    await waitFor('giving up', () => gaveUp.length > 0, 10_000);
    expect(scheduled.map((info) => [info.attempt, info.delayMs])).toEqual([[1, 50], [2, 100]]);
    expect(gaveUp).toEqual([expect.objectContaining({ reason: 'budget-exhausted', restartsInWindow: 2, maxRestarts: 2 })]);
    expect(supervisor.state).toBe('crashed');
    expect(supervisor.restartCount).toBe(2);
    expect(supervisor.lastExit).toEqual({ code: 1, signal: null, expected: false });
    expect(supervisor.pid).toBeUndefined();
    expect(states.filter((state) => state === 'restarting')).toHaveLength(2);
    expect(logs).toContainEqual(expect.stringMatching(/^supervisor: exited with code 1; not restarting because it was restarted 2 times/));
    expect(logs).toContainEqual('stderr: crash-after: crashing after 100 ms');
  });

  it('resets the budget after a stable run, so a rarely crashing agent keeps being restarted', async () => {
    const policy = { ...fastPolicy, maxRestarts: 1, stableAfterMs: 150, backoffBaseMs: 20 };
    const { supervisor, scheduled, gaveUp } = supervise('crash-after', ['300'], { restartPolicy: policy });
    await supervisor.start();
    await waitFor('three restarts', () => supervisor.restartCount >= 3, 10_000);
    expect(gaveUp).toEqual([]);
    expect(scheduled.every((info) => info.attempt === 1 && info.restartsInWindow === 1)).toBe(true);
    expect(supervisor.restartsInWindow).toBeLessThanOrEqual(1);
  });

  it('never restarts with maxRestarts 0, and says so', async () => {
    const { supervisor, scheduled, gaveUp } = supervise('crash-after', ['50'], { restartPolicy: { ...fastPolicy, maxRestarts: 0 } });
    await supervisor.start();
    await waitFor('giving up', () => gaveUp.length > 0);
    expect(gaveUp[0]).toMatchObject({ reason: 'restarts-disabled', restartsInWindow: 0 });
    expect(scheduled).toEqual([]);
    expect(supervisor.state).toBe('crashed');
  });

  it('leaves a crashed agent down when autoRestart is off', async () => {
    const { supervisor, scheduled } = supervise('crash-after', ['50'], { autoRestart: false });
    await supervisor.start();
    await waitFor('the crash', () => supervisor.state === 'crashed');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(scheduled).toEqual([]);
    expect(supervisor.state).toBe('crashed');
  });

  it('stop() cancels a pending restart', async () => {
    const { supervisor, scheduled } = supervise('crash-after', ['50'], { restartPolicy: { ...fastPolicy, backoffBaseMs: 300 } });
    const pending = once(supervisor, 'restart-scheduled'); // resolves in a microtask: the restart timer cannot fire first
    await supervisor.start();
    await pending;
    expect(supervisor.state).toBe('restarting');
    expect(supervisor.nextRestartAt).toBeTypeOf('number');
    await supervisor.stop();
    expect(supervisor.state).toBe('stopped');
    expect(supervisor.nextRestartAt).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(supervisor.state).toBe('stopped');
    expect(supervisor.restartCount).toBe(0);
    expect(scheduled).toHaveLength(1);
  });

  it('reports a failed manual start to its caller instead of retrying it', async () => {
    const { supervisor, scheduled } = supervise('crash-on-start', []);
    await expect(supervisor.start()).rejects.toMatchObject({ code: 'AGENT_CRASHED_DURING_START', logTail: expect.arrayContaining(['[stderr] Error: missing setting "inbox"']) });
    expect(supervisor.state).toBe('crashed');
    expect(scheduled).toEqual([]);
  });

  it('shares one process between concurrent starts; restart() replaces it; stop() ends it', async () => {
    const { supervisor, states } = supervise('forever', []);
    await Promise.all([supervisor.start(), supervisor.start()]);
    const firstPid = supervisor.pid;
    expect(firstPid).toBeTypeOf('number');
    expect(states).toEqual(['starting', 'running']);
    await supervisor.restart();
    expect(supervisor.state).toBe('running');
    expect(supervisor.pid).not.toBe(firstPid);
    expect(isAlive(firstPid ?? -1)).toBe(false);
    await supervisor.send({ type: 'command', id: 'c1', name: 'ping', args: {} });
    await supervisor.stop();
    expect(states.slice(2)).toEqual(['stopping', 'stopped', 'starting', 'running', 'stopping', 'stopped']);
    expect(supervisor.lastExit).toEqual({ code: 0, signal: null, expected: true });
    await expect(supervisor.send({ type: 'cancel', id: 'c1' })).rejects.toMatchObject({ code: 'AGENT_NOT_RUNNING' });
  });
});
