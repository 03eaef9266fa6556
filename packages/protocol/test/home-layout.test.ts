import { describe, expect, it } from 'vitest';
import { controlSocketLocation, homeLayout, homePaths, xdgBaseDirectories } from '../src/index.js';

// Where each kind of file goes (issue 16, "Files where users expect them").

describe('homeLayout', () => {
  it('without OPPERATOR_HOME: the XDG defaults under HOME, the run directory in the state directory when there is no XDG_RUNTIME_DIR', () => {
    expect(homeLayout({ HOME: '/home/ana' })).toEqual({
      forced: false,
      config: '/home/ana/.config/opperator',
      state: '/home/ana/.local/state/opperator',
      cache: '/home/ana/.cache/opperator',
      data: '/home/ana/.local/share/opperator',
      run: '/home/ana/.local/state/opperator/run',
    });
  });

  it('each XDG variable moves its own directory; XDG_RUNTIME_DIR takes the socket and pid file', () => {
    expect(
      homeLayout({ HOME: '/home/ana', XDG_CONFIG_HOME: '/c', XDG_STATE_HOME: '/s', XDG_CACHE_HOME: '/k', XDG_DATA_HOME: '/d', XDG_RUNTIME_DIR: '/run/user/1000' }),
    ).toEqual({ forced: false, config: '/c/opperator', state: '/s/opperator', cache: '/k/opperator', data: '/d/opperator', run: '/run/user/1000/opperator' });
  });

  it('ignores empty and relative XDG values, as the XDG Base Directory specification asks', () => {
    const layout = homeLayout({ HOME: '/home/ana', XDG_CONFIG_HOME: '', XDG_STATE_HOME: 'relative/state', XDG_RUNTIME_DIR: 'run' });
    expect(layout.config).toBe('/home/ana/.config/opperator');
    expect(layout.state).toBe('/home/ana/.local/state/opperator');
    expect(layout.run).toBe('/home/ana/.local/state/opperator/run');
  });

  it('with OPPERATOR_HOME: everything in that one folder, at the subpaths it always had, whatever the XDG variables say', () => {
    const layout = homeLayout({ OPPERATOR_HOME: '/tmp/h', HOME: '/home/ana', XDG_STATE_HOME: '/s', XDG_CACHE_HOME: '/k', XDG_DATA_HOME: '/d', XDG_RUNTIME_DIR: '/run/user/1000' });
    expect(layout).toEqual({ forced: true, config: '/tmp/h', state: '/tmp/h/state', cache: '/tmp/h/state', data: '/tmp/h', run: '/tmp/h/run' });
    expect(homePaths(layout)).toEqual({
      agentsFile: '/tmp/h/agents.yaml',
      agentsDir: '/tmp/h/agents',
      buildDir: '/tmp/h/state/build',
      secretsDir: '/tmp/h/secrets',
      daemonLog: '/tmp/h/state/daemon.log',
      wantedAgentsFile: '/tmp/h/state/wanted-agents.json',
      agentProcessesDir: '/tmp/h/state/agent-processes',
      tuiStateFile: '/tmp/h/state/tui.json',
      pidFile: '/tmp/h/run/daemon.pid',
    });
  });

  it('names each file in its kind of directory', () => {
    const paths = homePaths(homeLayout({ HOME: '/h', XDG_RUNTIME_DIR: '/r' }));
    expect(paths).toMatchObject({
      agentsFile: '/h/.config/opperator/agents.yaml',
      agentsDir: '/h/.config/opperator/agents',
      buildDir: '/h/.cache/opperator/build',
      secretsDir: '/h/.local/share/opperator/secrets',
      daemonLog: '/h/.local/state/opperator/daemon.log',
      wantedAgentsFile: '/h/.local/state/opperator/wanted-agents.json',
      pidFile: '/r/opperator/daemon.pid',
    });
  });
});

describe('xdgBaseDirectories', () => {
  it('fills in the defaults, keeps what is set', () => {
    expect(xdgBaseDirectories({ HOME: '/h', XDG_CACHE_HOME: '/var/cache/h' })).toEqual({
      XDG_CONFIG_HOME: '/h/.config',
      XDG_STATE_HOME: '/h/.local/state',
      XDG_CACHE_HOME: '/var/cache/h',
      XDG_DATA_HOME: '/h/.local/share',
    });
  });
});

describe('controlSocketLocation with a run directory', () => {
  it('puts the socket in the run directory, and keeps the short fallback for a path too long', () => {
    expect(controlSocketLocation('/h/.config/opperator', { runDir: '/run/user/1000/opperator', uid: 1000 })).toEqual({ socketPath: '/run/user/1000/opperator/daemon.sock', shortened: false });
    const deep = `/run/${'x'.repeat(120)}`;
    const location = controlSocketLocation('/h/.config/opperator', { runDir: deep, uid: 1000 });
    expect(location.shortened).toBe(true);
    expect(location.socketPath).toMatch(/^\/tmp\/opperator-1000\/[0-9a-f]{16}\/daemon\.sock$/);
  });
});
