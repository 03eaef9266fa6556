import { execFile, spawn } from 'node:child_process';
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import lockfile from 'proper-lockfile';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretStore } from '@opperator/secrets';
import { CLI_PATH, makeTempDir, runCli, startSecretService, type TempDir } from '@opperator/testing';

// Without a usable keyring: the file fallback, its warning, forced modes,
// and how values are entered (stdin, terminal prompt) without showing up.

const exec = promisify(execFile);
let home: TempDir;
beforeEach(async () => {
  home = await makeTempDir('opperator-home-');
});
afterEach(async () => {
  await home.remove();
});

const secretsFile = () => join(home.path, 'secrets', 'secrets.json');
const noBus = { OPPERATOR_HOME: '' } as Record<string, string>;
const cli = (args: string[], input?: string, env: Record<string, string> = {}) =>
  runCli(args, { env: { ...noBus, OPPERATOR_HOME: home.path, ...env }, ...(input === undefined ? {} : { input }) });

describe('no session bus', () => {
  it('falls back to a 0600 file in a 0700 directory, warning plainly first', async () => {
    const set = await cli(['secret', 'set', 'client_secret', 'S3CRET-VALUE']);
    expect(set.code).toBe(0);
    expect(set.stderr).toMatch(/NOT ENCRYPTED/);
    expect(set.stderr).toMatch(/no D-Bus session bus/);
    expect(set.stderr).toContain('OPPERATOR_SECRET_STORE=file');
    expect(set.stderr).not.toContain('S3CRET-VALUE');
    expect((await stat(secretsFile())).mode & 0o777).toBe(0o600);
    expect((await stat(join(home.path, 'secrets'))).mode & 0o777).toBe(0o700);
    expect((await cli(['secret', 'get', 'client_secret'])).stdout).toBe('S3CRET-VALUE\n');
    expect(JSON.parse((await cli(['secret', 'list', '--json'])).stdout)[0]).toMatchObject({ name: 'client_secret', backend: 'file' });

    const doctor = await cli(['doctor']);
    expect(doctor.stdout).toMatch(/keyring: +unavailable: DBUS_SESSION_BUS_ADDRESS is not set/);
    expect(doctor.stdout).toMatch(/fix: +.*dbus-launch/);
  });

  it('tells the user before the first value is written, not after', async () => {
    const seen: boolean[] = [];
    const store = new SecretStore({
      dir: join(home.path, 'secrets'),
      platform: 'linux',
      dbusSessionBusAddress: undefined,
      onFileFallback: async (notice) => {
        seen.push(await access(notice.path).then(() => true, () => false));
        expect(notice.firstValue).toBe(seen.length === 1);
      },
    });
    await store.set('a', 'one');
    await store.set('b', 'two');
    expect(seen).toEqual([false, true]);
  });

  it('with OPPERATOR_SECRET_STORE=keyring fails with exit 5 and writes nothing', async () => {
    const set = await cli(['secret', 'set', 'x', 'value'], undefined, { OPPERATOR_SECRET_STORE: 'keyring' });
    expect(set.code).toBe(5);
    expect(set.stderr).toMatch(/Nothing was stored/);
    expect(set.stderr).toMatch(/dbus-launch/);
    const written = await readdir(join(home.path, 'secrets')).catch(() => []);
    expect(written.filter((name) => !name.endsWith('.lock'))).toEqual([]);
    expect((await cli(['doctor'], undefined, { OPPERATOR_SECRET_STORE: 'keyring' })).code).toBe(5);
  });

  it('rejects an unknown OPPERATOR_SECRET_STORE value as a usage error', async () => {
    const set = await cli(['secret', 'list'], undefined, { OPPERATOR_SECRET_STORE: 'vault' });
    expect(set.code).toBe(2);
    expect(set.stderr).toMatch(/OPPERATOR_SECRET_STORE="vault" is not one of: keyring, file/);
  });
});

describe('a session bus without a Secret Service', () => {
  it('reports that no Secret Service runs, and falls back', async () => {
    const bus = await startSecretService({ keyring: false });
    try {
      const env = { ...bus.env };
      const doctor = await cli(['doctor'], undefined, env);
      expect(doctor.stdout).toMatch(/no Secret Service .* is running/);
      // The command that works on a headless machine: --start alone leaves the keyring locked.
      expect(doctor.stdout).toMatch(/echo -n PASSWORD \| gnome-keyring-daemon --unlock --components=secrets/);
      const set = await cli(['secret', 'set', 'k', 'v'], undefined, env);
      expect(set.code).toBe(0);
      expect(set.stderr).toMatch(/no Secret Service/);
    } finally {
      await bus.stop();
    }
  });
});

describe('OPPERATOR_SECRET_STORE=file', () => {
  it('uses the file without a warning beyond a first note', async () => {
    const first = await cli(['secret', 'set', 'a', '1'], undefined, { OPPERATOR_SECRET_STORE: 'file' });
    expect(first.stderr).toMatch(/^opperator: note: storing secrets in .* NOT encrypted/);
    const second = await cli(['secret', 'set', 'b', '2'], undefined, { OPPERATOR_SECRET_STORE: 'file' });
    expect(second.stderr).toBe('');
  });
});

describe('values never shown', () => {
  it('a value given as an argument leaves the process list while the command runs', async () => {
    // Hold the secrets file's lock so the command has to wait, then look at its command line.
    await cli(['secret', 'set', 'warmup', 'w'], undefined, { OPPERATOR_SECRET_STORE: 'file' });
    const release = await lockfile.lock(secretsFile(), { realpath: false });
    const { DBUS_SESSION_BUS_ADDRESS: _bus, ...env } = process.env;
    const child = spawn(process.execPath, [CLI_PATH, 'secret', 'set', 'api_key', 'ARGV-SECRET-VALUE'], { env: { ...env, OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' }, stdio: 'ignore' });
    // Listened for at once: once the lock is released the command may exit before the next line runs.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await new Promise((resolve) => setTimeout(resolve, 700));
      const cmdline = await readFile(`/proc/${child.pid}/cmdline`, 'utf8');
      const ps = (await exec('ps', ['-eo', 'args'])).stdout;
      expect(cmdline).toContain('opperator secret set api_key');
      expect(cmdline + ps).not.toContain('ARGV-SECRET-VALUE');
    } finally {
      await release();
    }
    expect(await exited).toBe(0);
    expect((await cli(['secret', 'get', 'api_key'])).stdout).toBe('ARGV-SECRET-VALUE\n');
  });

  it('asks on a terminal without echoing the value', async () => {
    const session = `opperator-test-${process.pid}-${Date.now()}`;
    const tmux = (...args: string[]) => exec('tmux', ['-L', session, ...args]);
    const command = `env -u DBUS_SESSION_BUS_ADDRESS OPPERATOR_HOME=${home.path} OPPERATOR_SECRET_STORE=file ${process.execPath} ${CLI_PATH} secret set typed_secret; sleep 30`;
    await tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '20', command);
    try {
      const screen = async () => (await tmux('capture-pane', '-p', '-t', session)).stdout;
      await waitFor(async () => (await screen()).includes('Value for typed_secret (input hidden):'));
      await tmux('send-keys', '-t', session, '-l', 'TYPED-SECRET-VALUE');
      await tmux('send-keys', '-t', session, 'Enter');
      await waitFor(async () => (await screen()).includes('Stored secret typed_secret'));
      expect(await screen()).not.toContain('TYPED-SECRET-VALUE');
    } finally {
      await tmux('kill-server').catch(() => undefined);
    }
    expect((await cli(['secret', 'get', 'typed_secret'], undefined, { OPPERATOR_SECRET_STORE: 'file' })).stdout).toBe('TYPED-SECRET-VALUE\n');
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
