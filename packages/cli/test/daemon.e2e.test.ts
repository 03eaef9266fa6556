import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, makeAgentHome, runCli, type TempDir } from '@opperator/testing';

// The daemon, real agent processes (the SDK runner under tsx) and the CLI,
// all as real processes against one temporary OPPERATOR_HOME.

let home: TempDir;
const workerSource = () => readFile(new URL('./fixtures/worker-agent.ts', import.meta.url), 'utf8');
const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });

beforeAll(async () => {
  home = await makeAgentHome([{ name: 'worker', source: await workerSource(), yaml: 'secrets: [allowed_secret]\nauto_restart: false\nstart_with_daemon: true' }]);
  expect((await cli('secret', 'set', 'allowed_secret', 'value-123')).code).toBe(0);
  expect((await cli('secret', 'set', 'other_secret', 'not-for-worker')).code).toBe(0);
  const started = await cli('daemon', 'start');
  expect(started, started.stderr).toMatchObject({ code: 0 });
}, 60_000);

afterAll(async () => {
  await cli('daemon', 'stop');
  await home?.remove();
});

async function waitForState(name: string, state: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    const list = JSON.parse((await cli('agent', 'list', '--json')).stdout || '[]') as Array<{ name: string; state: string }>;
    if (list.find((a) => a.name === name)?.state === state) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} never became ${state}`);
}

describe('daemon, agents and CLI', () => {
  it('starts agents marked start_with_daemon, behind a private socket', async () => {
    await waitForState('worker', 'running');
    expect((await stat(join(home.path, 'run'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(home.path, 'run', 'daemon.sock'))).mode & 0o777).toBe(0o600);
    const status = await cli('daemon', 'status', '--json');
    expect(JSON.parse(status.stdout)).toMatchObject({ agents: 1, home: home.path });
  });

  it('invokes a sync command with validated arguments', async () => {
    const ok = await cli('agent', 'invoke', 'worker', 'echo', '--args', '{"text":"hi"}', '--json');
    expect(ok).toMatchObject({ code: 0 });
    expect(JSON.parse(ok.stdout)).toEqual({ echoed: 'hi' });
    // Arguments the command's schema refuses are a usage error (2), not a failed agent (6).
    const bad = await cli('agent', 'invoke', 'worker', 'echo', '--args', '{"text":5}');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/text/);
  });

  it('streams progress of an async command from nested code, then the result, and records the task', async () => {
    const run = await cli('agent', 'invoke', 'worker', 'count');
    expect(run.code).toBe(0);
    expect(run.stderr.split('\n').filter(Boolean)).toEqual(['Counting: 33% step 1', 'Counting: 67% step 2', 'Counting: 100% step 3']);
    expect(JSON.parse(run.stdout)).toEqual({ counted: 3 });
    const tasks = JSON.parse((await cli('task', 'list', '--json')).stdout) as Array<{ command: string; state: string; progress: unknown }>;
    expect(tasks.find((t) => t.command === 'count')).toMatchObject({ state: 'succeeded', progress: { text: 'step 3', progress: 1 } });
    const sections = JSON.parse((await cli('agent', 'sections', 'worker', '--json')).stdout) as Array<{ id: string; content: string }>;
    // All three sections registered at start-up are kept (they once raced each other and only the last survived).
    expect(sections.map((s) => s.id)).toEqual(['auth_status', 'stats', 'about']);
    expect(sections[0]).toMatchObject({ content: "<c fg='green'>✓ Authenticated</c>" });
    expect((await cli('agent', 'sections', 'ghost')).code).toBe(3);
  });

  it('treats a returned { status: "error" } as a failed command (exit 6)', async () => {
    const failed = await cli('agent', 'invoke', 'worker', 'fail');
    expect(failed.code).toBe(6);
    expect(failed.stderr).toContain('it went wrong on purpose');
  });

  it('serves only the secrets agents.yaml lists for the agent, and none over the control socket', async () => {
    expect(JSON.parse((await cli('agent', 'invoke', 'worker', 'read_secret', '--args', '{"name":"allowed_secret"}', '--json')).stdout)).toEqual({ length: 9 });
    const denied = await cli('agent', 'invoke', 'worker', 'read_secret', '--args', '{"name":"other_secret"}');
    expect(denied.code).toBe(6);
    expect(denied.stderr).toMatch(/may not read secret "?other_secret"?/);
    expect(denied.stderr).toMatch(/secrets: list in agents\.yaml/);
    expect(denied.stderr).not.toContain('not-for-worker');

    const answer = await rawRequest(join(home.path, 'run', 'daemon.sock'), { id: 1, method: 'secret.get', params: { name: 'other_secret' } });
    expect(answer).toMatchObject({ ok: false, error: { code: 'DAEMON_UNKNOWN_METHOD' } });
    expect(JSON.stringify(answer)).not.toContain('not-for-worker');

    // The fix the refusal names works: list the secret in agents.yaml, restart the agent.
    const yamlPath = join(home.path, 'agents.yaml');
    await writeFile(yamlPath, (await readFile(yamlPath, 'utf8')).replace('secrets: [allowed_secret]', 'secrets: [allowed_secret, other_secret]'));
    expect((await cli('agent', 'restart', 'worker')).code).toBe(0);
    expect(JSON.parse((await cli('agent', 'invoke', 'worker', 'read_secret', '--args', '{"name":"other_secret"}', '--json')).stdout)).toEqual({ length: 14 });
  });

  it('refuses non-object arguments instead of leaving the caller waiting', async () => {
    const answer = await rawRequest(join(home.path, 'run', 'daemon.sock'), { id: 7, method: 'agent.invoke', params: { name: 'worker', command: 'echo', args: ['x'] } });
    expect(answer).toMatchObject({ id: 7, ok: false, error: { code: 'DAEMON_BAD_REQUEST' } });
  });

  it('keeps the log, and reports unknown agents and commands with the fix', async () => {
    const logs = await cli('agent', 'logs', 'worker', '-n', '50', '--json');
    const messages = logs.stdout.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { message: string }).message);
    expect(messages).toContain('agent started');
    expect((await cli('agent', 'start', 'ghost')).code).toBe(3);
    const unknown = await cli('agent', 'invoke', 'worker', 'nope');
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('opperator agent commands worker');
  });

  it('cancels a running task', async () => {
    const taskId = (await cli('agent', 'invoke', 'worker', 'long', '--detach')).stdout.trim();
    expect((await cli('task', 'cancel', taskId)).code).toBe(0);
    for (let i = 0; i < 50; i += 1) {
      const task = JSON.parse((await cli('task', 'get', taskId, '--json')).stdout) as { state: string };
      if (task.state !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(JSON.parse((await cli('task', 'get', taskId, '--json')).stdout)).toMatchObject({ state: 'cancelled' });
  });

  it('follows the log as new lines arrive', async () => {
    const follower = spawn(process.execPath, [CLI_PATH, 'agent', 'logs', 'worker', '-f', '-n', '0'], { env: { ...process.env, OPPERATOR_HOME: home.path } });
    let output = '';
    follower.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (let i = 0; i < 3; i += 1) await cli('agent', 'invoke', 'worker', 'echo', '--args', `{"text":"${'x'.repeat(i + 1)}"}`);
      for (let i = 0; i < 50 && (output.match(/echo called/g) ?? []).length < 3; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(output.match(/echo called/g)).toHaveLength(3);
    } finally {
      follower.kill();
    }
  });

  it('fails a task whose agent is killed, and never re-runs it after a daemon crash', async () => {
    const detached = await cli('agent', 'invoke', 'worker', 'long', '--detach');
    expect(detached.code).toBe(0);
    const taskId = detached.stdout.trim();
    const list = JSON.parse((await cli('agent', 'list', '--json')).stdout) as Array<{ name: string; pid: number }>;
    const agentPid = list.find((a) => a.name === 'worker')!.pid;
    process.kill(agentPid, 'SIGKILL');
    await waitForState('worker', 'crashed');
    const task = JSON.parse((await cli('task', 'get', taskId, '--json')).stdout) as { state: string; error: { message: string } };
    expect(task.state).toBe('failed');
    expect(task.error.message).toMatch(/agent exited/);

    // A task left running by a daemon killed with SIGKILL is failed, not re-run, by the next daemon.
    await cli('agent', 'start', 'worker');
    const second = (await cli('agent', 'invoke', 'worker', 'long', '--detach')).stdout.trim();
    const daemonPid = (JSON.parse((await cli('daemon', 'status', '--json')).stdout) as { pid: number }).pid;
    process.kill(daemonPid, 'SIGKILL');
    const restarted = await cli('daemon', 'start');
    expect(restarted, restarted.stderr).toMatchObject({ code: 0 });
    await waitForState('worker', 'running');
    const after = JSON.parse((await cli('task', 'get', second, '--json')).stdout) as { state: string; error: { code: string } };
    expect(after).toMatchObject({ state: 'failed', error: { code: 'DAEMON_RESTARTED' } });
    const sections = JSON.parse((await cli('agent', 'sections', 'worker', '--json')).stdout) as unknown[];
    expect(sections).toHaveLength(3);
    // Started three times in all (cancelled, killed, daemon crash), and never once more by the restarted daemon.
    expect((await readFile(join(home.path, 'agents', 'worker', 'long-runs.txt'), 'utf8')).trim().split('\n')).toHaveLength(3);
  }, 60_000);
});

describe('a daemon whose home is deleted', () => {
  it('stops itself and its agents instead of running unreachable forever', async () => {
    const gone = await makeAgentHome([{ name: 'worker', source: await workerSource(), yaml: 'auto_restart: false\nstart_with_daemon: true' }]);
    const env = { OPPERATOR_HOME: gone.path, OPPERATOR_SECRET_STORE: 'file' };
    expect((await runCli(['daemon', 'start'], { env })).code).toBe(0);
    const status = JSON.parse((await runCli(['daemon', 'status', '--json'], { env })).stdout) as { pid: number };
    let agents: Array<{ name: string; pid: number | null }> = [];
    for (let i = 0; i < 100 && !agents[0]?.pid; i++) {
      agents = JSON.parse((await runCli(['agent', 'list', '--json'], { env })).stdout || '[]') as typeof agents;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const pids = [status.pid, agents[0]?.pid ?? 0];
    expect(pids.every((pid) => pid > 0 && isAlive(pid))).toBe(true);
    await gone.remove();
    // The daemon checks its socket every 2 s, then stops its agents as `daemon stop` would.
    for (let i = 0; i < 100 && pids.some(isAlive); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pids.filter(isAlive)).toEqual([]);
  }, 30_000);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One request on the control socket, as any local process could send it. */
function rawRequest(socketPath: string, request: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath, () => socket.write(`${JSON.stringify(request)}\n`));
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) {
        socket.end();
        resolve(JSON.parse(text.split('\n')[0]!) as Record<string, unknown>);
      }
    });
    socket.on('error', reject);
  });
}
