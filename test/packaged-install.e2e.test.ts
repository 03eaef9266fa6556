import { execFile, spawn } from 'node:child_process';
import { cp, lstat, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES_DIR, TmuxSession, headlessBrowserCommand, makeTempDir, startSecretService, type TempDir, type TestSecretService } from '@opperator/testing';

// Installed as a user would from npm: every public package packed by
// `npm pack` (its prepack builds it), the CLI installed globally into a
// temporary prefix, and everything run from a folder outside this checkout
// with a PATH that has none of its node_modules/.bin. Nothing here may reach
// the source tree except the test harness (the sandbox server, Chromium).

const run = promisify(execFile);
const REPO = new URL('..', import.meta.url).pathname;
const PUBLIC_PACKAGES = ['protocol', 'oauth', 'sdk', 'cli'] as const;
let work: TempDir;
let prefix: string;
let tarballs: Record<(typeof PUBLIC_PACKAGES)[number], string>;
const figures: string[] = [];
let manifestsBefore: string[] = [];

/** The environment of a user shell outside the checkout: the installed bin first, system paths, a home of its own. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DBUS_SESSION_BUS_ADDRESS: _bus, BROWSER: _browser, NODE_OPTIONS: _options, ...base } = process.env;
  const system = (base.PATH ?? '').split(':').filter((dir) => !dir.startsWith(REPO) && !dir.includes('node_modules'));
  return { ...base, PATH: [join(prefix, 'bin'), ...system].join(':'), HOME: join(work.path, 'home'), OPPERATOR_HOME: join(work.path, 'opperator'), OPPERATOR_SECRET_STORE: 'file', DISPLAY: '', WAYLAND_DISPLAY: '', ...extra };
}

/** Runs the installed `opperator` from the work folder. */
function opperator(args: string[], extra: Record<string, string> = {}, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('opperator', args, { cwd: work.path, env: userEnv(extra), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(input ?? '');
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** A port nothing listens on now (the sandbox's default may be taken on this machine). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

async function sizeOf(path: string): Promise<number> {
  // lstat: a link (node_modules/.bin) counts as itself, not as what it points to.
  const info = await lstat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path)) total += await sizeOf(join(path, entry));
  return total;
}

beforeAll(async () => {
  work = await makeTempDir('opperator-packaged-');
  prefix = join(work.path, 'prefix');
  await mkdir(join(work.path, 'home'), { recursive: true });
  const packs = join(work.path, 'tarballs');
  await mkdir(packs);
  manifestsBefore = await Promise.all(PUBLIC_PACKAGES.map((name) => readFile(join(REPO, 'packages', name, 'package.json'), 'utf8')));
  const packed: Record<string, string> = {};
  for (const name of PUBLIC_PACKAGES) {
    const { stdout } = await run('npm', ['pack', '--silent', '-w', `@opperator/${name}`, '--pack-destination', packs], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
    packed[name] = join(packs, stdout.trim().split('\n').at(-1) ?? '');
    figures.push(`tarball @opperator/${name}: ${Math.round((await stat(packed[name])).size / 1024)} KB`);
  }
  tarballs = packed as typeof tarballs;
  const started = Date.now();
  await run('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', tarballs.cli], { cwd: work.path, env: userEnv() });
  figures.push(`npm i -g from the tarball: ${((Date.now() - started) / 1000).toFixed(1)} s; installed ${(await sizeOf(prefix) / 1024 / 1024).toFixed(1)} MB`);
}, 240_000);

afterAll(async () => {
  await opperator(['daemon', 'stop']);
  console.info(`packaged install:\n  ${figures.join('\n  ')}`);
  await work?.remove();
});

describe('the packed packages', () => {
  it('hold built JavaScript, declarations and the licence; no sources or tests', async () => {
    for (const name of PUBLIC_PACKAGES) {
      const { stdout } = await run('tar', ['tzf', tarballs[name]]);
      const files = stdout.trim().split('\n');
      expect(files, name).toContain('package/LICENSE');
      expect(files.filter((file) => /\/(src|test)\//.test(file) || /\.test\./.test(file)), name).toEqual([]);
      const manifest = JSON.parse((await run('tar', ['xzfO', tarballs[name], 'package/package.json'])).stdout) as Record<string, unknown>;
      expect(manifest, name).toMatchObject({ license: 'MIT' });
      expect(manifest, name).not.toHaveProperty('private');
      expect(JSON.stringify(manifest.dependencies ?? {}), name).not.toMatch(/playwright|"\*"|file:/);
      if (name !== 'cli') expect(manifest.exports, name).toMatchObject({ '.': { types: './dist/index.d.ts', default: './dist/index.js' } });
    }
    // The checkout's package.json files are back as they were before packing.
    expect(await Promise.all(PUBLIC_PACKAGES.map((name) => readFile(join(REPO, 'packages', name, 'package.json'), 'utf8')))).toEqual(manifestsBefore);
  });
});

describe('the CLI installed from its tarball, away from the checkout', () => {
  it('runs: --version, and an agent folder holding only agent.ts', async () => {
    expect((await opperator(['--version'])).stdout.trim()).toBe(JSON.parse(await readFile(join(REPO, 'packages/cli/package.json'), 'utf8')).version);
    const boot = await opperator(['agent', 'bootstrap', 'hello']);
    expect(boot.code, boot.stderr).toBe(0);
    const dir = join(work.path, 'opperator', 'agents', 'hello');
    expect((await readdir(dir)).sort()).toEqual(['agent.ts', 'package.json']);
    expect(await readFile(join(dir, 'package.json'), 'utf8')).not.toContain(REPO);
    expect((await opperator(['agent', 'start', 'hello'])).code).toBe(0);
    const hello = await opperator(['agent', 'invoke', 'hello', 'hello', '--args', '{"name":"Ana"}', '--json']);
    expect(hello.code, hello.stderr).toBe(0);
    expect(JSON.parse(hello.stdout)).toEqual({ message: 'Hello, Ana!' });
    // A folder with nothing but agent.ts (no package.json, no node_modules) added and run.
    const only = join(work.path, 'only-ts');
    await mkdir(only);
    await writeFile(join(only, 'agent.ts'), "import { Agent } from '@opperator/sdk';\nexport default class OnlyTs extends Agent {\n  async initialize() {\n    this.registerCommand('ping', async () => ({ pong: true }));\n  }\n}\n");
    const added = await opperator(['agent', 'add', only]);
    expect(added.code, added.stderr).toBe(0);
    expect((await opperator(['agent', 'start', 'only-ts'])).code).toBe(0);
    expect(JSON.parse((await opperator(['agent', 'invoke', 'only-ts', 'ping', '--json'])).stdout)).toEqual({ pong: true });
  }, 60_000);

  it('stores a secret in gnome-keyring when a Secret Service answers, and says so', async () => {
    const keyring: TestSecretService = await startSecretService();
    try {
      const env = { ...keyring.env, OPPERATOR_SECRET_STORE: 'auto', OPPERATOR_HOME: join(work.path, 'keyring-home') };
      const set = await opperator(['secret', 'set', 'packaged_secret'], env, 'value-from-packaged');
      expect(set.code, set.stderr).toBe(0);
      expect(JSON.parse((await opperator(['secret', 'list', '--json'], env)).stdout)).toEqual([expect.objectContaining({ name: 'packaged_secret', backend: 'keyring' })]);
    } finally {
      await keyring.stop();
    }
  }, 60_000);

  it('adds the guide\'s invoice-monitor with `agent add`, runs the sandbox, and signs in there in Chromium', async () => {
    const sandboxStart = await opperator(['sandbox', 'start', '--port', String(await freePort())]);
    expect(sandboxStart.code, sandboxStart.stderr).toBe(0);
    try {
      const sandbox = JSON.parse((await opperator(['sandbox', 'status', '--json', '--show-secrets'])).stdout) as { issuer: string; clients: Array<{ clientId: string; clientSecret?: string }> };
      const confidential = sandbox.clients.find((client) => client.clientSecret);
      expect(confidential).toBeDefined();
      // The example as a user has it: a folder of its own, not inside this checkout.
      const example = join(work.path, 'invoice-monitor');
      await cp(join(EXAMPLES_DIR, 'invoice-monitor'), example, { recursive: true, filter: (source) => !source.includes('node_modules') });
      // Against the sandbox instead of Google: the example's switch, set in its env by `agent add`.
      const add = await opperator(['agent', 'add', example, '--env', `INVOICE_MONITOR_PROVIDER=${sandbox.issuer}`]);
      expect(add.code, add.stderr + add.stdout).toBe(0);
      await opperator(['secret', 'set', 'invoice_monitor_gmail_client_id'], {}, confidential!.clientId);
      await opperator(['secret', 'set', 'invoice_monitor_gmail_client_secret'], {}, confidential!.clientSecret!);
      const start = await opperator(['agent', 'start', 'invoice-monitor']);
      expect(start.code, start.stderr).toBe(0);
      const started = Date.now();
      const signIn = await opperator(['agent', 'invoke', 'invoice-monitor', 'authorize_gmail', '--json'], { BROWSER: headlessBrowserCommand() });
      expect(signIn.code, signIn.stderr).toBe(0);
      figures.push(`sandbox sign-in from the installed CLI: ${Date.now() - started} ms`);
      const sections = JSON.parse((await opperator(['agent', 'sections', 'invoice-monitor', '--json'])).stdout) as Array<{ id: string; content: string }>;
      expect(sections.find((section) => section.id === 'oauth_gmail')?.content).toContain('✓ Authenticated');
      const check = await opperator(['agent', 'invoke', 'invoice-monitor', 'check_invoices', '--json']);
      expect(check.code, check.stderr).toBe(0);
    } finally {
      await opperator(['sandbox', 'stop']);
    }
  }, 120_000);

  it('opens the TUI, which lists the agents', async () => {
    const env = userEnv({ TERM: 'xterm-256color' });
    const tui = await TmuxSession.start(['opperator'], { width: 100, height: 30, env: Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)) });
    try {
      await tui.waitFor('invoice-monitor', 20_000);
      await tui.waitFor('hello');
      await tui.waitFor('only-ts');
    } finally {
      await tui.kill();
    }
  }, 60_000);
});

describe('the installed daemon across restarts and reboots', () => {
  it('writes a systemd user unit that runs the installed daemon, and restores the agents left running after daemon stop/start', async () => {
    const unit = await opperator(['daemon', 'install', '--print']);
    expect(unit.code, unit.stderr).toBe(0);
    expect(unit.stdout).toContain(`ExecStart=${process.execPath} ${join(prefix, 'lib', 'node_modules', '@opperator', 'cli', 'dist', 'daemon.js')}`);
    expect(unit.stdout).toContain(`Environment="OPPERATOR_HOME=${join(work.path, 'opperator')}"`);
    expect(unit.stdout).toContain('WantedBy=default.target');
    const running = async () => (JSON.parse((await opperator(['agent', 'list', '--json'])).stdout) as Array<{ name: string; state: string }>).filter((agent) => agent.state === 'running').map((agent) => agent.name).sort();
    const before = await running();
    expect(before).toEqual(expect.arrayContaining(['hello', 'only-ts']));
    expect((await opperator(['agent', 'stop', 'hello'])).code).toBe(0);
    expect((await opperator(['daemon', 'stop'])).code).toBe(0);
    expect((await opperator(['daemon', 'start'])).code).toBe(0);
    let after: string[] = [];
    for (let i = 0; i < 50 && after.join() !== before.filter((name) => name !== 'hello').join(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await running();
    }
    expect(after).toEqual(before.filter((name) => name !== 'hello'));
  }, 60_000);
});

describe('the libraries, installed from their tarballs into a plain project', () => {
  it('import in plain Node ESM, and a strict tsc project compiles against their declarations', async () => {
    const project = join(work.path, 'consumer');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await run('npm', ['install', '--no-audit', '--no-fund', tarballs.sdk, tarballs.oauth, tarballs.protocol, 'typescript@5.9', '@types/node@20'], { cwd: project, env: userEnv() });
    const imported = await run(process.execPath, ['-e', "import('@opperator/oauth').then((m) => console.log(typeof m.OAuthClient, typeof m.providers.google))"], { cwd: project, env: userEnv() });
    expect(imported.stdout.trim()).toBe('function object');
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, skipLibCheck: false, noPropertyAccessFromIndexSignature: true, exactOptionalPropertyTypes: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, types: ['node'] }, include: ['consumer.ts'] }));
    await writeFile(
      join(project, 'consumer.ts'),
      [
        "import { FileTokenStore, OAuthClient, providers } from '@opperator/oauth';",
        "import { Agent } from '@opperator/sdk';",
        "import type { AgentToDaemon } from '@opperator/protocol';",
        "const client = new OAuthClient({ provider: providers.google, clientId: 'id', store: new FileTokenStore('./token.json') });",
        'export const state: Promise<string> = client.status().then((s) => s.state);',
        'export default class Mail extends Agent {',
        '  override async initialize(): Promise<void> {',
        "    this.registerCommand('hello', async () => ({ ok: true }));",
        '  }',
        '}',
        "export const ready: AgentToDaemon = { type: 'ready', protocolVersion: 1 };",
      ].join('\n'),
    );
    const tsc = await run(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: project }).then(
      () => ({ code: 0, out: '' }),
      (err: { code: number; stdout: string }) => ({ code: err.code, out: err.stdout }),
    );
    expect(tsc.out).toBe('');
    expect(tsc.code).toBe(0);
  }, 120_000);
});
