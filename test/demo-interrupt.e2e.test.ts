import { spawn } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Ctrl-C during `npm run demo`: the terminal sends SIGINT to the whole
// foreground process group (npm, tsx, the demo, the CLI calls under way). The
// daemon and the sandbox run on their own, so the demo must stop them, and
// remove its temporary home.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const exists = (path: string) => access(path).then(() => true, () => false);

describe('npm run demo, interrupted', () => {
  it('Ctrl-C stops the daemon, the agent and the sandbox it started, removes its home, and says so', async () => {
    const { DBUS_SESSION_BUS_ADDRESS: _desktopBus, OPPERATOR_HOME: _home, ...base } = process.env;
    // Its own process group, as a terminal's foreground job.
    const demo = spawn('npm', ['run', '--silent', 'demo', '--', '--token-ttl', '4', '--checks', '100'], { cwd: ROOT, env: { ...base, BROWSER: `${ROOT}scripts/headless-browser` }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    demo.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    demo.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const closed = new Promise<number | null>((resolve) => demo.once('close', resolve));
    for (let i = 0; i < 600 && !/call 1:/.test(output); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(output).toMatch(/call 1:/);

    const home = /Demo home: (\S+)/.exec(output)![1]!;
    const daemonPid = Number((await readFile(join(home, 'run', 'daemon.pid'), 'utf8')).trim());
    const sandboxPid = (JSON.parse(await readFile(join(home, 'state', 'sandbox.json'), 'utf8')) as { pid: number }).pid;
    const agentPid = (JSON.parse(await new Promise<string>((resolve) => {
      const list = spawn(process.execPath, [join(ROOT, 'packages/cli/dist/opperator.js'), 'agent', 'list', '--json'], { env: { ...base, OPPERATOR_HOME: home } });
      let text = '';
      list.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      list.once('close', () => resolve(text));
    })) as Array<{ pid: number }>)[0]!.pid;
    expect([daemonPid, sandboxPid, agentPid].every(alive)).toBe(true);

    process.kill(-demo.pid!, 'SIGINT');
    const code = await closed;
    expect(output).toContain(`Interrupted: stopping the daemon and the sandbox this demo started, and removing ${home}`);
    expect(output).toContain('nothing this demo started is left running');
    expect(code).not.toBe(0);
    for (let i = 0; i < 50 && [daemonPid, sandboxPid, agentPid].some(alive); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect({ daemon: alive(daemonPid), sandbox: alive(sandboxPid), agent: alive(agentPid) }).toEqual({ daemon: false, sandbox: false, agent: false });
    expect(await exists(home)).toBe(false);
  }, 120_000);
});
