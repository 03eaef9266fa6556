import { readFile } from 'node:fs/promises';
import { AGENT_PROTOCOL_VERSION } from '@opperator/protocol';
import { describe, expect, it } from 'vitest';
import { Agent, SDK_VERSION, SdkError, type AgentLifecycle } from '../src/index.js';
import { deferred, sleep, startAgent } from './helpers.js';

// Start-up and shutdown over the in-memory link: message order, the hooks,
// and what a failing initialize/start/stop does to the exit code.

describe('start-up', () => {
  it('announces starting, the registry and sections, then ready, then started', async () => {
    const calls: string[] = [];
    class Demo extends Agent implements AgentLifecycle {
      async initialize() {
        calls.push('initialize');
        this.registerCommand('check_now', () => ({ unread: 3 }), { description: 'Check now', async: true, progressLabel: 'Checking' });
        this.registerSection('stats', 'Inbox', '<b>Unread:</b> 3', { collapsed: true });
        this.updateSection('stats', '<b>Unread:</b> 4');
      }
      async start() {
        calls.push('start');
      }
    }
    const fake = startAgent(new Demo());
    await fake.waitFor((m) => m.type === 'lifecycle_event' && m.event === 'started');
    expect(fake.types()).toEqual(['lifecycle:starting', 'command_registry', 'sidebar_section', 'ready', 'lifecycle:started']);
    expect(calls).toEqual(['initialize', 'start']);
    expect(fake.messages[1]).toEqual({ type: 'command_registry', commands: [{ name: 'check_now', description: 'Check now', async: true, progressLabel: 'Checking' }] });
    expect(fake.messages[2]).toEqual({ type: 'sidebar_section', id: 'stats', title: 'Inbox', content: '<b>Unread:</b> 4', collapsed: true });
    expect(fake.messages[3]).toEqual({ type: 'ready', protocolVersion: AGENT_PROTOCOL_VERSION, sdk: `@opperator/sdk@${SDK_VERSION}`, pid: 4242 });
    await fake.close();
    expect(fake.invalid).toEqual([]);
  });

  it("runs the guide's shape: only initialize(), secrets read during it", async () => {
    class GuideAgent extends Agent {
      clientId?: string;
      async initialize() {
        this.clientId = await this.getSecret('invoice_monitor_gmail_client_id');
        this.registerCommand('authorize_gmail', () => ({ status: 'success', dir: this.agentDir, name: this.agentName }), { async: true });
      }
    }
    const agent = new GuideAgent();
    const fake = startAgent(agent);
    const request = await fake.waitFor((m) => m.type === 'secret_request');
    if (request.type !== 'secret_request') throw new Error('unreachable');
    fake.send({ type: 'secret_response', requestId: request.requestId, ok: true, value: 'client-1' });
    await fake.ready();
    expect(agent.clientId).toBe('client-1');
    expect(await fake.invoke('authorize_gmail')).toMatchObject({ ok: true, result: { status: 'success', dir: '/tmp/test-agent', name: 'test-agent' } });
    expect(await fake.close()).toBe(0);
  });

  it('re-registering a command after start-up replaces it and re-announces the registry', async () => {
    class Demo extends Agent {
      initialize() {
        this.registerCommand('a', () => 1);
      }
    }
    const agent = new Demo();
    const fake = startAgent(agent);
    await fake.ready();
    agent.registerCommand('a', () => 2, { description: 'second' });
    agent.registerCommand('b', () => 3, { hidden: true });
    await fake.waitFor((m) => m.type === 'command_registry' && m.commands.length === 2);
    const registries = fake.messages.filter((m) => m.type === 'command_registry');
    expect(registries.at(-1)).toEqual({ type: 'command_registry', commands: [{ name: 'a', description: 'second', async: false }, { name: 'b', async: false, hidden: true }] });
    expect(await fake.invoke('a')).toMatchObject({ ok: true, result: 2 });
    await fake.close();
  });

  it('refuses a bad registration with SDK_INVALID_ARGUMENT', () => {
    class Demo extends Agent {
      initialize() {}
    }
    const agent = new Demo();
    expect(() => agent.registerCommand('', () => 1)).toThrow(SdkError);
    expect(() => agent.registerCommand('x', () => 1, { arguments: [{ name: 'n', type: 'float' as 'number' }] })).toThrow(/arguments/);
    expect(() => agent.every(0, () => {})).toThrow(expect.objectContaining({ code: 'SDK_INVALID_ARGUMENT' }));
    expect(() => agent.agentDir).toThrow(expect.objectContaining({ code: 'SDK_NOT_ATTACHED' }));
  });

  it('a throw from initialize() is logged and the runtime exits 1 without "stopped"', async () => {
    class Broken extends Agent {
      async initialize() {
        throw new Error('config missing');
      }
    }
    const fake = startAgent(new Broken());
    expect(await fake.exit).toBe(1);
    expect(fake.logs('error').map((l) => l.message)).toEqual(['initialize() failed: config missing']);
    expect(fake.logs('debug')[0]?.fields?.stack).toContain('config missing');
    expect(fake.types()).not.toContain('ready');
    expect(fake.types()).not.toContain('lifecycle:stopped');
  });

  it('a throw from start() is logged, stop() still runs, and the runtime exits 1', async () => {
    let stopped = false;
    class Broken extends Agent implements AgentLifecycle {
      initialize() {}
      start() {
        throw new Error('port taken');
      }
      stop() {
        stopped = true;
      }
    }
    const fake = startAgent(new Broken());
    expect(await fake.exit).toBe(1);
    expect(stopped).toBe(true);
    expect(fake.logs('error').map((l) => l.message)).toEqual(['start() failed: port taken']);
  });
});

describe('shutdown', () => {
  it('on a shutdown message: stopping, stopSignal aborts, stop() runs, stopped, exit 0', async () => {
    const seen: string[] = [];
    class Demo extends Agent implements AgentLifecycle {
      initialize() {
        this.stopSignal.addEventListener('abort', () => seen.push('abort'));
      }
      async stop() {
        seen.push(`stop:${String(this.stopSignal.aborted)}`);
        await sleep(10);
        this.logInfo('bye');
      }
    }
    const fake = startAgent(new Demo());
    await fake.ready();
    fake.send({ type: 'shutdown', reason: 'user asked' });
    expect(await fake.exit).toBe(0);
    expect(seen).toEqual(['abort', 'stop:true']);
    expect(fake.types().slice(-3)).toEqual(['lifecycle:stopping', 'log', 'lifecycle:stopped']);
    expect(fake.messages.at(-1)).toEqual({ type: 'lifecycle_event', event: 'stopped', detail: 'user asked' });
    expect(fake.runtime.phase).toBe('stopped');
  });

  it('a stop() that hangs is cut off after the stop timeout', async () => {
    class Stuck extends Agent implements AgentLifecycle {
      initialize() {}
      stop() {
        return new Promise<void>(() => {});
      }
    }
    const fake = startAgent(new Stuck(), { stopTimeoutMs: 50 });
    await fake.ready();
    const started = Date.now();
    expect(await fake.runtime.stop('SIGTERM')).toBe(0);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(fake.logs('warning')[0]?.message).toMatch(/longer than 50 ms/);
    expect(fake.messages.at(-1)).toMatchObject({ type: 'lifecycle_event', event: 'stopped' });
  });

  it('a shutdown during initialize() stops right after it, without announcing ready', async () => {
    const gate = deferred();
    class Slow extends Agent {
      async initialize() {
        await gate.promise;
      }
    }
    const fake = startAgent(new Slow());
    await fake.waitFor((m) => m.type === 'lifecycle_event');
    fake.send({ type: 'shutdown' });
    await sleep(10);
    gate.resolve();
    expect(await fake.exit).toBe(0);
    expect(fake.types()).toEqual(['lifecycle:starting', 'lifecycle:stopping', 'lifecycle:stopped']);
  });

  it('the input ending (daemon gone) stops the agent', async () => {
    class Demo extends Agent {
      initialize() {}
    }
    const fake = startAgent(new Demo());
    await fake.ready();
    fake.link.daemon.output.end();
    expect(await fake.exit).toBe(0);
  });

  it('announces the version package.json has', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(SDK_VERSION).toBe(pkg.version);
  });
});
