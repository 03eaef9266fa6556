import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, type TempDir } from '@opperator/testing';

// bootstrap, install and delete, with and without a running daemon, as real processes.

let home: TempDir;
beforeEach(async () => {
  home = await makeTempDir('opperator-home-');
});
afterEach(async () => {
  await runCli(['daemon', 'stop'], { env: { OPPERATOR_HOME: home.path } });
  await home.remove();
});
const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });

describe('opperator agent bootstrap|install|delete', () => {
  it('bootstraps a runnable agent (agent.ts alone: the runtime provides the SDK), registered in agents.yaml, picked up by a running daemon', async () => {
    await writeFile(join(home.path, 'agents.yaml'), '# my agents\nagents: []\n');
    expect((await cli('daemon', 'start')).code).toBe(0);
    const created = await cli('agent', 'bootstrap', 'mail-watch');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('opperator agent start mail-watch');
    const yaml = await readFile(join(home.path, 'agents.yaml'), 'utf8');
    expect(yaml).toContain('# my agents');
    expect(yaml).toMatch(/- name: mail-watch/);
    expect(await readdir(join(home.path, 'agents', 'mail-watch'))).not.toContain('node_modules');

    expect((await cli('agent', 'start', 'mail-watch')).code).toBe(0);
    const hello = await cli('agent', 'invoke', 'mail-watch', 'hello', '--args', '{"name":"Ana"}', '--json');
    expect(JSON.parse(hello.stdout)).toEqual({ message: 'Hello, Ana!' });
    expect(JSON.parse((await cli('agent', 'sections', 'mail-watch', '--json')).stdout)).toHaveLength(1);

    expect((await cli('agent', 'bootstrap', 'mail-watch')).code).toBe(4);
    expect((await cli('agent', 'bootstrap', 'Mail Watch')).code).toBe(2);
    expect((await cli('agent', 'bootstrap', 'x', '--template', 'fancy')).code).toBe(2);
  }, 40_000);

  it('starts the daemon when a command needs one', async () => {
    expect((await cli('agent', 'bootstrap', 'auto')).code).toBe(0);
    expect((await cli('daemon', 'status')).code).toBe(5);
    const started = await cli('agent', 'start', 'auto');
    expect(started.code).toBe(0);
    expect(started.stderr).toMatch(/started the daemon \(pid \d+\)/);
    expect((await cli('daemon', 'status')).code).toBe(0);
  }, 40_000);

  it("installs an agent's own dependencies, and the agent still runs on the runtime's SDK", async () => {
    expect((await cli('agent', 'bootstrap', 'with-deps')).code).toBe(0);
    const local = join(home.path, 'local-lib');
    await mkdir(local);
    await writeFile(join(local, 'package.json'), JSON.stringify({ name: 'local-lib', version: '1.0.0', type: 'module', main: 'index.js' }));
    await writeFile(join(local, 'index.js'), 'export const answer = 42;\n');
    const manifestPath = join(home.path, 'agents', 'with-deps', 'package.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.dependencies['local-lib'] = `file:${local}`;
    await writeFile(manifestPath, JSON.stringify(manifest));
    const installed = await cli('agent', 'install', 'with-deps');
    expect(installed, installed.stderr).toMatchObject({ code: 0 });
    const modules = join(home.path, 'agents', 'with-deps', 'node_modules');
    expect(await readdir(modules)).toContain('local-lib');
    expect(await readdir(modules)).not.toContain('@opperator');
    expect((await cli('agent', 'start', 'with-deps')).code).toBe(0);
    expect(JSON.parse((await cli('agent', 'invoke', 'with-deps', 'hello', '--args', '{"name":"Bo"}', '--json')).stdout)).toEqual({ message: 'Hello, Bo!' });
  }, 60_000);

  it('deletes an agent: out of agents.yaml and the daemon, folder moved aside with its files', async () => {
    expect((await cli('agent', 'bootstrap', 'temp-agent')).code).toBe(0);
    await writeFile(join(home.path, 'agents', 'temp-agent', 'token.json'), '{"keep":"me"}');
    expect((await cli('daemon', 'start')).code).toBe(0);
    expect((await cli('agent', 'start', 'temp-agent')).code).toBe(0);
    const deleted = await cli('agent', 'delete', 'temp-agent');
    expect(deleted.code).toBe(0);
    expect(JSON.parse((await cli('agent', 'list', '--json')).stdout)).toEqual([]);
    expect(await readFile(join(home.path, 'agents.yaml'), 'utf8')).not.toContain('temp-agent');
    const [moved] = await readdir(join(home.path, 'deleted-agents'));
    expect(await readFile(join(home.path, 'deleted-agents', moved!, 'token.json'), 'utf8')).toBe('{"keep":"me"}');
    expect((await cli('agent', 'delete', 'temp-agent')).code).toBe(3);
  }, 40_000);
});
