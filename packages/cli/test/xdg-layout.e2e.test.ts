import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, makeAgentHome, makeTempDir, runCli, type TempDir } from '@opperator/testing';

// Files where users expect them (issue 16): without OPPERATOR_HOME the
// configuration stays in $XDG_CONFIG_HOME/opperator and state, cache,
// secrets file and socket go to their XDG places; an old single-folder
// home moves there once; OPPERATOR_HOME still keeps everything in one
// folder. The built CLI and daemon as child processes, HOME and every
// XDG_* variable pointed into a temporary directory.

const workerSource = () => readFile(new URL('./fixtures/worker-agent.ts', import.meta.url), 'utf8');

/** A temporary HOME with every XDG directory inside, and agents.yaml + agents/worker in the config directory. */
async function xdgRoot(): Promise<{ root: TempDir; env: Record<string, string | undefined>; dirs: Record<'config' | 'state' | 'cache' | 'data' | 'run', string> }> {
  const root = await makeTempDir('opperator-xdg-');
  const agents = await makeAgentHome([{ name: 'worker', source: await workerSource(), yaml: 'auto_restart: false\nstart_with_daemon: true' }]);
  await mkdir(join(root.path, 'config'));
  await rename(agents.path, join(root.path, 'config', 'opperator'));
  await mkdir(join(root.path, 'runtime'), { mode: 0o700 });
  await chmod(join(root.path, 'runtime'), 0o700);
  const env = {
    OPPERATOR_HOME: undefined,
    OPPERATOR_SECRET_STORE: 'file',
    HOME: join(root.path, 'home'),
    XDG_CONFIG_HOME: join(root.path, 'config'),
    XDG_STATE_HOME: join(root.path, 'state'),
    XDG_CACHE_HOME: join(root.path, 'cache'),
    XDG_DATA_HOME: join(root.path, 'data'),
    XDG_RUNTIME_DIR: join(root.path, 'runtime'),
  };
  const dirs = {
    config: join(root.path, 'config', 'opperator'),
    state: join(root.path, 'state', 'opperator'),
    cache: join(root.path, 'cache', 'opperator'),
    data: join(root.path, 'data', 'opperator'),
    run: join(root.path, 'runtime', 'opperator'),
  };
  return { root, env, dirs };
}

async function waitForState(cli: (...args: string[]) => ReturnType<typeof runCli>, name: string, state: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    const list = JSON.parse((await cli('agent', 'list', '--json')).stdout || '[]') as Array<{ name: string; state: string }>;
    if (list.find((a) => a.name === name)?.state === state) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} never became ${state}`);
}

describe('the XDG layout, without OPPERATOR_HOME', () => {
  let root: TempDir;
  let env: Record<string, string | undefined>;
  let dirs: Awaited<ReturnType<typeof xdgRoot>>['dirs'];
  const cli = (...args: string[]) => runCli(args, { env });
  beforeAll(async () => {
    ({ root, env, dirs } = await xdgRoot());
  });
  afterAll(async () => {
    await cli('daemon', 'stop');
    await root?.remove();
  });

  it('puts the state, the build cache, the secrets file and the socket each in its XDG place, and nothing else in the config directory', async () => {
    const set = await cli('secret', 'set', 'token_name', 'value-1');
    expect(set.code, set.stderr).toBe(0);
    const started = await cli('daemon', 'start');
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toContain(join(dirs.state, 'daemon.log'));
    await waitForState(cli, 'worker', 'running');
    expect((await cli('agent', 'invoke', 'worker', 'count')).code).toBe(0);

    expect((await readdir(dirs.config)).sort()).toEqual(['agents', 'agents.yaml']);
    expect(await readdir(join(dirs.config, 'agents'))).toEqual(['worker']);
    const state = await readdir(dirs.state);
    for (const name of ['daemon.log', 'logs', 'tasks.json', 'wanted-agents.json', 'agent-processes']) expect(state).toContain(name);
    expect(await readdir(join(dirs.state, 'logs'))).toContain('worker.log');
    expect(await readdir(join(dirs.cache, 'build'))).toEqual(['worker']);
    expect((await readdir(join(dirs.data, 'secrets'))).sort()).toEqual(['registry.json', 'secrets.json']);
    expect((await readdir(dirs.run)).sort()).toEqual(['daemon.pid', 'daemon.sock']);
    // Nothing was there to move: no move is reported, no marker written.
    expect(set.stderr + started.stderr).not.toContain('moved');
    expect(existsSync(join(dirs.state, 'home-migration.json'))).toBe(false);
  }, 60_000);

  it('daemon status --json and doctor show the directories', async () => {
    const status = JSON.parse((await cli('daemon', 'status', '--json')).stdout) as { home: string; paths: Record<string, unknown> };
    expect(status.home).toBe(dirs.config);
    expect(status.paths).toEqual({ ...dirs, socket: join(dirs.run, 'daemon.sock'), forced: false });
    const doctor = await cli('doctor');
    expect(doctor.stdout).toMatch(new RegExp(`state: +${dirs.state} `));
    expect(doctor.stdout).toMatch(new RegExp(`cache: +${dirs.cache} `));
    expect(doctor.stdout).toMatch(new RegExp(`data: +${join(dirs.data, 'secrets')} `));
    expect(doctor.stdout).toMatch(new RegExp(`socket: +${join(dirs.run, 'daemon.sock')}`));
  });

  it('daemon install writes the XDG directories as resolved here into the service, not OPPERATOR_HOME', async () => {
    const printed = await cli('daemon', 'install', '--print');
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).not.toContain('OPPERATOR_HOME');
    for (const name of ['XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'XDG_CACHE_HOME', 'XDG_DATA_HOME', 'XDG_RUNTIME_DIR']) expect(printed.stdout).toContain(`Environment="${name}=${env[name]}"`);
  });

  it('the daemon stop removes the socket and pid file from the runtime directory', async () => {
    expect((await cli('daemon', 'stop')).code).toBe(0);
    expect(await readdir(dirs.run)).toEqual([]);
  }, 30_000);
});

describe('an existing single-folder home moves to the XDG places once', () => {
  let root: TempDir;
  let env: Record<string, string | undefined>;
  let dirs: Awaited<ReturnType<typeof xdgRoot>>['dirs'];
  const cli = (...args: string[]) => runCli(args, { env });
  // What earlier versions did by default: everything in $XDG_CONFIG_HOME/opperator (which OPPERATOR_HOME reproduces).
  const oldCli = (...args: string[]) => runCli(args, { env: { ...env, OPPERATOR_HOME: dirs.config } });
  const unitPath = () => join(root.path, 'config', 'systemd', 'user', 'opperator.service');
  beforeAll(async () => {
    ({ root, env, dirs } = await xdgRoot());
    // As `daemon install` wrote it before the XDG layout: its daemon would keep using the old folder.
    await mkdir(dirname(unitPath()), { recursive: true });
    await writeFile(unitPath(), `[Service]\nEnvironment="OPPERATOR_HOME=${dirs.config}"\n`);
    expect((await oldCli('secret', 'set', 'kept_secret', 'old-value')).code).toBe(0);
    expect((await oldCli('daemon', 'start')).code).toBe(0);
    await waitForState(oldCli, 'worker', 'running');
    expect((await oldCli('agent', 'invoke', 'worker', 'count')).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await oldCli('daemon', 'stop');
    await cli('daemon', 'stop');
    await root?.remove();
  });

  it('refuses while the old daemon runs, touching nothing, and says to stop it', async () => {
    const refused = await cli('agent', 'list');
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('opperator daemon stop');
    expect(refused.stderr).toContain(dirs.config);
    expect(existsSync(dirs.state)).toBe(false);
    expect((await readdir(dirs.config)).sort()).toEqual(['agents', 'agents.yaml', 'run', 'secrets', 'state']);
    // Help and a mistyped command are not held back by it.
    expect((await cli('help', 'daemon')).code).toBe(0);
    const typo = await cli('agnet', 'list');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown command 'agnet'");
    // `daemon status` reaches the old daemon, so the user can see what runs.
    const status = await cli('daemon', 'status', '--json');
    expect(JSON.parse(status.stdout)).toMatchObject({ home: dirs.config });
  });

  it('`daemon stop` stops the old daemon, then moves state, cache and secrets file, in one line on stderr', async () => {
    const taskIds = (JSON.parse(await readFile(join(dirs.config, 'state', 'tasks.json'), 'utf8')) as Array<{ id: string }>).map((task) => task.id);
    expect(taskIds.length).toBeGreaterThan(0);
    const oldLog = await readFile(join(dirs.config, 'state', 'logs', 'worker.log'), 'utf8');
    const stopped = await cli('daemon', 'stop');
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toContain('Daemon stopped.');
    const lines = stopped.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`moved Opperator's files out of ${dirs.config}`);
    expect(lines[0]).toContain(`state/ → ${dirs.state}`);
    expect(lines[0]).toContain(`state/build/ → ${join(dirs.cache, 'build')}`);
    expect(lines[0]).toContain(`secrets/ → ${join(dirs.data, 'secrets')}`);
    expect(lines[0]).toContain(`; ${unitPath()} still keeps everything in ${dirs.config}: run opperator daemon install again`);

    expect((await readdir(dirs.config)).sort()).toEqual(['agents', 'agents.yaml']);
    // The old daemon wrote its last lines (the agent stopping) before it exited, before the move.
    expect((JSON.parse(await readFile(join(dirs.state, 'tasks.json'), 'utf8')) as Array<{ id: string }>).map((task) => task.id)).toEqual(taskIds);
    expect((await readFile(join(dirs.state, 'logs', 'worker.log'), 'utf8')).startsWith(oldLog)).toBe(true);
    expect(await readdir(join(dirs.cache, 'build'))).toEqual(['worker']);
    expect((await readdir(join(dirs.data, 'secrets'))).sort()).toEqual(['registry.json', 'secrets.json']);
  }, 30_000);

  it('nothing is lost: the secret and the task read back; it runs once; the daemon starts in the new places with the agent left running', async () => {
    const secret = await cli('secret', 'get', 'kept_secret');
    expect(secret.stdout.trim()).toBe('old-value');
    expect(secret.stderr).toBe('');
    const tasks = JSON.parse((await cli('task', 'list', '--json')).stdout) as unknown[];
    expect(tasks.length).toBeGreaterThan(0);
    expect((await readdir(dirs.run)).sort()).toEqual(['daemon.pid', 'daemon.sock']);
    await waitForState(cli, 'worker', 'running');
    expect((await readdir(dirs.config)).sort()).toEqual(['agents', 'agents.yaml']);
  }, 60_000);

  it('doctor names a service installed by the old layout (it forces OPPERATOR_HOME) and says to install it again', async () => {
    const unit = unitPath();
    const doctor = await cli('doctor');
    expect(doctor.stdout).toMatch(new RegExp(`service: +${unit} keeps everything in one folder \\(OPPERATOR_HOME\\); to use the places above: opperator daemon install`));
    // With OPPERATOR_HOME set, that service is the right one.
    expect((await oldCli('doctor')).stdout).not.toContain('service:');
  });
});

describe('OPPERATOR_HOME still puts everything in one folder', () => {
  let root: TempDir;
  let home: TempDir;
  let env: Record<string, string | undefined>;
  const cli = (...args: string[]) => runCli(args, { env });
  beforeAll(async () => {
    ({ root, env } = await xdgRoot());
    home = await makeAgentHome([{ name: 'worker', source: await workerSource(), yaml: 'auto_restart: false\nstart_with_daemon: true' }]);
    env = { ...env, OPPERATOR_HOME: home.path };
  });
  afterAll(async () => {
    await cli('daemon', 'stop');
    await home?.remove();
    await root?.remove();
  });

  it('state, build cache, secrets and socket stay inside OPPERATOR_HOME at their old subpaths, whatever XDG_* say', async () => {
    expect((await cli('secret', 'set', 'one', 'v')).code).toBe(0);
    expect((await cli('daemon', 'start')).code).toBe(0);
    await waitForState(cli, 'worker', 'running');
    expect((await readdir(home.path)).sort()).toEqual(['agents', 'agents.yaml', 'run', 'secrets', 'state']);
    expect((await readdir(join(home.path, 'run'))).sort()).toEqual(['daemon.pid', 'daemon.sock']);
    expect(await readdir(join(home.path, 'state', 'build'))).toEqual(['worker']);
    expect(await readdir(join(home.path, 'state'))).toContain('daemon.log');
    for (const dir of ['state', 'cache', 'data']) expect(existsSync(join(root.path, dir))).toBe(false);
    expect(await readdir(join(root.path, 'runtime'))).toEqual([]);
    const status = JSON.parse((await cli('daemon', 'status', '--json')).stdout) as { paths: { forced: boolean; socket: string } };
    expect(status.paths).toMatchObject({ forced: true, socket: join(home.path, 'run', 'daemon.sock') });
  }, 60_000);
});

describe('a daemon started by a service manager moves an old home itself', () => {
  let root: TempDir;
  let env: Record<string, string | undefined>;
  let dirs: Awaited<ReturnType<typeof xdgRoot>>['dirs'];
  const cli = (...args: string[]) => runCli(args, { env });
  const oldCli = (...args: string[]) => runCli(args, { env: { ...env, OPPERATOR_HOME: dirs.config } });
  beforeAll(async () => {
    ({ root, env, dirs } = await xdgRoot());
    expect((await oldCli('secret', 'set', 'kept_secret', 'old-value')).code).toBe(0);
    expect((await oldCli('daemon', 'start')).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await oldCli('daemon', 'stop');
    await cli('daemon', 'stop');
    await root?.remove();
  });

  /** The daemon bundle in the foreground, as systemd or launchd run it; resolves with its exit code once it exits, or its first stdout line once it is ready. */
  function runDaemon(): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const { DBUS_SESSION_BUS_ADDRESS: _bus, ...base } = process.env;
    const child = spawn(process.execPath, [join(dirname(CLI_PATH), 'daemon.js')], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    return new Promise((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('ready')) resolve({ code: null, stdout, stderr });
      });
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('refuses to start (exit 1) while the old daemon runs, and starts after moving the files once it is stopped', async () => {
    const refused = await runDaemon();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('opperator daemon stop');
    expect(existsSync(dirs.state)).toBe(false);
    expect((await oldCli('daemon', 'stop')).code).toBe(0);

    const started = await runDaemon();
    expect(started.code, started.stderr).toBeNull();
    expect(started.stderr).toContain(`opperator daemon: moved Opperator's files out of ${dirs.config}`);
    expect(started.stdout).toContain(join(dirs.run, 'daemon.sock'));
    expect((await readdir(dirs.config)).sort()).toEqual(['agents', 'agents.yaml']);
    expect((await cli('secret', 'get', 'kept_secret')).stdout.trim()).toBe('old-value');
  }, 60_000);
});
