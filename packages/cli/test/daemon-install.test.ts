import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@opperator/testing';
import { CliError } from '../src/cli-error.js';
import { installService, uninstallService, type DaemonControl, type ServiceTarget } from '../src/commands/daemon-install.js';
import { renderLaunchdPlist, renderSystemdUnit } from '../src/commands/daemon-service-files.js';
import type { ServiceCommandResult } from '../src/commands/service-command.js';

// What install and uninstall ask of systemd and launchd, through the `run`
// seam (this machine has no user manager to enable anything in), with the
// files written for real into a temporary config folder and home.

let temp: TempDir;
let calls: string[];
let answers: Record<string, Partial<ServiceCommandResult>>;
let output: string;
let daemonUp: boolean;

beforeEach(async () => {
  temp = await makeTempDir('opperator-service-');
  calls = [];
  answers = {};
  output = '';
  daemonUp = true;
});
afterEach(async () => {
  await temp.remove();
});

const target = (platform: NodeJS.Platform, home = '/home/tester/.config/opperator'): ServiceTarget => ({
  platform,
  configDir: join(temp.path, 'config'),
  homeDir: join(temp.path, 'home'),
  user: 'tester',
  uid: 501,
  spec: { nodePath: '/usr/local/bin/node', daemonScript: '/usr/lib/node_modules/@opperator/cli/dist/daemon.js', environment: { OPPERATOR_HOME: home, PATH: '/usr/local/bin:/usr/bin' }, logPath: join(temp.path, 'state', 'daemon.log') },
});
const daemon: DaemonControl = {
  stop: async () => {
    calls.push('(stop the daemon outside the service manager)');
    return 4242;
  },
  waitUntilUp: async () => {
    calls.push('(wait for the daemon to answer)');
    return daemonUp;
  },
};
const options = () => ({
  daemon,
  out: (text: string) => void (output += text),
  run: async (command: string, args: readonly string[]): Promise<ServiceCommandResult> => {
    const line = [command, ...args].join(' ');
    calls.push(line);
    return { code: 0, stdout: '', stderr: '', ...answers[line] };
  },
});
const unitPath = () => join(temp.path, 'config', 'systemd', 'user', 'opperator.service');

describe('daemon install on Linux with a systemd user manager', () => {
  it('writes the unit, stops a daemon started by hand, enables and starts the service, and hints at lingering', async () => {
    answers['systemctl --user is-active --quiet opperator.service'] = { code: 3 };
    answers['loginctl show-user tester --property=Linger --value'] = { stdout: 'no\n' };
    await installService(target('linux'), options());
    expect(await readFile(unitPath(), 'utf8')).toBe(renderSystemdUnit(target('linux').spec));
    expect(calls).toEqual([
      'systemctl --user show-environment',
      'systemctl --user is-active --quiet opperator.service',
      '(stop the daemon outside the service manager)',
      'systemctl --user daemon-reload',
      'systemctl --user reset-failed opperator.service',
      'systemctl --user enable --now opperator.service',
      '(wait for the daemon to answer)',
      'loginctl show-user tester --property=Linger --value',
    ]);
    expect(output).toContain("Stopped the daemon that ran outside systemd (pid 4242); systemd's daemon starts the agents that were running again.");
    expect(output).toContain("Enabled and running: the daemon starts with tester's systemd user manager.");
    expect(output).toContain('loginctl enable-linger tester');
  });

  it('changes nothing the second time, and restarts the service when the unit changed', async () => {
    answers['loginctl show-user tester --property=Linger --value'] = { stdout: 'yes\n' };
    await installService(target('linux'), options());
    calls = [];
    output = '';
    await installService(target('linux'), options());
    expect(calls).toEqual(['systemctl --user show-environment', 'systemctl --user is-active --quiet opperator.service', 'systemctl --user daemon-reload', 'systemctl --user enable opperator.service', '(wait for the daemon to answer)', 'loginctl show-user tester --property=Linger --value']);
    expect(output).toBe(`Up to date: ${unitPath()}\nAlready enabled and running: the daemon starts with tester's systemd user manager. Status: systemctl --user status opperator.service; log: journalctl --user -u opperator.service\n`);

    calls = [];
    await installService(target('linux', '/srv/other-home'), options());
    expect(calls).toContain('systemctl --user restart opperator.service');
    expect(await readFile(unitPath(), 'utf8')).toContain('Environment="OPPERATOR_HOME=/srv/other-home"');
  });

  it('fails with the command and its message when systemctl refuses, and with the journal command when the daemon never answers', async () => {
    answers['systemctl --user is-active --quiet opperator.service'] = { code: 3 };
    answers['systemctl --user enable --now opperator.service'] = { code: 1, stderr: 'Failed to enable unit: Access denied\n' };
    const refused = await installService(target('linux'), options()).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(CliError);
    expect(refused).toMatchObject({ kind: 'failure', message: '`systemctl --user enable --now opperator.service` failed (exit 1): Failed to enable unit: Access denied' });

    delete answers['systemctl --user enable --now opperator.service'];
    daemonUp = false;
    const silent = await installService(target('linux'), options()).catch((err: unknown) => err);
    expect(silent).toMatchObject({ kind: 'failure', message: expect.stringContaining('journalctl --user -u opperator.service -n 50') });
  });

  it('uninstalls: disables and stops the service, removes the unit, reloads', async () => {
    await installService(target('linux'), options());
    calls = [];
    await uninstallService(target('linux'), options());
    expect(calls).toEqual(['systemctl --user show-environment', 'systemctl --user disable --now opperator.service', 'systemctl --user daemon-reload', 'systemctl --user reset-failed opperator.service']);
    expect(existsSync(unitPath())).toBe(false);
  });
});

describe('daemon install on macOS', () => {
  const plistPath = () => join(temp.path, 'home', 'Library', 'LaunchAgents', 'dev.opperator.daemon.plist');

  it('writes the launchd agent and bootstraps it into the GUI domain; uninstall boots it out', async () => {
    answers['launchctl print gui/501/dev.opperator.daemon'] = { code: 113 };
    await installService(target('darwin'), options());
    expect(await readFile(plistPath(), 'utf8')).toBe(renderLaunchdPlist(target('darwin').spec));
    expect(existsSync(join(temp.path, 'state'))).toBe(true);
    expect(calls).toEqual(['launchctl print gui/501/dev.opperator.daemon', '(stop the daemon outside the service manager)', `launchctl bootstrap gui/501 ${plistPath()}`, '(wait for the daemon to answer)']);

    delete answers['launchctl print gui/501/dev.opperator.daemon'];
    calls = [];
    await installService(target('darwin'), options());
    expect(calls).toEqual(['launchctl print gui/501/dev.opperator.daemon']);

    calls = [];
    await uninstallService(target('darwin'), options());
    expect(calls).toEqual(['launchctl print gui/501/dev.opperator.daemon', 'launchctl bootout gui/501/dev.opperator.daemon']);
    expect(existsSync(plistPath())).toBe(false);
  });

  it('the plist: label, program, environment, run at load, restart on failure, log file; XML-escaped', () => {
    const spec = { ...target('darwin').spec, environment: { OPPERATOR_HOME: '/Users/me/R&D <agents>' }, logPath: '/Users/me/R&D <agents>/state/daemon.log' };
    expect(renderLaunchdPlist(spec)).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Written by \`opperator daemon install\`; \`opperator daemon uninstall\` unloads and removes it. -->
<plist version="1.0">
<dict>
  <key>Label</key><string>dev.opperator.daemon</string>
  <key>ProgramArguments</key>
  <array>
    <string>/usr/local/bin/node</string>
    <string>/usr/lib/node_modules/@opperator/cli/dist/daemon.js</string>
    <string>--log-file</string>
    <string>/Users/me/R&amp;D &lt;agents&gt;/state/daemon.log</string>
  </array>
  <key>EnvironmentVariables</key>
  <dict>
    <key>OPPERATOR_HOME</key><string>/Users/me/R&amp;D &lt;agents&gt;</string>
  </dict>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key><false/>
  </dict>
  <key>ProcessType</key><string>Background</string>
  <key>ExitTimeOut</key><integer>30</integer>
  <key>StandardOutPath</key><string>/Users/me/R&amp;D &lt;agents&gt;/state/daemon.log</string>
  <key>StandardErrorPath</key><string>/Users/me/R&amp;D &lt;agents&gt;/state/daemon.log</string>
</dict>
</plist>
`);
  });
});

describe('service files', () => {
  it('quotes and escapes ExecStart words with blanks, quotes, % and $', () => {
    const unit = renderSystemdUnit({ ...target('linux').spec, nodePath: '/opt/my node/bin/node', daemonScript: '/srv/100%/$app/"cli"/daemon.js' });
    expect(unit).toContain('ExecStart="/opt/my node/bin/node" "/srv/100%%/$$app/\\"cli\\"/daemon.js"\n');
  });

  it('refuses a path with a line break, which would inject lines into the unit', () => {
    expect(() => renderSystemdUnit({ ...target('linux').spec, environment: { OPPERATOR_HOME: '/tmp/x\nExecStartPre=/bin/evil' } })).toThrow(CliError);
  });

  it('says which systems it knows elsewhere', async () => {
    await expect(installService(target('win32'), options())).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringContaining('systemd (Linux) and launchd (macOS)') });
  });
});
