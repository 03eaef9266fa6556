import { afterEach, describe, expect, it } from 'vitest';
import type { AgentToDaemon } from '@opperator/protocol';
import { AgentProcess, SupervisorError, type AgentLogEntry } from '../../src/supervisor/index.js';
import { Cleanup, fixtureOptions, isAlive, waitFor } from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function record(agent: AgentProcess) {
  const messages: AgentToDaemon[] = [];
  const logs: AgentLogEntry[] = [];
  agent.on('message', (message) => messages.push(message));
  agent.on('log', (entry) => logs.push(entry));
  return { messages, logs, has: (text: string) => logs.some((entry) => entry.message.includes(text)) };
}

async function startFailure(agent: AgentProcess): Promise<SupervisorError> {
  const error = await agent.start().then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SupervisorError);
  return error as SupervisorError;
}

describe('AgentProcess', () => {
  it('starts, reaches running on ready, forwards messages and logs, and answers a command', async () => {
    const agent = cleanup.add(new AgentProcess(fixtureOptions('forever')));
    const seen = record(agent);
    await agent.start();
    expect(agent.state).toBe('running');
    expect(agent.pid).toBeTypeOf('number');
    expect(seen.messages.map((message) => message.type)).toEqual(['command_registry', 'ready']);
    expect(seen.logs).toContainEqual(expect.objectContaining({ level: 'info', message: 'initializing', source: 'agent' }));
    await agent.send({ type: 'command', id: 'c1', name: 'ping', args: {} });
    await waitFor('the response', () => seen.messages.some((message) => message.type === 'response'));
    expect(seen.messages.at(-1)).toEqual({ type: 'response', id: 'c1', ok: true, result: 'pong' });
  });

  it('reports a crash during start with the tail of its stderr and logs', async () => {
    const agent = new AgentProcess(fixtureOptions('crash-on-start'));
    const error = await startFailure(agent);
    expect(error.code).toBe('AGENT_CRASHED_DURING_START');
    expect(error.logTail).toEqual(expect.arrayContaining(['[info] loading configuration', '[stderr] Error: missing setting "inbox"', '[stderr]     at initialize (agent.ts:12:5)']));
    expect(error.message).toContain('exited with code 1 before it was ready');
    expect(error.message).toContain('Error: missing setting "inbox"');
    expect(agent.state).toBe('crashed');
    expect(agent.exit).toEqual({ code: 1, signal: null, expected: false });
  });

  it('times out a start that never becomes ready, kills it, and quotes what it printed', async () => {
    const agent = new AgentProcess(fixtureOptions('never-ready', [], { readyTimeoutMs: 400 }));
    const error = await startFailure(agent);
    expect(error.code).toBe('AGENT_START_TIMEOUT');
    expect(error.logTail).toContain('[stderr] never-ready: still initializing');
    expect(agent.state).toBe('crashed');
    expect(isAlive(agent.pid ?? -1)).toBe(false);
  });

  it('refuses an agent that speaks an unsupported protocol version', async () => {
    const agent = new AgentProcess(fixtureOptions('forever', ['99']));
    const error = await startFailure(agent);
    expect(error.code).toBe('AGENT_PROTOCOL_UNSUPPORTED');
    expect(error.message).toContain('protocol version 99');
    expect(isAlive(agent.pid ?? -1)).toBe(false);
  });

  it('reports a command that cannot be spawned', async () => {
    const agent = new AgentProcess({ ...fixtureOptions('forever'), command: '/nonexistent/opperator-agent' });
    const error = await startFailure(agent);
    expect(error.code).toBe('AGENT_SPAWN_FAILED');
    expect(error.cause).toMatchObject({ code: 'ENOENT' });
    expect(agent.state).toBe('crashed');
  });

  it('fails the start when stopped or aborted before ready', async () => {
    const stopped = new AgentProcess(fixtureOptions('never-ready', [], { stopGraceMs: 200 }));
    const stoppedFailure = startFailure(stopped);
    await waitFor('the pid', () => stopped.pid !== undefined);
    await stopped.stop();
    expect((await stoppedFailure).code).toBe('AGENT_STOPPED_DURING_START');
    expect(stopped.state).toBe('stopped');

    const aborted = new AgentProcess(fixtureOptions('never-ready'));
    const controller = new AbortController();
    const abortedFailure = aborted.start({ signal: controller.signal }).catch((error: unknown) => error);
    setTimeout(() => controller.abort(), 100);
    expect(await abortedFailure).toMatchObject({ code: 'AGENT_START_ABORTED' });
    expect(isAlive(aborted.pid ?? -1)).toBe(false);
  });

  it('stops a well-behaved agent quickly, once, and refuses messages afterwards', async () => {
    const agent = new AgentProcess(fixtureOptions('forever', [], { stopGraceMs: 5_000 }));
    const exits: unknown[] = [];
    agent.on('exit', (exit) => exits.push(exit));
    await agent.start();
    const began = Date.now();
    await Promise.all([agent.stop(), agent.stop()]);
    expect(Date.now() - began).toBeLessThan(2_000); // far below the 5 s grace: it left on `shutdown`
    await agent.stop();
    expect(exits).toEqual([{ code: 0, signal: null, expected: true }]);
    expect(agent.state).toBe('stopped');
    await expect(agent.send({ type: 'cancel', id: 'x' })).rejects.toMatchObject({ code: 'AGENT_NOT_RUNNING' });
  });

  it('escalates to SIGTERM, then SIGKILL of the whole process group, grandchild included', async () => {
    const agent = new AgentProcess(fixtureOptions('ignore-sigterm', [], { stopGraceMs: 300, killWaitMs: 300 }));
    const seen = record(agent);
    await agent.start();
    const started = seen.logs.find((entry) => entry.message === 'grandchild started');
    const grandchildPid = Number(started?.fields?.grandchildPid);
    expect(isAlive(grandchildPid)).toBe(true);
    const began = Date.now();
    await agent.stop();
    expect(Date.now() - began).toBeGreaterThanOrEqual(550);
    expect(agent.exit).toEqual({ code: null, signal: 'SIGKILL', expected: true });
    const order = ['got shutdown, ignoring it', 'sending SIGTERM', 'got SIGTERM, ignoring it', 'sending SIGKILL'].map((text) => seen.logs.findIndex((entry) => entry.message.includes(text)));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    await waitFor('the grandchild to die', () => !isAlive(grandchildPid), 2_000);
  });

  it('survives garbage, broken messages and a 2 MiB line, and reads the next valid message', async () => {
    const agent = cleanup.add(new AgentProcess(fixtureOptions('garbage')));
    const seen = record(agent);
    await agent.start();
    await waitFor('the message after the garbage', () => seen.has('after garbage'));
    expect(seen.logs).toContainEqual(expect.objectContaining({ level: 'info', source: 'stdout', message: 'plain text from a library' }));
    const warnings = seen.logs.filter((entry) => entry.level === 'warning' && entry.source === 'supervisor').map((entry) => entry.message);
    expect(warnings).toEqual(
      expect.arrayContaining([expect.stringContaining('"teleport"'), expect.stringContaining('of type "log"'), expect.stringMatching(/oversized stdout line \(\d{7} bytes\)/)]),
    );
    expect(agent.state).toBe('running');
  });

  it('takes a flood of messages without falling over or keeping them', async () => {
    const agent = cleanup.add(new AgentProcess(fixtureOptions('flood', ['50000'])));
    let floodLines = 0;
    let done = false;
    agent.on('log', (entry) => {
      if (entry.message.startsWith('flood line ')) floodLines += 1;
      else if (entry.message === 'flood done') done = true;
    });
    await agent.start();
    await waitFor('the end of the flood', () => done, 15_000);
    expect(floodLines).toBe(50_000);
    expect(agent.logTail().length).toBeLessThanOrEqual(20);
    expect(agent.state).toBe('running');
  }, 20_000);
});
