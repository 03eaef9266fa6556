import { describe, expect, it } from 'vitest';
import { Agent, validateArguments, type CommandContext } from '../src/index.js';
import { deferred, sleep, startAgent, until } from './helpers.js';

// Command semantics over the in-memory link: argument checks, every way a
// handler can fail, cancellation, and progress found through AsyncLocalStorage.

class Commands extends Agent {
  readonly gate = deferred();
  readonly signals = new Map<string, AbortSignal>();

  initialize() {
    this.registerCommand('echo', (args) => args);
    this.registerCommand('typed', (args) => args, {
      arguments: [
        { name: 'count', type: 'integer', required: true },
        { name: 'mode', type: 'string', enum: ['fast', 'slow'] },
        { name: 'tags', type: 'array' },
      ],
    });
    this.registerCommand('throws', () => {
      throw new Error('disk full');
    });
    this.registerCommand('rejects', async () => {
      throw Object.assign(new Error('quota exceeded'), { code: 'QUOTA' });
    });
    this.registerCommand('status_error', () => ({ status: 'error', message: 'Credentials missing' }));
    this.registerCommand('status_error_field', () => ({ status: 'error', error: 'token revoked' }));
    this.registerCommand('cycle', () => {
      const value: Record<string, unknown> = {};
      value.self = value;
      return value;
    });
    this.registerCommand('bigint', () => ({ n: 10n }));
    this.registerCommand('nothing', () => undefined);
    this.registerCommand('wait', async (_args, ctx: CommandContext) => {
      this.signals.set(ctx.id, ctx.signal);
      await this.gate.promise;
      return 'waited';
    }, { async: true });
    this.registerCommand('abortable', async (_args, ctx: CommandContext) => {
      this.signals.set(ctx.id, ctx.signal);
      await new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
    });
    this.registerCommand('nested', async (args: { delay?: number }) => {
      await this.step('one');
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          this.reportProgress({ text: 'from a timer', progress: 0.5 });
          resolve();
        }, args.delay ?? 1),
      );
      await this.step('two');
      return 'done';
    }, { async: true });
  }

  private async step(text: string) {
    await sleep(1);
    this.reportProgress(text);
  }
}

async function started() {
  const agent = new Commands();
  const fake = startAgent(agent);
  await fake.ready();
  return { agent, fake };
}

describe('arguments', () => {
  it('passes valid args to the handler and refuses invalid ones before it runs', async () => {
    const { fake } = await started();
    expect(await fake.invoke('typed', { count: 2, mode: 'fast', tags: [] })).toMatchObject({ ok: true, result: { count: 2, mode: 'fast', tags: [] } });
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{}, /argument "count" is required/],
      [{ count: 1.5 }, /argument "count" must be an integer, got a number/],
      [{ count: 'x' }, /argument "count" must be an integer, got a string/],
      [{ count: 1, mode: 'medium' }, /argument "mode" must be one of "fast", "slow"/],
      [{ count: 1, tags: {} }, /argument "tags" must be an array, got an object/],
      [{ count: 1, colour: 'red' }, /unknown argument "colour" \(it accepts "count", "mode", "tags"\)/],
    ];
    for (const [args, message] of cases) {
      const response = await fake.invoke('typed', args);
      expect(response).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
      if (!response.ok) expect(response.error.message).toMatch(message);
    }
    expect(await fake.invoke('echo', { anything: { goes: true } })).toMatchObject({ ok: true, result: { anything: { goes: true } } });
    await fake.close();
  });

  it('validateArguments reports every problem at once', () => {
    expect(validateArguments([{ name: 'a', type: 'boolean', required: true }, { name: 'b', type: 'number' }], { b: Infinity, c: 1 })).toEqual([
      'argument "a" is required',
      'argument "b" must be a number, got a number',
      'unknown argument "c" (it accepts "a", "b")',
    ]);
    expect(validateArguments([], { x: 1 })).toEqual(['unknown argument "x" (it takes no arguments)']);
    expect(validateArguments(undefined, { x: 1 })).toEqual([]);
  });
});

describe('results', () => {
  it('a thrown error, a rejection or a status:error result fails the command; the agent keeps answering', async () => {
    const { fake } = await started();
    expect(await fake.invoke('throws')).toEqual({ type: 'response', id: expect.any(String), ok: false, error: { code: 'COMMAND_FAILED', message: 'disk full' } });
    expect(await fake.invoke('rejects')).toMatchObject({ ok: false, error: { code: 'QUOTA', message: 'quota exceeded' } });
    expect(await fake.invoke('status_error')).toMatchObject({ ok: false, error: { code: 'COMMAND_FAILED', message: 'Credentials missing' } });
    expect(await fake.invoke('status_error_field')).toMatchObject({ ok: false, error: { message: 'token revoked' } });
    // The stack stays in the agent's debug log, never on the response.
    expect(JSON.stringify(fake.messages.filter((m) => m.type === 'response'))).not.toContain('at ');
    expect(fake.logs('debug').some((l) => String(l.fields?.stack).includes('disk full'))).toBe(true);
    expect(await fake.invoke('echo', { still: 'alive' })).toMatchObject({ ok: true, result: { still: 'alive' } });
    await fake.close();
  });

  it('a result JSON cannot carry (cycle, BigInt) fails the command and the agent keeps running', async () => {
    const { fake } = await started();
    expect(await fake.invoke('cycle')).toMatchObject({ ok: false, error: { code: 'RESULT_NOT_SERIALISABLE', message: expect.stringMatching(/"cycle" returned a value JSON cannot carry/) } });
    expect(await fake.invoke('bigint')).toMatchObject({ ok: false, error: { code: 'RESULT_NOT_SERIALISABLE' } });
    expect(await fake.invoke('nothing')).toMatchObject({ ok: true, result: null });
    expect(await fake.invoke('echo', { n: 1 })).toMatchObject({ ok: true, result: { n: 1 } });
    await fake.close();
  });

  it('an unknown command fails with UNKNOWN_COMMAND', async () => {
    const { fake } = await started();
    expect(await fake.invoke('nope')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND', message: 'unknown command "nope"' } });
    await fake.close();
  });
});

describe('concurrency and cancellation', () => {
  it('a waiting command never blocks others, sync or async', async () => {
    const { agent, fake } = await started();
    fake.send({ type: 'command', id: 'slow', name: 'wait', args: {} });
    expect(await fake.invoke('echo', { quick: true })).toMatchObject({ ok: true });
    expect(await fake.invoke('nested')).toMatchObject({ ok: true, result: 'done' });
    agent.gate.resolve();
    expect(await fake.response('slow')).toMatchObject({ ok: true, result: 'waited' });
    await fake.close();
  });

  it('cancel aborts ctx.signal and fails the command with CANCELLED at once', async () => {
    const { agent, fake } = await started();
    fake.send({ type: 'command', id: 'c1', name: 'wait', args: {} });
    await until(() => agent.signals.has('c1'));
    fake.send({ type: 'cancel', id: 'c1' });
    expect(await fake.response('c1')).toEqual({ type: 'response', id: 'c1', ok: false, error: { code: 'CANCELLED', message: 'command "wait" was cancelled' } });
    expect(agent.signals.get('c1')?.aborted).toBe(true);
    agent.gate.resolve(); // the handler's late result is dropped: still one response
    await sleep(5);
    expect(fake.messages.filter((m) => m.type === 'response' && m.id === 'c1')).toHaveLength(1);
    await fake.close();
  });

  it('stopping aborts ctx.signal: a handler that gives up answers CANCELLED, one that finishes in time its result', async () => {
    const { agent, fake } = await started();
    fake.send({ type: 'command', id: 'finishes', name: 'wait', args: {} });
    fake.send({ type: 'command', id: 'gives-up', name: 'abortable', args: {} });
    await until(() => agent.signals.has('finishes') && agent.signals.has('gives-up'));
    const exit = fake.runtime.stop();
    expect(await fake.response('gives-up')).toEqual({
      type: 'response',
      id: 'gives-up',
      ok: false,
      error: { code: 'CANCELLED', message: 'command "abortable" was cancelled: the agent is stopping' },
    });
    expect(agent.signals.get('finishes')?.aborted).toBe(true);
    agent.gate.resolve();
    expect(await fake.response('finishes')).toMatchObject({ ok: true, result: 'waited' });
    expect(await exit).toBe(0);
  });

  it('a command still running when the stop window ends answers CANCELLED before "stopped"', async () => {
    const agent = new Commands();
    const fake = startAgent(agent, { stopTimeoutMs: 30 });
    await fake.ready();
    fake.send({ type: 'command', id: 'stuck', name: 'wait', args: {} });
    await until(() => agent.signals.has('stuck'));
    expect(await fake.runtime.stop()).toBe(0);
    expect(await fake.response('stuck')).toMatchObject({ ok: false, error: { code: 'CANCELLED', message: 'command "wait" was cancelled: the agent stopped before it finished' } });
    expect(fake.types().slice(-2)).toEqual(['response', 'lifecycle:stopped']);
  });
});

describe('progress', () => {
  it('this.reportProgress from helpers and timers reports against the running command', async () => {
    const { fake } = await started();
    expect(await fake.invoke('nested', {}, 'p1')).toMatchObject({ ok: true });
    expect(fake.progressOf('p1')).toEqual([
      { type: 'command_progress', id: 'p1', text: 'one' },
      { type: 'command_progress', id: 'p1', text: 'from a timer', progress: 0.5 },
      { type: 'command_progress', id: 'p1', text: 'two' },
    ]);
    await fake.close();
  });

  it('two concurrent commands each get their own progress', async () => {
    const { fake } = await started();
    fake.send({ type: 'command', id: 'a', name: 'nested', args: { delay: 30 } });
    fake.send({ type: 'command', id: 'b', name: 'nested', args: { delay: 5 } });
    await Promise.all([fake.response('a'), fake.response('b')]);
    for (const id of ['a', 'b']) expect(fake.progressOf(id).map((m) => (m.type === 'command_progress' ? m.text : ''))).toEqual(['one', 'from a timer', 'two']);
    // b finished first: the interleaving proves the ids did not leak across.
    const order = fake.messages.filter((m) => m.type === 'command_progress').map((m) => (m.type === 'command_progress' ? m.id : ''));
    expect(order.lastIndexOf('b')).toBeLessThan(order.lastIndexOf('a'));
    await fake.close();
  });

  it('outside a command, reportProgress does nothing but a debug log', async () => {
    const { agent, fake } = await started();
    agent.reportProgress('nobody listens');
    expect(fake.messages.some((m) => m.type === 'command_progress')).toBe(false);
    await fake.waitFor((m) => m.type === 'log' && m.level === 'debug' && m.message.includes('outside a running command'));
    await fake.close();
  });
});
