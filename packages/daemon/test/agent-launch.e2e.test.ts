import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgentHome, runCli, type TempDir } from '@opperator/testing';

// The built daemon (a real process) builds agents with esbuild and runs
// them as plain JavaScript: no tsx in the agent process, and a syntax error
// fails the start with esbuild's message.

const GOOD = `import { Agent } from '@opperator/sdk';
export default class Good extends Agent {
  async initialize() {
    this.registerCommand('where', async () => ({ dir: this.agentDir, name: this.agentName }));
    this.registerCommand('boom', async () => { throw new Error('thrown on purpose'); });
  }
}
`;
const BROKEN = `import { Agent } from '@opperator/sdk';
export default class Broken extends Agent {
  async initialize() { const x = ; }
}
`;

let home: TempDir;
const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });

beforeAll(async () => {
  home = await makeAgentHome([
    { name: 'good', source: GOOD, yaml: 'auto_restart: false' },
    { name: 'broken', source: BROKEN, yaml: 'auto_restart: false' },
  ]);
  const started = await cli('daemon', 'start');
  expect(started, started.stderr).toMatchObject({ code: 0 });
}, 60_000);

afterAll(async () => {
  await cli('daemon', 'stop');
  await home?.remove();
});

const pidOf = async (name: string) =>
  (JSON.parse((await cli('agent', 'list', '--json')).stdout) as Array<{ name: string; pid: number | null }>).find((a) => a.name === name)?.pid;

describe('agents built with esbuild', () => {
  it('runs a started agent as plain JavaScript, without tsx, speaking the protocol as before', async () => {
    const start = await cli('agent', 'start', 'good');
    expect(start, start.stderr).toMatchObject({ code: 0 });
    const pid = await pidOf('good');
    expect(pid).toBeTypeOf('number');
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
    expect(argv.join(' ')).not.toMatch(/tsx/);
    expect(argv).toContain('--enable-source-maps');
    expect(argv.at(-1)).toBe(join(home.path, 'state', 'build', 'good', 'agent.mjs'));
    expect((await stat(join(home.path, 'state', 'build', 'good'))).mode & 0o777).toBe(0o700);
    // The agent folder, not the build folder, is the agent's directory.
    const where = await cli('agent', 'invoke', 'good', 'where', '--json');
    expect(JSON.parse(where.stdout)).toEqual({ dir: join(home.path, 'agents', 'good'), name: 'good' });
    expect((await cli('agent', 'invoke', 'good', 'boom')).stderr).toContain('thrown on purpose');
  });

  it('fails to start an agent with a syntax error, showing esbuild\'s message and the fix, also in its log', async () => {
    const start = await cli('agent', 'start', 'broken');
    expect(start.code).not.toBe(0);
    expect(start.stderr).toMatch(/agent\.ts:3:\d+: Unexpected ";"/);
    expect(start.stderr).toContain('Fix agent.ts, then: opperator agent start broken');
    const logs = await cli('agent', 'logs', 'broken');
    expect(logs.stdout).toMatch(/agent\.ts:3:\d+: Unexpected ";"/);
    expect(await pidOf('broken')).toBeNull();
  });

  it('rebuilds after the fix, and keeps the running agent when a restart cannot build', async () => {
    const entry = join(home.path, 'agents', 'broken', 'agent.ts');
    await writeFile(entry, BROKEN.replace('const x = ;', 'const x = 1; void x;'));
    expect((await cli('agent', 'start', 'broken')).code).toBe(0);
    const pid = await pidOf('broken');
    await writeFile(entry, BROKEN);
    const restart = await cli('agent', 'restart', 'broken');
    expect(restart.code).not.toBe(0);
    expect(restart.stderr).toMatch(/Unexpected ";"/);
    expect(await pidOf('broken')).toBe(pid);
  });
});
