import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, type TempDir } from '@opperator/testing';

// `doctor` tells whether a browser can open from the DAEMON's environment:
// detached and scheduled sign-ins run in its agents, which inherit it, and it
// may differ from the shell's (a daemon started by a login service has no
// display). Real daemons, started with the environments under test.

let home: TempDir;
beforeAll(async () => {
  home = await makeTempDir('opperator-doctor-daemon-');
});
afterEach(async () => {
  await cli(['daemon', 'stop']);
});
afterAll(async () => home?.remove());

// No display and no BROWSER unless a test gives them.
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file', DISPLAY: '', WAYLAND_DISPLAY: '', ...env } });
const daemonSection = (stdout: string) => stdout.slice(stdout.indexOf('Sign-in from the daemon'), stdout.indexOf('\nProviders'));

describe('opperator doctor, the daemon', () => {
  it('with no daemon: says so, and does not start one', async () => {
    const run = await cli(['doctor']);
    expect(run.code, run.stderr).toBe(0);
    expect(daemonSection(run.stdout)).toMatch(/daemon: +not running; the next command that needs it starts it with the BROWSER and display of the shell it runs in/);
    expect((await cli(['daemon', 'status'])).code).toBe(5);
  });

  it('a daemon started without BROWSER or display, asked from a shell with BROWSER: no browser from the daemon, what that means, the fix; no other variable told', async () => {
    expect((await cli(['daemon', 'start'], { OPPERATOR_TEST_API_TOKEN: 'tok-not-to-be-shown' })).code).toBe(0);
    const run = await cli(['doctor'], { BROWSER: '/usr/bin/true' });
    expect(run.code, run.stderr).toBe(0);
    // This shell can open a browser: attached sign-ins open here.
    expect(run.stdout).toMatch(/browser: +BROWSER=\/usr\/bin\/true/);
    const section = daemonSection(run.stdout);
    expect(section).toMatch(/daemon: +running \(pid \d+\); its agents inherit no BROWSER and no display/);
    expect(section).toMatch(/browser: +none opens from the daemon's environment/);
    expect(section).toContain('attached invocations (`opperator agent invoke …` without --detach, the TUI) open the sign-in page where you run them');
    expect(section).toContain('detached (--detach) and scheduled sign-ins use a device code where the provider offers one, else show the sign-in URL');
    expect(section).toMatch(/fix: +restart the daemon from a desktop session, or a shell with BROWSER set \(opperator daemon stop && opperator daemon start\)/);
    expect(section).toContain("or set BROWSER in the agent's env in agents.yaml");

    const status = await cli(['daemon', 'status', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ environment: { platform: process.platform, browser: {} } });
    expect(status.stdout).not.toContain('tok-not-to-be-shown');
    expect(status.stdout).not.toContain('OPPERATOR_TEST_API_TOKEN');
  });

  it('a daemon with BROWSER: detached sign-ins open with it', async () => {
    expect((await cli(['daemon', 'start'], { BROWSER: '/usr/bin/true' })).code).toBe(0);
    const run = await cli(['doctor']);
    const section = daemonSection(run.stdout);
    expect(section).toMatch(/its agents inherit BROWSER=\/usr\/bin\/true/);
    expect(section).toMatch(/browser: +opens from the daemon's environment: detached and scheduled sign-ins open the provider's page with it\n/);
    expect(section).not.toContain('fix:');
    // This shell has none: its own section says so, independently.
    expect(run.stdout).toContain('no browser opens from here');
  });

  it('over SSH, a daemon with a display opens pages on that display, not in the session; an agent setting BROWSER in agents.yaml is named', async () => {
    await writeFile(join(home.path, 'agents.yaml'), 'agents:\n  - name: mail\n    env: { BROWSER: w3m, LOG_LEVEL: info }\n  - name: quiet\n');
    expect((await cli(['daemon', 'start'], { DISPLAY: ':99' })).code).toBe(0);
    const run = await cli(['doctor'], { SSH_CONNECTION: '10.0.0.2 50000 10.0.0.1 22' });
    const section = daemonSection(run.stdout);
    expect(section).toMatch(/its agents inherit DISPLAY=:99/);
    expect(section).toContain('open the provider\'s page with it, on display :99 (not in this SSH session)');
    expect(section).toMatch(/agent: +mail sets BROWSER=w3m in its env in agents.yaml, which wins over the daemon's/);
    expect(section).not.toContain('quiet');
    expect(section).not.toContain('LOG_LEVEL');
  });
});
