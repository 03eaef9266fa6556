import { describe, expect, it } from 'vitest';
import { BwrapIsolation, bwrapArguments, IsolationError, probeIsolation, type HostPath } from '../src/isolation.js';
import { AgentProcess } from '../src/supervisor/index.js';
import { fixtureOptions } from './supervisor/helpers.js';

// The sandbox's arguments, built without running bwrap (the e2e test in
// packages/cli/test/isolation.e2e.test.ts runs it where it can).

const host: HostPath[] = [
  { path: '/usr', kind: 'bind', source: '/usr' },
  { path: '/bin', kind: 'symlink', source: 'usr/bin' },
  { path: '/etc/resolv.conf', kind: 'bind', source: '/run/systemd/resolve/stub-resolv.conf' },
];
const home = '/home/ana/.config/opperator';
const plan = { agentDir: `${home}/agents/mail`, readOnly: ['/opt/node/bin/node', `${home}/state/build/mail`], protectedPaths: [home, `${home}/run`] };

/** The pairs following each occurrence of `flag`. */
const pairs = (args: string[], flag: string) => args.flatMap((arg, i) => (arg === flag ? [`${args[i + 1]} -> ${args[i + 2]}`] : []));

describe('bwrapArguments', () => {
  it('gives new pid, IPC and UTS namespaces, keeps the network, and dies with the daemon', () => {
    const args = bwrapArguments(plan, host);
    expect(args).toEqual(expect.arrayContaining(['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--die-with-parent']));
    expect(args).not.toContain('--unshare-net');
    expect(args).not.toContain('--unshare-all');
    // A new session would take the agent out of the process group the daemon stops.
    expect(args).not.toContain('--new-session');
  });

  it('binds the system and the build read-only, only the agent folder read-write, with private /tmp, /proc and /dev', () => {
    const args = bwrapArguments(plan, host);
    expect(pairs(args, '--ro-bind')).toEqual(['/usr -> /usr', '/run/systemd/resolve/stub-resolv.conf -> /etc/resolv.conf', '/opt/node/bin/node -> /opt/node/bin/node', `${home}/state/build/mail -> ${home}/state/build/mail`]);
    expect(pairs(args, '--symlink')).toEqual(['usr/bin -> /bin']);
    expect(pairs(args, '--bind')).toEqual([`${home}/agents/mail -> ${home}/agents/mail`]);
    expect(args.join(' ')).toContain('--proc /proc --dev /dev --tmpfs /tmp');
    expect(args.slice(-2)).toEqual(['--chdir', `${home}/agents/mail`]);
    // Nothing else of the home: no agents.yaml, secrets, run/ or other agents.
    expect(args.filter((arg) => arg.startsWith(home) && !arg.startsWith(`${home}/agents/mail`) && !arg.startsWith(`${home}/state/build/mail`))).toEqual([]);
  });

  it('refuses a read-only path that would contain the home (a node binary folder above it, say)', () => {
    expect(() => bwrapArguments({ ...plan, readOnly: ['/home/ana'] }, host)).toThrow(IsolationError);
    expect(() => bwrapArguments(plan, [...host, { path: '/home', kind: 'bind', source: '/home' }])).toThrow(/would expose \/home\/ana\/.config\/opperator/);
  });
});

describe('BwrapIsolation', () => {
  const run = { name: 'mail', command: '/opt/node/bin/node', args: ['runner.mjs', 'agent.mjs'], cwd: `${home}/agents/mail`, env: { PATH: '/usr/bin', HOME: '/home/ana', XDG_RUNTIME_DIR: '/run/user/1000' } };

  it('wraps the command after --, with HOME set to the agent folder and no XDG_RUNTIME_DIR', () => {
    const isolation = new BwrapIsolation({ searchPath: '', protectedPaths: [home], readOnlyPaths: (name) => [`${home}/state/build/${name}`], probe: () => ({ available: true, bwrap: '/usr/bin/bwrap' }), host: () => host });
    const wrapped = isolation.wrap(run);
    if ('unavailable' in wrapped) throw new Error(wrapped.unavailable);
    expect(wrapped.command).toBe('/usr/bin/bwrap');
    expect(wrapped.args.slice(wrapped.args.indexOf('--'))).toEqual(['--', '/opt/node/bin/node', 'runner.mjs', 'agent.mjs']);
    expect(wrapped.env).toEqual({ PATH: '/usr/bin', HOME: `${home}/agents/mail`, TMPDIR: '/tmp' });
  });

  it('reports the cause and the fix when bwrap cannot run, and probes again at the next start', () => {
    let probes = 0;
    const isolation = new BwrapIsolation({ searchPath: '', protectedPaths: [home], readOnlyPaths: () => [], host: () => host, probe: () => {
      probes += 1;
      return { available: false, reason: 'no-namespaces', detail: 'bwrap cannot create a sandbox: No permissions to create new namespace', fix: 'allow unprivileged user namespaces' };
    } });
    expect(isolation.wrap(run)).toEqual({ unavailable: expect.stringMatching(/isolate: true.*No permissions to create new namespace.*Fix: allow unprivileged user namespaces.*not started unisolated/) });
    isolation.wrap(run);
    expect(probes).toBe(2);
  });
});

describe('probeIsolation', () => {
  it('says where bwrap is missing, with the package to install', () => {
    expect(probeIsolation('/nonexistent-dir', 'linux')).toMatchObject({ available: false, reason: 'missing', fix: expect.stringContaining('apt-get install bubblewrap') });
  });

  it('says isolation is Linux only elsewhere', () => {
    expect(probeIsolation('/usr/bin', 'darwin')).toMatchObject({ available: false, reason: 'unsupported-platform', detail: expect.stringContaining('Linux only') });
  });
});

describe('an AgentProcess asked to isolate', () => {
  it('fails to start with AGENT_ISOLATION_UNAVAILABLE, spawning nothing, when isolation is unavailable', async () => {
    let spawned = false;
    const agent = new AgentProcess(fixtureOptions('forever', [], { isolate: true, isolation: { wrap: () => ({ unavailable: 'asks for isolation, but bwrap is missing' }) }, spawn: () => { spawned = true; throw new Error('must not spawn'); } }));
    await expect(agent.start()).rejects.toMatchObject({ code: 'AGENT_ISOLATION_UNAVAILABLE', message: expect.stringContaining('bwrap is missing') });
    expect(spawned).toBe(false);
    expect(agent.state).toBe('crashed');
  });

  it('fails the same way when the daemon has no isolation at all', async () => {
    const agent = new AgentProcess(fixtureOptions('forever', [], { isolate: true }));
    await expect(agent.start()).rejects.toMatchObject({ code: 'AGENT_ISOLATION_UNAVAILABLE' });
  });
});
