import { cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXAMPLES_DIR, makeTempDir, runCli, waitForSection, type TempDir } from '@opperator/testing';

// `opperator agent add FOLDER` as a user runs it: the built CLI, a temp home,
// the repository's examples, real npm (from its cache when it can), a real daemon.

const MONITOR = join(EXAMPLES_DIR, 'invoice-monitor');
const MONITOR_SECRETS = ['invoice_monitor_gmail_client_id', 'invoice_monitor_gmail_client_secret'];

let home: TempDir;
let work: TempDir;
beforeEach(async () => {
  home = await makeTempDir('opperator-home-');
  work = await makeTempDir('opperator-add-src-');
});
afterEach(async () => {
  await runCli(['daemon', 'stop'], { env: { OPPERATOR_HOME: home.path } });
  await home.remove();
  await work.remove();
});
// npm answers from its cache when the package is there (the workspace's own install filled it).
const env = () => ({ OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file', npm_config_prefer_offline: 'true' });
const cli = (...args: string[]) => runCli(args, { env: env() });
const agentsYaml = async () => readFile(join(home.path, 'agents.yaml'), 'utf8');
const entries = async () => (parse(await agentsYaml()) as { agents: Array<Record<string, unknown>> }).agents;

/** A copy of an example, with the things a working folder accumulates that must never be copied into the home. */
async function usedCopyOf(example: string): Promise<string> {
  const dir = join(work.path, example);
  await cp(join(EXAMPLES_DIR, example), dir, { recursive: true });
  await writeFile(join(dir, 'token.json'), '{"refresh_token":"from-the-source-folder"}', { mode: 0o600 });
  await writeFile(join(dir, '.env'), 'SECRET=1\n');
  await writeFile(join(dir, '.env.example'), 'SECRET=\n');
  for (const folder of ['node_modules/left-over', '.git', 'dist']) await mkdir(join(dir, folder), { recursive: true });
  await writeFile(join(dir, 'node_modules', 'left-over', 'index.js'), '');
  await mkdir(join(dir, 'lib'));
  await writeFile(join(dir, 'lib', 'helper.ts'), 'export const x = 1;\n');
  return dir;
}

describe('opperator agent add', () => {
  it('adds examples/invoice-monitor in one command: copied, its dependencies installed, registered with its secrets, next steps printed, runs under the daemon', async () => {
    const added = await cli('agent', 'add', MONITOR);
    expect(added.code, added.stderr).toBe(0);
    const dir = join(home.path, 'agents', 'invoice-monitor');
    for (const secret of MONITOR_SECRETS) expect(added.stdout).toContain(`opperator secret set ${secret}`);
    expect(added.stdout).toContain('opperator agent start invoice-monitor');
    expect(added.stdout).toContain('opperator auth login invoice-monitor gmail');

    expect(await entries()).toEqual([
      expect.objectContaining({ name: 'invoice-monitor', entry: 'agent.ts', secrets: MONITOR_SECRETS, description: expect.stringContaining('Gmail') }),
    ]);
    // The repository-relative SDK path is gone; the agent's own dependency is installed.
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).toEqual(['@googleapis/gmail']);
    expect((await stat(join(dir, 'node_modules', '@googleapis', 'gmail', 'package.json'))).isFile()).toBe(true);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await readdir(join(home.path, 'agents'))).filter((name) => name.startsWith('.'))).toEqual([]);

    // It starts under the daemon, without its secrets yet: its sections say what to set.
    const started = await cli('agent', 'start', 'invoice-monitor');
    expect(started.code, started.stderr).toBe(0);
    const section = await waitForSection('invoice-monitor', 'oauth_gmail', 'Missing', { env: env() });
    expect(section).toContain('opperator secret set invoice_monitor_gmail_client_id');
    expect(await waitForSection('invoice-monitor', 'inbox', 'Not checked yet', { env: env() })).toContain('Not checked yet');
  }, 120_000);

  it('never copies node_modules, .git, dist, token.json or .env; refuses a second add without --force, naming the fixes', async () => {
    const source = await usedCopyOf('invoice-monitor');
    // What an add interrupted by Ctrl-C left behind (its process is gone) is cleaned up.
    await mkdir(join(home.path, 'agents', '.adding-invoice-monitor-99999999'), { recursive: true });
    const added = await cli('agent', 'add', source, '--no-install', '--json');
    expect(added.code, added.stderr).toBe(0);
    const result = JSON.parse(added.stdout) as { leftOut: Array<{ path: string; kind: string }>; installed: boolean; nextSteps: string[]; provided: Array<{ name: string }> };
    expect(result.leftOut).toEqual([
      { path: '.env', kind: 'state' },
      { path: '.git', kind: 'build' },
      { path: 'dist', kind: 'build' },
      { path: 'node_modules', kind: 'build' },
      { path: 'token.json', kind: 'state' },
    ]);
    expect(result.provided.map((p) => p.name)).toEqual(['@opperator/sdk']);
    expect(result.installed).toBe(false);
    expect(result.nextSteps[0]).toBe('opperator agent install invoice-monitor');
    const dir = join(home.path, 'agents', 'invoice-monitor');
    const copied = await readdir(dir);
    expect(copied).toEqual(expect.arrayContaining(['agent.ts', 'package.json', 'README.md', 'lib', '.env.example']));
    for (const name of ['token.json', '.env', '.git', 'dist']) expect(copied).not.toContain(name);
    expect(added.stderr).toBe('');
    expect(copied).not.toContain('node_modules');
    expect(await readdir(join(home.path, 'agents'))).toEqual(['invoice-monitor']);

    const again = await cli('agent', 'add', source, '--no-install');
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('already exists');
    expect(again.stderr).toContain('--name');
    expect(again.stderr).toContain('--force');
    // Under another name it is a second agent.
    expect((await cli('agent', 'add', source, '--no-install', '--name', 'invoices-2')).code).toBe(0);
    expect((await entries()).map((e) => e.name)).toEqual(['invoice-monitor', 'invoices-2']);
  }, 60_000);

  it('merges into an agents.yaml that has agents and comments: one agents: key, comments and other entries kept', async () => {
    const before = [
      '# My agents. Do not remove this comment.',
      'agents:',
      '  # the first one',
      '  - name: mine',
      '    description: my own agent   # it matters',
      '    start_with_daemon: true',
      '',
    ].join('\n');
    await writeFile(join(home.path, 'agents.yaml'), before);
    const added = await cli('agent', 'add', join(EXAMPLES_DIR, 'github-notifications'), '--env', 'GITHUB_NOTIFICATIONS_PROVIDER=sandbox');
    expect(added.code, added.stderr).toBe(0);
    const text = await agentsYaml();
    expect(text.match(/^agents:/gm)).toHaveLength(1);
    for (const comment of ['# My agents. Do not remove this comment.', '# the first one', '# it matters']) expect(text).toContain(comment);
    expect(await entries()).toEqual([
      { name: 'mine', description: 'my own agent', start_with_daemon: true },
      expect.objectContaining({ name: 'github-notifications', secrets: ['github_notifications_client_id'], env: { GITHUB_NOTIFICATIONS_PROVIDER: 'sandbox' } }),
    ]);
    expect(added.stdout).toContain('opperator secret set github_notifications_client_id');
    expect(added.stdout).toContain('opperator auth login github-notifications github');
    // The daemon reads the merged file; the added agent starts and shows its section.
    const started = await cli('agent', 'start', 'github-notifications');
    expect(started.code, started.stderr).toBe(0);
    expect(await waitForSection('github-notifications', 'oauth_github', 'Missing', { env: env() })).toContain('opperator secret set github_notifications_client_id');
  }, 60_000);

  it('--force replaces the copy and keeps its sign-in, its entry settings and the previous folder', async () => {
    const source = await usedCopyOf('github-notifications');
    expect((await cli('agent', 'add', source, '--env', 'GITHUB_NOTIFICATIONS_PROVIDER=sandbox')).code).toBe(0);
    const dir = join(home.path, 'agents', 'github-notifications');
    await writeFile(join(dir, 'token.json'), '{"refresh_token":"signed-in-here"}', { mode: 0o600 });
    await writeFile(join(source, 'agent.ts'), `${await readFile(join(source, 'agent.ts'), 'utf8')}\n// v2\n`);

    const replaced = await cli('agent', 'add', source, '--force', '--json');
    expect(replaced.code, replaced.stderr).toBe(0);
    const result = JSON.parse(replaced.stdout) as { entry: string; replaced: { movedTo: string; keptState: string[] }; nextSteps: string[] };
    expect(result.entry).toBe('updated');
    expect(result.replaced.keptState).toEqual(['token.json']);
    expect(result.nextSteps).toContain('opperator agent restart github-notifications');
    expect(await readFile(join(dir, 'agent.ts'), 'utf8')).toContain('// v2');
    expect(await readFile(join(dir, 'token.json'), 'utf8')).toContain('signed-in-here');
    expect(await readdir(result.replaced.movedTo)).toContain('agent.ts');
    expect(await entries()).toEqual([expect.objectContaining({ name: 'github-notifications', env: { GITHUB_NOTIFICATIONS_PROVIDER: 'sandbox' } })]);
  }, 60_000);

  it('refuses what is not an agent folder or not a valid name, saying what to change, and writes nothing', async () => {
    const empty = join(work.path, 'not-an-agent');
    await mkdir(empty);
    const noEntry = await cli('agent', 'add', empty);
    expect(noEntry.code).toBe(2);
    expect(noEntry.stderr).toContain('has no agent.ts');

    expect((await cli('agent', 'add', join(work.path, 'missing'))).code).toBe(3);

    const badName = join(work.path, 'Bad Name');
    await mkdir(badName);
    await writeFile(join(badName, 'agent.ts'), 'export default class {}\n');
    const invalid = await cli('agent', 'add', badName);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('--name NAME');
    expect((await cli('agent', 'add', badName, '--name', 'fine-name', '--no-install')).code).toBe(0);

    const typo = join(work.path, 'typo');
    await mkdir(typo);
    await writeFile(join(typo, 'agent.ts'), 'export default class {}\n');
    await writeFile(join(typo, 'package.json'), JSON.stringify({ name: 'typo', opperator: { secret: ['x'] } }));
    const wrongKey = await cli('agent', 'add', typo);
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toContain('unknown key "secret"');
    expect((await cli('agent', 'add', typo, '--env', 'not a pair')).code).toBe(2);

    expect((await entries()).map((e) => e.name)).toEqual(['fine-name']);
    expect(await readdir(join(home.path, 'agents'))).toEqual(['fine-name']);
  }, 60_000);
});
