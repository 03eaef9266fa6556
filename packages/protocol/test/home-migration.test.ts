import { existsSync } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOME_MIGRATION_MARKER, homeLayout, legacyDaemonSocket, migrateHome, oldHomePending, type HomeLayout } from '../src/index.js';

// The one-time move of a home of the single-folder layout (everything in
// ~/.config/opperator) to the XDG places: nothing lost, nothing replaced,
// never under a running daemon of the old layout, once.

let root: string;
let layout: HomeLayout;
const uid = process.getuid?.() ?? 0;
const migrate = (target = layout) => migrateHome(target, { uid, runtimeDir: undefined, now: () => new Date('2026-12-06T00:00:00Z') });

async function put(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** An old home as the earlier versions left it, with one file of each kind. */
async function oldHome(): Promise<string> {
  const old = layout.config;
  await put(join(old, 'agents.yaml'), 'agents:\n  - name: mail\n');
  await put(join(old, 'agents', 'mail', 'agent.ts'), 'export default class {}\n');
  await put(join(old, 'deleted-agents', 'old-1', 'agent.ts'), 'deleted\n');
  await put(join(old, 'state', 'tasks.json'), '{"tasks":[1]}');
  await put(join(old, 'state', 'daemon.log'), 'old daemon log\n');
  await put(join(old, 'state', 'logs', 'mail.log'), 'mail log\n');
  await put(join(old, 'state', 'sections', 'mail.json'), '{}');
  await put(join(old, 'state', 'build', 'mail', 'agent.mjs'), 'built\n');
  await put(join(old, 'secrets', 'secrets.json'), '{"version":1,"values":{"a":"1"}}');
  await put(join(old, 'secrets', 'registry.json'), '{"version":1,"secrets":{}}');
  // What a daemon killed with SIGKILL leaves: a pid that no longer runs.
  await put(join(old, 'run', 'daemon.pid'), '999999999\n');
  return old;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'opperator-migration-'));
  layout = homeLayout({ HOME: join(root, 'home'), XDG_CONFIG_HOME: join(root, 'config'), XDG_STATE_HOME: join(root, 'state'), XDG_CACHE_HOME: join(root, 'cache'), XDG_DATA_HOME: join(root, 'data') });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('migrateHome', () => {
  it('does nothing with OPPERATOR_HOME set, or when there is no old home (and writes nothing then)', async () => {
    const forced = homeLayout({ OPPERATOR_HOME: join(root, 'forced') });
    await put(join(forced.config, 'state', 'tasks.json'), '{}');
    expect(await migrate(forced)).toEqual({ outcome: 'nothing' });
    expect(await readdir(join(forced.config, 'state'))).toEqual(['tasks.json']);
    await put(join(layout.config, 'agents.yaml'), 'agents: []\n');
    expect(await migrate()).toEqual({ outcome: 'nothing' });
    expect(existsSync(layout.state)).toBe(false);
  });

  it('moves state, the build cache and the secrets apart, keeps the configuration, loses nothing, and runs once', async () => {
    const old = await oldHome();
    const result = await migrate();
    expect(result.outcome).toBe('migrated');
    if (result.outcome !== 'migrated') return;
    expect(result.kept).toEqual([]);
    expect(result.report).toBe(
      `moved Opperator's files out of ${old} (configuration stays there): state/build/ → ${layout.cache}/build, state/ → ${layout.state}, secrets/ → ${layout.data}/secrets`,
    );
    expect((await readdir(old)).sort()).toEqual(['agents', 'agents.yaml', 'deleted-agents']);
    expect(await readFile(join(layout.state, 'tasks.json'), 'utf8')).toBe('{"tasks":[1]}');
    expect(await readFile(join(layout.state, 'daemon.log'), 'utf8')).toBe('old daemon log\n');
    expect(await readFile(join(layout.state, 'logs', 'mail.log'), 'utf8')).toBe('mail log\n');
    expect(await readFile(join(layout.state, 'sections', 'mail.json'), 'utf8')).toBe('{}');
    expect(await readFile(join(layout.cache, 'build', 'mail', 'agent.mjs'), 'utf8')).toBe('built\n');
    expect(existsSync(join(layout.state, 'build'))).toBe(false);
    expect(await readFile(join(layout.data, 'secrets', 'secrets.json'), 'utf8')).toBe('{"version":1,"values":{"a":"1"}}');
    expect(await readFile(join(layout.data, 'secrets', 'registry.json'), 'utf8')).toBe('{"version":1,"secrets":{}}');
    const marker = JSON.parse(await readFile(join(layout.state, HOME_MIGRATION_MARKER), 'utf8')) as { from: string; at: string };
    expect(marker).toMatchObject({ from: old, at: '2026-12-06T00:00:00.000Z' });

    // Once: an old-layout file appearing later (an older opperator run again) is left alone.
    await put(join(old, 'state', 'tasks.json'), 'later');
    expect(await migrate()).toEqual({ outcome: 'nothing' });
    expect(await readFile(join(old, 'state', 'tasks.json'), 'utf8')).toBe('later');
  });

  it('never replaces a file at the destination: merges folders, keeps the old file where it was, and says so', async () => {
    const old = await oldHome();
    await put(join(layout.state, 'tasks.json'), 'newer tasks');
    await put(join(layout.state, 'logs', 'other.log'), 'other log\n');
    const result = await migrate();
    expect(result.outcome).toBe('migrated');
    if (result.outcome !== 'migrated') return;
    expect(result.kept).toEqual([{ from: join(old, 'state', 'tasks.json'), to: join(layout.state, 'tasks.json') }]);
    expect(result.report).toContain(`kept ${join(old, 'state', 'tasks.json')} where it was, since its destination exists`);
    expect(await readFile(join(layout.state, 'tasks.json'), 'utf8')).toBe('newer tasks');
    expect(await readFile(join(old, 'state', 'tasks.json'), 'utf8')).toBe('{"tasks":[1]}');
    expect((await readdir(join(layout.state, 'logs'))).sort()).toEqual(['mail.log', 'other.log']);
    expect(await readdir(join(old, 'state'))).toEqual(['tasks.json']);
  });

  it('refuses while a daemon of the old layout answers on its socket, touching nothing; moves once it is gone', async () => {
    const old = await oldHome();
    await writeFile(join(old, 'run', 'daemon.pid'), `${process.pid}\n`);
    const socketPath = join(old, 'run', 'daemon.sock');
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      expect(legacyDaemonSocket(layout, { uid })).toBe(socketPath);
      const result = await migrate();
      expect(result).toMatchObject({ outcome: 'blocked', pid: process.pid });
      if (result.outcome === 'blocked') expect(result.message).toContain('opperator daemon stop');
      expect(existsSync(layout.state)).toBe(false);
      expect(await readFile(join(old, 'state', 'tasks.json'), 'utf8')).toBe('{"tasks":[1]}');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    await writeFile(join(old, 'run', 'daemon.pid'), '999999999\n');
    expect((await migrate()).outcome).toBe('migrated');
    // The old daemon's stale pid file and socket are gone with its run/ folder; its socket is no longer looked for.
    expect(existsSync(join(old, 'run'))).toBe(false);
    expect(legacyDaemonSocket(layout, { uid })).toBeUndefined();
  });

  it('refuses while the pid file names a live process and its socket is there, even if it does not answer yet', async () => {
    const old = await oldHome();
    await writeFile(join(old, 'run', 'daemon.pid'), `${process.pid}\n`);
    await writeFile(join(old, 'run', 'daemon.sock'), '');
    expect((await migrate()).outcome).toBe('blocked');
  });

  it('refuses while a sandbox the old layout started runs (it writes its store there), and not for a stopped one', async () => {
    const old = await oldHome();
    await put(join(old, 'state', 'sandbox.json'), JSON.stringify({ pid: process.pid, issuer: 'http://127.0.0.1:9440', clients: [] }));
    const result = await migrate();
    expect(result).toMatchObject({ outcome: 'blocked', pid: process.pid });
    if (result.outcome === 'blocked') expect(result.message).toContain('opperator sandbox stop');
    expect(oldHomePending(layout)).toBe(true);
    // Stopped: its record stays (client secrets), without a pid.
    await put(join(old, 'state', 'sandbox.json'), JSON.stringify({ clients: [] }));
    expect((await migrate()).outcome).toBe('migrated');
    expect(await readFile(join(layout.state, 'sandbox.json'), 'utf8')).toBe('{"clients":[]}');
    expect(oldHomePending(layout)).toBe(false);
  });

  it('copies, then removes, across filesystems', async (context) => {
    const shm = '/dev/shm';
    if (!(await access(shm).then(() => true, () => false))) return context.skip();
    const elsewhere = await mkdtemp(join(shm, 'opperator-migration-'));
    try {
      const old = await oldHome();
      const across = { ...layout, state: join(elsewhere, 'state'), cache: join(elsewhere, 'cache'), data: join(elsewhere, 'data') };
      expect((await migrate(across)).outcome).toBe('migrated');
      expect(await readFile(join(across.state, 'logs', 'mail.log'), 'utf8')).toBe('mail log\n');
      expect(await readFile(join(across.cache, 'build', 'mail', 'agent.mjs'), 'utf8')).toBe('built\n');
      expect(await readFile(join(across.data, 'secrets', 'secrets.json'), 'utf8')).toContain('"a":"1"');
      expect((await readdir(old)).sort()).toEqual(['agents', 'agents.yaml', 'deleted-agents']);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('two processes starting at once both finish, and every file is moved exactly once', async () => {
    const old = await oldHome();
    const results = await Promise.all([migrate(), migrate()]);
    expect(results.map((result) => result.outcome)).toEqual(['migrated', 'migrated']);
    expect((await readdir(old)).sort()).toEqual(['agents', 'agents.yaml', 'deleted-agents']);
    expect((await readdir(layout.state)).sort()).toEqual(['daemon.log', HOME_MIGRATION_MARKER, 'logs', 'sections', 'tasks.json']);
    expect(await readFile(join(layout.state, 'logs', 'mail.log'), 'utf8')).toBe('mail log\n');
  });
});
