import { spawn } from 'node:child_process';
import { mkdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAgentHome, SDK_PACKAGE_DIR, type TempDir } from '@opperator/testing';
import { AgentBuilder, AgentBuildError, type AgentSource } from '../src/agent-build.js';
import { chooseLaunch } from '../src/agent-launch.js';

// AgentBuilder against real esbuild, and the built agent run with plain node.

const RUNNER = join(SDK_PACKAGE_DIR, 'src', 'runner.ts');
const SDK_INDEX = join(SDK_PACKAGE_DIR, 'src', 'index.ts');
// Names agent code often declares at top level (they must not clash with the bundle's banner),
// an external package from the agent's node_modules, import.meta.url, and a throw on line 14.
const SOURCE = `import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Agent } from '@opperator/sdk';
import { answer } from 'local-lib';
const require = createRequire(import.meta.url);
const __filename = fileURLToPath(import.meta.url);
export default class Probe extends Agent {
  async initialize() {
    this.registerCommand('probe', async () => ({ answer, file: __filename, path: require.resolve('local-lib') }));
    this.registerCommand('boom', async () => fail());
  }
}
function fail(): never {
  throw new Error('boom from agent code');
}
`;

let home: TempDir;
let agent: AgentSource;
let builder: AgentBuilder;

beforeEach(async () => {
  home = await makeAgentHome([{ name: 'probe', source: SOURCE }]);
  const dir = join(home.path, 'agents', 'probe');
  const lib = join(dir, 'node_modules', 'local-lib');
  await mkdir(lib, { recursive: true });
  await writeFile(join(lib, 'package.json'), JSON.stringify({ name: 'local-lib', version: '1.0.0', type: 'module', main: 'index.js' }));
  await writeFile(join(lib, 'index.js'), 'export const answer = 42;\n');
  agent = { name: 'probe', dir, entryFile: join(dir, 'agent.ts') };
  builder = new AgentBuilder(esbuild, join(home.path, 'state', 'build'), { runnerFile: RUNNER, indexFile: SDK_INDEX });
});
afterEach(async () => {
  await home.remove();
});

/** Runs the built agent, sends `lines`, and collects stdout until it exits. */
function run(lines: object[]): Promise<string> {
  const { runner, entry } = builder.outputs('probe');
  const child = spawn(process.execPath, ['--enable-source-maps', runner, entry], {
    cwd: agent.dir,
    env: { PATH: process.env.PATH ?? '', OPPERATOR_AGENT_NAME: 'probe', OPPERATOR_AGENT_DIR: agent.dir },
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    if (out.includes('"type":"ready"') && lines.length > 0) child.stdin.write(lines.splice(0).map((l) => `${JSON.stringify(l)}\n`).join(''));
    if (out.includes('"id":"last"')) child.stdin.end();
  });
  return new Promise((resolve) => child.once('close', () => resolve(out)));
}

describe('AgentBuilder', () => {
  it('builds an agent that keeps its own externals, top-level names and file URL', async () => {
    const built = await builder.build(agent);
    expect(built.rebuilt).toBe(true);
    const out = await run([{ type: 'command', id: 'p', name: 'probe', args: {} }, { type: 'command', id: 'last', name: 'boom', args: {} }]);
    const probe = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((m) => m.id === 'p');
    expect(probe).toMatchObject({ ok: true, result: { answer: 42, file: agent.entryFile, path: join(agent.dir, 'node_modules', 'local-lib', 'index.js') } });
    expect(out).toMatch(/boom from agent code/);
  });

  it('maps stack traces to agent.ts lines', async () => {
    // An uncaught error: Node prints its stack to stderr (the agent's log), through the source map.
    await writeFile(agent.entryFile, SOURCE.replace("this.registerCommand('probe'", "setTimeout(fail, 0);\n    this.registerCommand('probe'"));
    await builder.build(agent);
    const { runner, entry } = builder.outputs('probe');
    const child = spawn(process.execPath, ['--enable-source-maps', runner, entry], { cwd: agent.dir, env: { PATH: process.env.PATH ?? '' } });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    await new Promise((resolve) => child.once('close', resolve));
    expect(err).toContain(`${agent.entryFile}:15:`);
  });

  it('an agent without an SDK of its own gets the runtime\'s (agent.ts alone runs); installing one later rebuilds with it', async () => {
    await rm(join(agent.dir, 'node_modules', '@opperator'), { recursive: true });
    // The runtime's SDK stands apart from the agent's folder (the CLI bundle's dist/sdk): a copy of the workspace SDK's path is enough.
    const built = await builder.build(agent);
    expect(built.rebuilt).toBe(true);
    const out = await run([{ type: 'command', id: 'last', name: 'probe', args: {} }]);
    expect(out).toContain('"type":"ready"');
    expect(out).toMatch(/"id":"last","ok":true/);
    await mkdir(join(agent.dir, 'node_modules', '@opperator'), { recursive: true });
    await symlink(SDK_PACKAGE_DIR, join(agent.dir, 'node_modules', '@opperator', 'sdk'));
    expect((await builder.build(agent)).rebuilt).toBe(true);
  });

  it('a token store package installed in the agent folder is bundled in, its @opperator/oauth import served by the runtime\'s when the agent has none, and it registers its scheme', async () => {
    // As a packaged install has it: the store package in the agent's node_modules, no @opperator/oauth next to it.
    const store = join(agent.dir, 'node_modules', '@opperator', 'store-fake');
    await mkdir(store, { recursive: true });
    await writeFile(join(store, 'package.json'), JSON.stringify({ name: '@opperator/store-fake', version: '1.0.0', type: 'module', main: 'index.js' }));
    await writeFile(join(store, 'index.js'), "import { registerTokenStorePackage, MemoryTokenStore } from '@opperator/oauth';\nregisterTokenStorePackage(['fake:'], { createTokenStore: () => new MemoryTokenStore() });\n");
    await writeFile(agent.entryFile, SOURCE.replace("this.registerCommand('probe', async () => ({ answer,", "this.registerCommand('probe', async () => ({ stores: [...((globalThis as Record<symbol, Map<string, unknown>>)[Symbol.for('@opperator/oauth token store packages')]?.keys() ?? [])], answer,"));
    const withoutRuntimeOauth = await builder.build(agent).catch((err: unknown) => err);
    expect(String(withoutRuntimeOauth)).toMatch(/@opperator\/oauth/);
    builder = new AgentBuilder(esbuild, join(home.path, 'state', 'build'), { runnerFile: RUNNER, indexFile: SDK_INDEX, oauthFile: join(SDK_PACKAGE_DIR, '..', 'oauth', 'src', 'index.ts') });
    expect((await builder.build(agent)).rebuilt).toBe(true);
    const out = await run([{ type: 'command', id: 'last', name: 'probe', args: {} }]);
    expect(out).toMatch(/"id":"last","ok":true,"result":\{"stores":\["fake:"\]/);
  });

  it('an import of an SDK subpath the runtime does not provide fails the build, saying to install it', async () => {
    await rm(join(agent.dir, 'node_modules', '@opperator'), { recursive: true });
    await writeFile(agent.entryFile, `import { x } from '@opperator/sdk/internal-thing';\nconsole.log(x);\n${SOURCE}`);
    await expect(builder.build(agent)).rejects.toThrow("@opperator/sdk/internal-thing is not part of the SDK the runtime provides (only @opperator/sdk); install it in the agent's folder to use it");
  });

  it('reuses the build while its inputs are unchanged', async () => {
    expect((await builder.build(agent)).rebuilt).toBe(true);
    expect((await builder.build(agent)).rebuilt).toBe(false);
    await utimes(agent.entryFile, new Date(), new Date(Date.now() + 5_000));
    expect((await builder.build(agent)).rebuilt).toBe(true);
  });

  it('fails with esbuild\'s location and text, and the fix', async () => {
    await writeFile(agent.entryFile, 'export default class {\n  oops(\n}\n');
    const failure = await builder.build(agent).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(AgentBuildError);
    expect((failure as Error).message).toMatch(/agent\.ts:3:1: Expected identifier but found "}"/);
    expect((failure as Error).message).toContain('Fix agent.ts, then: opperator agent start probe');
  });
});

describe('chooseLaunch', () => {
  it('falls back to tsx, with one warning, when esbuild cannot be loaded', async () => {
    const warnings: string[] = [];
    const paths = { runnerFile: RUNNER, sdkIndexFile: SDK_INDEX, resolveTsx: () => 'file:///tsx/loader.mjs', buildRoot: '/nowhere' };
    const launch = await chooseLaunch(paths, (m) => warnings.push(m), () => Promise.reject(new Error('no binary')));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/esbuild could not be loaded \(no binary\); agents run under tsx/);
    expect(launch.prepare).toBeUndefined();
    expect(launch.args(agent)).toEqual(['--import', 'file:///tsx/loader.mjs', RUNNER, agent.entryFile]);
  });

  it('without esbuild and without tsx (a packaged install), every start fails saying how to fix it; nothing throws', async () => {
    const warnings: string[] = [];
    const paths = { runnerFile: RUNNER, sdkIndexFile: SDK_INDEX, resolveTsx: () => { throw new Error('Cannot find package tsx'); }, buildRoot: '/nowhere' };
    const launch = await chooseLaunch(paths, (m) => warnings.push(m), () => Promise.reject(new Error('no binary')));
    expect(warnings[0]).toContain('Reinstall opperator: npm install -g @opperator/cli');
    await expect(launch.prepare?.(agent)).rejects.toThrow('esbuild could not be loaded (no binary)');
  });
});
