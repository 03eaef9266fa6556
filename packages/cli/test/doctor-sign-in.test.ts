import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, type TempDir } from '@opperator/testing';

// `doctor` says where it runs and how a sign-in started from this shell will
// go: the page opens here only when something can open it.
let home: TempDir;
beforeAll(async () => {
  home = await makeTempDir('opperator-doctor-');
});
afterAll(async () => home?.remove());

const doctor = (env: Record<string, string>) => runCli(['doctor'], { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file', DISPLAY: '', WAYLAND_DISPLAY: '', ...env } });

describe('opperator doctor, sign-in', () => {
  it('over SSH with no display and no BROWSER: says so, and that the device flow will be used, with the fix', async () => {
    const run = await doctor({ SSH_CONNECTION: '10.0.0.2 50000 10.0.0.1 22' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/where: +over SSH, no display/);
    expect(run.stdout).toContain('no browser opens from here, so `authorize_…` signs in with a code');
    expect(run.stdout).toMatch(/fix: +set BROWSER to a command that opens pages here/);
    // Paste-back is the way when the device flow cannot serve (Google with Gmail), with the tunnel alternative over SSH.
    expect(run.stdout).toContain('paste-back');
    expect(run.stdout).toContain('ssh -N -L PORT:127.0.0.1:PORT');
    expect(run.stdout).toMatch(/choose: +--args '\{"device":true\}' or --args '\{"paste":true\}'/);
  });

  it('with BROWSER set: the page opens with it', async () => {
    const run = await doctor({ BROWSER: '/usr/bin/true' });
    expect(run.stdout).toMatch(/where: +local, no display/);
    expect(run.stdout).toMatch(/browser: +BROWSER=\/usr\/bin\/true/);
    expect(run.stdout).toContain("opens the provider's page in that browser");
  });
});
