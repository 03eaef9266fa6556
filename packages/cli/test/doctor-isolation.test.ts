import type { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, type TempDir } from '@opperator/testing';
import { AgentsFile } from '../src/agents-file.js';
import { isolationLines } from '../src/commands/doctor-isolation.js';

// `opperator doctor` says whether agents with `isolate: true` can run here.

let home: TempDir;
beforeAll(async () => {
  home = await makeTempDir('opperator-doctor-isolation-');
  await writeFile(join(home.path, 'agents.yaml'), 'agents:\n  - name: boxed\n    isolate: true\n  - name: open\n');
  await mkdir(join(home.path, 'empty-bin'));
});
afterAll(async () => home?.remove());
const section = (stdout: string) => stdout.slice(stdout.indexOf('Agent isolation'), stdout.indexOf('\nProviders'));
const agentsFile = () => new AgentsFile(join(home.path, 'agents.yaml'));
const fakeRun = (result: Partial<ReturnType<typeof spawnSync>>) => (() => ({ status: 1, stdout: '', stderr: '', pid: 0, output: [], signal: null, ...result })) as unknown as typeof spawnSync;

describe.skipIf(process.platform !== 'linux')('opperator doctor, agent isolation', () => {
  it('without bwrap on PATH: unavailable, with the package to install, and the agents that ask for it', async () => {
    const run = await runCli(['doctor'], { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file', PATH: join(home.path, 'empty-bin') } });
    expect(run.code, run.stderr).toBe(0);
    expect(section(run.stdout)).toMatch(/sandbox: +unavailable: bubblewrap \(bwrap\) is not installed\n +fix: +sudo apt-get install bubblewrap/);
    expect(section(run.stdout)).toMatch(/agents: +boxed\n/);
  });

  it('where bwrap cannot create namespaces: its message, and how to allow them', async () => {
    const lines = await isolationLines(agentsFile(), fakeRun({ stderr: 'bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces\n' }));
    expect(lines.join('\n')).toMatch(/unavailable: bwrap cannot create a sandbox here: bwrap: No permissions to creating new namespace[^\n]*\n +fix: +allow unprivileged user namespaces/);
  });

  it('where bwrap works: available', async () => {
    expect(await isolationLines(agentsFile(), fakeRun({ status: 0 }))).toEqual(['  sandbox:   available (bubblewrap): an isolated agent sees only its folder, its build and the system', '  agents:    boxed']);
  });
});
