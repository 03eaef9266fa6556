import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { headlessBrowserCommand, makeAgentHome, runCli, type TempDir } from '@opperator/testing';

// The guide's example structure running as a real agent under the daemon,
// signing in against a local oidc-provider, with headless Chromium as BROWSER.

let server: RunningAuthorizationServer;
let home: TempDir;
const env = () => ({
  OPPERATOR_HOME: home.path,
  OPPERATOR_SECRET_STORE: 'file',
  BROWSER: headlessBrowserCommand(),
});
const cli = (...args: string[]) => runCli(args, { env: env() });

beforeAll(async () => {
  server = await startAuthorizationServer();
  const source = await readFile(new URL('./fixtures/guide-agent.ts', import.meta.url), 'utf8');
  home = await makeAgentHome([{ name: 'guide', source, link: ['oauth'], yaml: `secrets: [guide_client_id, guide_client_secret]\nenv: { SANDBOX_ISSUER: "${server.issuer}" }` }]);
  const [confidential] = server.clients as [SandboxClient];
  await runCli(['secret', 'set', 'guide_client_id'], { env: env(), input: confidential.clientId });
  await runCli(['secret', 'set', 'guide_client_secret'], { env: env(), input: confidential.clientSecret! });
  expect((await cli('daemon', 'start')).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await cli('daemon', 'stop');
  await server?.close();
  await home?.remove();
});

describe("the guide's agent under the daemon", () => {
  it('signs in with an async command that reports progress, then shows Authenticated', async () => {
    expect((await cli('agent', 'start', 'guide')).code).toBe(0);
    const before = JSON.parse((await cli('agent', 'sections', 'guide', '--json')).stdout) as Array<{ content: string }>;
    expect(before[0]?.content).toContain('⚠ Not Authenticated');

    const run = await cli('agent', 'invoke', 'guide', 'authorize_sandbox', '--json');
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(run.stdout)).toEqual({ account: 'demo@sandbox.test' });
    const progress = run.stderr.split('\n').filter(Boolean);
    expect(progress[0]).toBe('Authorizing Sandbox: Preparing authorization flow...');
    expect(progress).toEqual(expect.arrayContaining([expect.stringMatching(/Listening on port \d+/), 'Authorizing Sandbox: Exchanging the code', 'Authorizing Sandbox: 100% Tokens saved']));

    const after = JSON.parse((await cli('agent', 'sections', 'guide', '--json')).stdout) as Array<{ content: string }>;
    expect(after[0]?.content).toContain('✓ Authenticated');
    expect(after[0]?.content).toContain('demo@sandbox.test');
    expect((await stat(join(home.path, 'agents', 'guide', 'token.json'))).mode & 0o777).toBe(0o600);
    const logs = (await cli('agent', 'logs', 'guide', '-n', '200')).stdout;
    expect(logs).not.toContain((await readFile(join(home.path, 'agents', 'guide', 'token.json'), 'utf8').then((t) => JSON.parse(t) as { accessToken: string })).accessToken);
  }, 60_000);
});
