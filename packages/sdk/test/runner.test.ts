import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { agentToDaemonSchema, encodeMessage, readMessages, type AgentToDaemon, type InvalidLine } from '@opperator/protocol';
import { afterEach, describe, expect, it } from 'vitest';

// The one suite over real stdio: the runner as the daemon spawns it.

const root = fileURLToPath(new URL('../../..', import.meta.url));
const runner = fileURLToPath(new URL('../src/runner.ts', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

const children: Array<ReturnType<typeof spawn>> = [];
afterEach(() => {
  // A failed assertion must not leave an agent process behind.
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function spawnAgent(entry: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', runner, entry], { cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const messages: AgentToDaemon[] = [];
  const invalid: InvalidLine[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let wake = () => {};
  readMessages(child.stdout, {
    schema: agentToDaemonSchema,
    onMessage: (message) => {
      messages.push(message);
      wake();
    },
    onInvalid: (line) => invalid.push(line),
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = async (predicate: (m: AgentToDaemon) => boolean): Promise<AgentToDaemon> => {
    for (;;) {
      const found = messages.find(predicate);
      if (found) return found;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  return { child, messages, invalid, exited, waitFor, stderr: () => stderr };
}

describe('runner over real stdio', () => {
  it('runs an agent file: ready, a command, a shutdown, exit 0', async () => {
    const agent = spawnAgent(fixture('echo-agent.ts'), { OPPERATOR_AGENT_NAME: 'echo', OPPERATOR_AGENT_DIR: '/tmp/echo-home' });
    const ready = await agent.waitFor((m) => m.type === 'ready');
    expect(ready).toMatchObject({ type: 'ready', protocolVersion: 1, pid: agent.child.pid });
    agent.child.stdin.write(encodeMessage({ type: 'command', id: 'r1', name: 'echo', args: { hello: 'world' } }));
    expect(await agent.waitFor((m) => m.type === 'response')).toEqual({
      type: 'response',
      id: 'r1',
      ok: true,
      result: { args: { hello: 'world' }, agentName: 'echo', agentDir: '/tmp/echo-home' },
    });
    agent.child.stdin.write(encodeMessage({ type: 'shutdown', reason: 'test' }));
    expect(await agent.exited).toBe(0);
    const types = agent.messages.map((m) => (m.type === 'lifecycle_event' ? `lifecycle:${m.event}` : m.type));
    expect(types).toEqual(['lifecycle:starting', 'command_registry', 'ready', 'lifecycle:started', 'command_progress', 'response', 'lifecycle:stopping', 'log', 'lifecycle:stopped']);
    expect(agent.invalid).toEqual([{ kind: 'not-json', text: 'a stray line from the agent' }]);
  }, 20_000);

  it('stops cleanly on SIGTERM', async () => {
    const agent = spawnAgent(fixture('echo-agent.ts'));
    await agent.waitFor((m) => m.type === 'lifecycle_event' && m.event === 'started');
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(agent.messages.at(-1)).toEqual({ type: 'lifecycle_event', event: 'stopped', detail: 'SIGTERM' });
  }, 20_000);

  it('refuses an entry without a default Agent class: exit 1, the reason on stderr and in the log', async () => {
    const agent = spawnAgent(fixture('not-an-agent.ts'));
    expect(await agent.exited).toBe(1);
    expect(agent.stderr()).toMatch(/has no default export; write: export default class MyAgent extends Agent/);
    expect(agent.messages).toEqual([expect.objectContaining({ type: 'log', level: 'error', message: expect.stringMatching(/no default export/) })]);
  }, 20_000);
});
