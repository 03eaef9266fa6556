import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { headlessBrowserCommand, makeAgentHome, runCli, waitForSection, type TempDir } from '@opperator/testing';

// this.useOAuth() under the real daemon: secrets missing, then set through the
// CLI (no restart), a browser sign-in against a local oidc-provider with
// headless Chromium as BROWSER, and sign-out. The agent folder links only the
// SDK: @opperator/oauth resolves from the SDK's real path.

let server: RunningAuthorizationServer;
let home: TempDir;
let client: SandboxClient;
const env = () => ({
  OPPERATOR_HOME: home.path,
  OPPERATOR_SECRET_STORE: 'file',
  BROWSER: headlessBrowserCommand(),
});
const cli = (...args: string[]) => runCli(args, { env: env() });
const agentDir = () => join(home.path, 'agents', 'oauthy');
/** The section updates itself asynchronously: poll until it shows `text`. */
const sectionShows = (text: string, timeoutMs = 10_000) => waitForSection('oauthy', 'oauth_sandbox', text, { env: env(), timeoutMs });
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

beforeAll(async () => {
  server = await startAuthorizationServer();
  [client] = server.clients as [SandboxClient];
  const source = await readFile(new URL('./fixtures/use-oauth-agent.ts', import.meta.url), 'utf8');
  home = await makeAgentHome([{ name: 'oauthy', source, yaml: `secrets: [sb_client_id, sb_client_secret]\nenv: { SANDBOX_ISSUER: "${server.issuer}" }` }]);
  expect((await cli('daemon', 'start')).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await cli('daemon', 'stop');
  await server?.close();
  await home?.remove();
});

describe('this.useOAuth() under the daemon', () => {
  it('with the secrets missing: section says Missing with the fix, authorize fails with exit 6, agent keeps running', async () => {
    expect((await cli('agent', 'start', 'oauthy')).code).toBe(0);
    const content = await sectionShows('Missing');
    expect(content).toContain('⚠ Not Authenticated');
    expect(content).toContain('opperator secret set sb_client_id');

    const run = await cli('agent', 'invoke', 'oauthy', 'authorize_sandbox', '--json');
    expect(run.code, run.stderr).toBe(6);
    expect(run.stdout + run.stderr).toContain('opperator secret set sb_client_id');
    const list = JSON.parse((await cli('agent', 'list', '--json')).stdout) as Array<{ name: string; state: string }>;
    expect(list.find((a) => a.name === 'oauthy')?.state).toBe('running');
  }, 60_000);

  it('after setting the secrets through the CLI: signs in with progress, token.json 0600, no client secret on disk', async () => {
    await runCli(['secret', 'set', 'sb_client_id'], { env: env(), input: client.clientId });
    await runCli(['secret', 'set', 'sb_client_secret'], { env: env(), input: client.clientSecret! });

    const run = await cli('agent', 'invoke', 'oauthy', 'authorize_sandbox', '--json');
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(run.stdout)).toMatchObject({ account: 'demo@sandbox.test' });
    const progress = run.stderr.split('\n').filter(Boolean);
    expect(progress[0]).toMatch(/Preparing authorization flow/);
    expect(progress).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Listening on port \d+/),
        expect.stringMatching(/Browser opened; waiting for you to sign in/),
        expect.stringMatching(/Exchanging the code for tokens/),
        expect.stringMatching(/Tokens saved to .*token\.json/),
        expect.stringMatching(/Verified as demo@sandbox\.test/),
      ]),
    );

    const tokenPath = join(agentDir(), 'token.json');
    expect((await stat(tokenPath)).mode & 0o777).toBe(0o600);
    const secret = client.clientSecret!;
    // Every file in the home (agent folder, state dir, logs) except the secret
    // store itself, which this test forces to a file (OPPERATOR_SECRET_STORE=file).
    const files = (await filesUnder(home.path)).filter((p) => !p.includes('node_modules') && !p.startsWith(join(home.path, 'secrets')));
    expect(files).toEqual(expect.arrayContaining([tokenPath, expect.stringContaining(join(home.path, 'state'))]));
    for (const file of files) {
      const text = await readFile(file, 'latin1').catch(() => '');
      expect(text.includes(secret), `client secret found in ${file}`).toBe(false);
    }

    const content = await sectionShows('✓ Authenticated');
    expect(content).toContain('✓ Authenticated');
    expect(content).toContain('demo@sandbox.test');
    expect(content).toContain('Monitoring active');
  }, 90_000);

  it('sign_out_sandbox revokes and clears: Not Authenticated, token.json gone', async () => {
    const run = await cli('agent', 'invoke', 'oauthy', 'sign_out_sandbox', '--json');
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(run.stdout)).toMatchObject({ cleared: true });
    await expect(stat(join(agentDir(), 'token.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    const content = await sectionShows('⚠ Not Authenticated');
    expect(content).toContain('⚠ Not Authenticated');
    expect(content).toContain('Sign in: run authorize_sandbox');
  }, 60_000);
});
