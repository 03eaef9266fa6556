import { describe, expect, it } from 'vitest';
import { Agent, SecretError } from '../src/index.js';
import { sleep, startAgent, until } from './helpers.js';

// What an agent uses besides commands: secrets, sections, logs, every(), and
// how it treats messages it does not understand.

class Plain extends Agent {
  initialize() {
    this.registerCommand('ping', () => 'pong');
  }
}

async function started(agent: Agent = new Plain(), options: Parameters<typeof startAgent>[1] = {}) {
  const fake = startAgent(agent, options);
  await fake.ready();
  return fake;
}

describe('getSecret', () => {
  it('round-trips through the daemon', async () => {
    const agent = new Plain();
    const fake = await started(agent);
    const value = agent.getSecret('gmail_client_id');
    const request = await fake.waitFor((m) => m.type === 'secret_request');
    expect(request).toEqual({ type: 'secret_request', requestId: expect.any(String), name: 'gmail_client_id' });
    if (request.type === 'secret_request') fake.send({ type: 'secret_response', requestId: request.requestId, ok: true, value: 's3cret' });
    expect(await value).toBe('s3cret');
    await fake.close();
  });

  it('a refusal is a SecretError naming the fix', async () => {
    const agent = new Plain();
    const fake = await started(agent);
    const answers = [
      { code: 'SECRET_NOT_FOUND', expected: 'SDK_SECRET_NOT_FOUND', fix: /Set it with: opperator secret set gmail_client_id/ },
      { code: 'SECRET_ACCESS_DENIED', expected: 'SDK_SECRET_ACCESS_DENIED', fix: /secrets: list in agents\.yaml/ },
      { code: 'SECRET_KEYRING_UNAVAILABLE', expected: 'SDK_SECRET_UNAVAILABLE', fix: /keyring locked\. If it is not set yet: opperator secret set gmail_client_id/ },
    ];
    for (const [index, answer] of answers.entries()) {
      const pending = agent.getSecret('gmail_client_id').catch((err: unknown) => err);
      const request = await fake.waitFor((m) => m.type === 'secret_request' && m.requestId === `secret-${index + 1}`);
      if (request.type !== 'secret_request') throw new Error('unreachable');
      fake.send({ type: 'secret_response', requestId: request.requestId, ok: false, error: { code: answer.code, message: 'keyring locked' } });
      const err = await pending;
      expect(err).toBeInstanceOf(SecretError);
      expect(err).toMatchObject({ code: answer.expected, secretName: 'gmail_client_id', daemonCode: answer.code });
      expect((err as SecretError).message).toMatch(answer.fix);
    }
    await fake.close();
  });

  it('times out when the daemon never answers', async () => {
    const agent = new Plain();
    const fake = await started(agent, { secretTimeoutMs: 20 });
    await expect(agent.getSecret('x')).rejects.toMatchObject({ name: 'SecretError', code: 'SDK_SECRET_TIMEOUT' });
    await fake.close();
  });
});

describe('sections and logs', () => {
  it('register, update and unregister send the matching messages', async () => {
    const agent = new Plain();
    const fake = await started(agent);
    agent.registerSection('auth', 'Gmail', "<c fg='yellow'>Not signed in</c>");
    agent.updateSection('auth', "<c fg='green'>Signed in</c>");
    agent.updateSection('missing', 'x');
    agent.unregisterSection('auth');
    await fake.waitFor((m) => m.type === 'sidebar_section_removal');
    expect(fake.messages.filter((m) => m.type.startsWith('sidebar'))).toEqual([
      { type: 'sidebar_section', id: 'auth', title: 'Gmail', content: "<c fg='yellow'>Not signed in</c>" },
      { type: 'sidebar_section', id: 'auth', title: 'Gmail', content: "<c fg='green'>Signed in</c>" },
      { type: 'sidebar_section_removal', id: 'auth' },
    ]);
    expect(fake.logs('warning')[0]?.message).toBe('updateSection("missing"): no such section; call registerSection first');
    await fake.close();
  });

  it('sends log lines with level, fields and time; errors become name and message', async () => {
    const agent = new Plain();
    const fake = await started(agent, { now: () => 1234 });
    agent.logDebug('d');
    agent.logInfo('polled', { folder: 'INBOX' });
    agent.logWarning('w');
    agent.logError('failed', { error: new TypeError('bad') });
    agent.log('info', 'odd fields', { self: BigInt(1) });
    await until(() => fake.logs().length >= 5);
    expect(fake.logs().map(({ level, message, fields, time }) => ({ level, message, fields, time }))).toEqual([
      { level: 'debug', message: 'd', fields: undefined, time: 1234 },
      { level: 'info', message: 'polled', fields: { folder: 'INBOX' }, time: 1234 },
      { level: 'warning', message: 'w', fields: undefined, time: 1234 },
      { level: 'error', message: 'failed', fields: { error: { name: 'TypeError', message: 'bad' } }, time: 1234 },
      { level: 'info', message: 'odd fields', fields: { unserialisableFields: expect.stringContaining('BigInt') }, time: 1234 },
    ]);
    await fake.close();
  });

  it('logs from the constructor are delivered once the runtime attaches', async () => {
    class Early extends Agent {
      constructor() {
        super();
        this.logInfo('constructed');
        this.registerCommand('ping', () => 'pong');
      }
      initialize() {}
    }
    const fake = await started(new Early());
    expect(fake.types().slice(0, 3)).toEqual(['log', 'lifecycle:starting', 'command_registry']);
    expect(await fake.invoke('ping')).toMatchObject({ ok: true, result: 'pong' });
    await fake.close();
  });
});

describe('unknown inbound lines', () => {
  it('are logged as warnings and ignored; the agent keeps answering', async () => {
    const fake = await started();
    fake.link.daemon.output.write('this is not json\n');
    fake.send({ type: 'telepathy', id: 'x' });
    fake.send({ type: 'command', id: 'no-args', name: 'ping' });
    fake.send({ type: 'cancel', id: 'never-started' });
    expect(await fake.invoke('ping')).toMatchObject({ ok: true, result: 'pong' });
    expect(fake.logs('warning').map((l) => l.message)).toEqual([
      'ignored a line from the daemon that is not JSON',
      'ignored a message from the daemon that does not match protocol version 1',
      'ignored a message from the daemon that does not match protocol version 1',
    ]);
    expect(fake.logs('warning')[1]?.fields).toMatchObject({ messageType: 'telepathy' });
    await fake.close();
  });
});

describe('every()', () => {
  it('waits one interval before the first run unless immediate', async () => {
    const agent = new Plain();
    const fake = await started(agent);
    let delayed = 0;
    let immediate = 0;
    agent.every(10_000, () => delayed++);
    agent.every(10_000, () => immediate++, { immediate: true });
    await sleep(20);
    expect({ delayed, immediate }).toEqual({ delayed: 0, immediate: 1 });
    await fake.close();
  });

  it('skips overlapping runs, logs errors and keeps going, and stops with the agent', async () => {
    const agent = new Plain();
    const fake = await started(agent);
    let active = 0;
    let maxActive = 0;
    let slowRuns = 0;
    let failures = 0;
    agent.every(5, async (signal) => {
      active++;
      maxActive = Math.max(maxActive, active);
      slowRuns++;
      await sleep(30);
      active--;
      expect(signal).toBe(agent.stopSignal);
    }, { name: 'slow' });
    agent.every(5, function flaky() {
      failures++;
      throw new Error('API down');
    });
    await until(() => failures >= 3 && slowRuns >= 2);
    expect(maxActive).toBe(1);
    expect(fake.logs('debug').some((l) => l.message === 'background task "slow" is still running; skipped this tick')).toBe(true);
    expect(fake.logs('error').filter((l) => l.message === 'background task "flaky" failed: API down').length).toBeGreaterThanOrEqual(3);
    expect(await fake.invoke('ping')).toMatchObject({ ok: true });
    expect(await fake.close()).toBe(0);
    const after = { slowRuns, failures };
    await sleep(30);
    expect({ slowRuns, failures }).toEqual(after);
    expect(active).toBe(0); // stopping waited for the run in flight
  });

  it('a loop started inside a command does not report progress against it', async () => {
    class Starter extends Agent {
      initialize() {
        this.registerCommand('start_loop', () => {
          this.every(5, () => this.reportProgress('background'), { immediate: true });
          return 'started';
        });
      }
    }
    const fake = await started(new Starter());
    expect(await fake.invoke('start_loop', {}, 's1')).toMatchObject({ ok: true });
    await fake.waitFor((m) => m.type === 'log' && m.message.includes('outside a running command'));
    expect(fake.progressOf('s1')).toEqual([]);
    await fake.close();
  });
});
