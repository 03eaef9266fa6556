import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readFile, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, makeTempDir, runCli, type TempDir } from '@opperator/testing';

// `opperator daemon install|uninstall` as a real process, into a temporary
// XDG_CONFIG_HOME. XDG_RUNTIME_DIR points at an empty folder and the test
// runner's D-Bus session is not passed on, so no systemd user manager answers
// (as in a container or CI) even on a desktop: the unit is written, the
// commands to enable it are printed, and the user's real systemd is never touched.

let temp: TempDir;
let env: Record<string, string>;
let unitPath: string;
let home: string;

beforeAll(async () => {
  temp = await makeTempDir('opperator-install-');
  // Blanks, % and $ in the home: each needs its own escape in a unit file.
  home = join(temp.path, 'my home 100% $HOME');
  env = { XDG_CONFIG_HOME: join(temp.path, 'config'), XDG_RUNTIME_DIR: join(temp.path, 'run'), OPPERATOR_HOME: home, OPPERATOR_SECRET_STORE: 'file', USER: 'tester', PATH: '/opt/node/bin:/usr/bin:/bin' };
  await mkdir(env.XDG_RUNTIME_DIR!);
  unitPath = join(env.XDG_CONFIG_HOME!, 'systemd', 'user', 'opperator.service');
});

afterAll(async () => {
  await temp.remove();
});

const expectedUnit = () => `# Written by \`opperator daemon install\`; \`opperator daemon uninstall\` disables and removes it.
[Unit]
Description=opperator daemon: runs your agents

[Service]
Type=simple
ExecStart=${process.execPath} ${join(dirname(CLI_PATH), 'daemon.js')}
Environment="OPPERATOR_HOME=${temp.path}/my home 100%% $HOME"
Environment="OPPERATOR_SECRET_STORE=file"
Environment="PATH=/opt/node/bin:/usr/bin:/bin"
Restart=on-failure
RestartSec=2
# SIGTERM to the daemon only: it stops its agents itself (shutdown, SIGTERM, SIGKILL); what is left is killed after it exits.
KillMode=mixed
TimeoutStopSec=30
# The daemon exits 130/143 after SIGINT/SIGTERM: a clean stop, not a failure.
SuccessExitStatus=130 143

[Install]
WantedBy=default.target
`;

describe('opperator daemon install (no systemd user manager answering)', () => {
  it('prints the unit with --print and --dry-run, and writes nothing', async () => {
    for (const flag of ['--print', '--dry-run']) {
      const printed = await runCli(['daemon', 'install', flag], { env });
      expect(printed, printed.stderr).toMatchObject({ code: 0, stdout: expectedUnit() });
    }
    expect(existsSync(unitPath)).toBe(false);
  });

  it('writes the user unit: this Node, the daemon bundle, the home in use; and prints the commands that enable it', async () => {
    const installed = await runCli(['daemon', 'install'], { env });
    expect(installed, installed.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(await readFile(unitPath, 'utf8')).toBe(expectedUnit());
    expect(installed.stdout).toContain(`Wrote ${unitPath}\n`);
    expect(installed.stdout).toMatch(/systemd's user manager does not answer here \(.+\), so the unit is written but not enabled\./);
    expect(installed.stdout).toContain('  systemctl --user daemon-reload\n  systemctl --user enable --now opperator.service\n');
    expect(installed.stdout).toContain('  loginctl enable-linger tester\n');
  });

  it('is a unit systemd accepts', async (context) => {
    const verify = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile('systemd-analyze', ['--user', 'verify', unitPath], { env: { ...process.env, XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR } }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, output: `${stdout}${stderr}` }),
      );
    });
    if (verify.code === null) return context.skip('systemd-analyze is not installed');
    // Unknown keys or unparsable values are only warnings: none may be printed.
    expect(verify).toEqual({ code: 0, output: '' });
  });

  it('can run twice: the second run finds the unit up to date', async () => {
    const again = await runCli(['daemon', 'install'], { env });
    expect(again, again.stderr).toMatchObject({ code: 0 });
    expect(again.stdout).toContain(`Up to date: ${unitPath}\n`);
    expect(await readFile(unitPath, 'utf8')).toBe(expectedUnit());
  });

  it('uninstalls: removes the unit and the link `systemctl enable` made; a second run has nothing to do', async () => {
    const wants = join(dirname(unitPath), 'default.target.wants');
    await mkdir(wants);
    await symlink(unitPath, join(wants, 'opperator.service'));
    const removed = await runCli(['daemon', 'uninstall'], { env });
    expect(removed, removed.stderr).toMatchObject({ code: 0 });
    expect(removed.stdout).toContain(`Removed ${unitPath}.`);
    expect(existsSync(unitPath)).toBe(false);
    // lstat: a dangling link would fool existsSync.
    expect(await lstat(join(wants, 'opperator.service')).catch(() => undefined)).toBeUndefined();
    const nothing = await runCli(['daemon', 'uninstall'], { env });
    expect(nothing).toMatchObject({ code: 0, stdout: `Nothing to remove: ${unitPath} does not exist.\n` });
  });
});
