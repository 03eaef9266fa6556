import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A private D-Bus session bus, optionally with gnome-keyring serving the Secret Service on it. */
export interface TestSecretService {
  /** Environment for processes that should use this bus (and nothing of the real desktop). */
  env: Record<string, string>;
  /** Locks the keyring's login collection, as after a screen lock. */
  lock(): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link startSecretService}. */
export interface SecretServiceOptions {
  /** Start gnome-keyring on the bus (default true). Without it, the bus has no Secret Service at all. */
  keyring?: boolean;
}

// A session bus with no service directories: nothing is auto-activated, so
// "no Secret Service" really means none, and gnome-keyring runs only when we
// start it.
const BUS_CONFIG = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=DIR</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;

/**
 * Starts a real D-Bus session bus and (by default) a real gnome-keyring
 * Secret Service on it, unlocked, with its data in a temp dir, so tests
 * never touch the user's keyring.
 */
export async function startSecretService(options: SecretServiceOptions = {}): Promise<TestSecretService> {
  const dir = await mkdtemp(join(tmpdir(), 'opperator-dbus-'));
  const config = join(dir, 'bus.conf');
  await writeFile(config, BUS_CONFIG.replace('DIR', dir));
  const bus = spawn('dbus-daemon', ['--config-file', config, '--nofork', '--print-address=1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const address = await firstLine(bus);
  const env: Record<string, string> = {
    DBUS_SESSION_BUS_ADDRESS: address,
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_RUNTIME_DIR: dir,
  };
  let keyring: ChildProcess | undefined;
  if (options.keyring !== false) {
    keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], { env: { ...process.env, ...env }, stdio: ['pipe', 'ignore', 'ignore'] });
    keyring.stdin?.end('test-keyring-password');
    await waitForSecretService(env);
  }
  return {
    env,
    lock: async () => {
      await run('dbus-send', ['--session', '--dest=org.freedesktop.secrets', '--print-reply', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', 'array:objpath:/org/freedesktop/secrets/collection/login'], { env: { ...process.env, ...env } });
    },
    stop: async () => {
      keyring?.kill();
      bus.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      const line = text.split('\n')[0];
      if (text.includes('\n') && line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`dbus-daemon exited (${code}) before printing its address`)));
  });
}

async function waitForSecretService(env: Record<string, string>): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const { stdout } = await run('dbus-send', ['--session', '--dest=org.freedesktop.DBus', '--print-reply', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'], { env: { ...process.env, ...env } });
      if (stdout.includes('boolean true')) return;
    } catch {
      // The bus may not accept connections yet; try again below.
    }
    if (Date.now() > deadline) throw new Error('gnome-keyring did not claim org.freedesktop.secrets within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
