import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { headlessBrowserCommand, installExampleAgent, invokeWithDeviceCode, makeTempDir, runCli, waitForSection, type TempDir } from '@opperator/testing';

// The sign-in page opens where the user is: the daemon (and so the agent) is
// started with no BROWSER and no display, as under a login service; the
// invoking CLI's own environment decides how the page is opened.

let server: RunningAuthorizationServer;
let home: TempDir;
const headless = { DISPLAY: '', WAYLAND_DISPLAY: '' };
const base = () => ({ OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file', ...headless });
const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { env: { ...base(), ...extra } });

beforeAll(async () => {
  server = await startAuthorizationServer({ devicePollIntervalSeconds: 1 });
  const [confidential] = server.clients as [SandboxClient];
  home = await makeTempDir('opperator-where-');
  await installExampleAgent(home.path, { example: 'invoice-monitor', secrets: ['invoice_monitor_gmail_client_id', 'invoice_monitor_gmail_client_secret'], env: { INVOICE_MONITOR_PROVIDER: server.issuer } });
  expect((await cli(['daemon', 'start'])).code).toBe(0);
  await runCli(['secret', 'set', 'invoice_monitor_gmail_client_id'], { env: base(), input: confidential.clientId });
  await runCli(['secret', 'set', 'invoice_monitor_gmail_client_secret'], { env: base(), input: confidential.clientSecret! });
  expect((await cli(['agent', 'start', 'invoice-monitor'])).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await cli(['daemon', 'stop']);
  await server?.close();
  await home?.remove();
});

describe('authorize from a client whose environment differs from the daemon\'s', () => {
  it('BROWSER set only where the command runs: the CLI opens the page with it, and the sign-in completes', async () => {
    const run = await cli(['agent', 'invoke', 'invoice-monitor', 'authorize_gmail', '--json'], { BROWSER: headlessBrowserCommand() });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Opening the sign-in page in your browser');
    expect(JSON.parse(run.stdout)).toMatchObject({ account: 'demo@sandbox.test' });
    expect(await waitForSection('invoice-monitor', 'oauth_gmail', '✓ Authenticated', { env: base(), timeoutMs: 15_000 })).toContain('demo@sandbox.test');
  }, 60_000);

  it('no browser where the command runs: one line says why, and the device flow signs in', async () => {
    const run = await invokeWithDeviceCode('invoice-monitor', 'authorize_gmail', { ...base(), BROWSER: '' }, { login: 'remote' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('No browser can be opened where you ran the command (no BROWSER, no display); sign in with a code instead. Open ');
    expect(JSON.parse(run.stdout)).toMatchObject({ account: 'remote@sandbox.test' });
  }, 60_000);

  it('a detached run has nobody to open the page for: the task record says the agent\'s own environment decides', async () => {
    const started = await cli(['agent', 'invoke', 'invoice-monitor', 'authorize_gmail', '--detach', '--json']);
    expect(started.code, started.stderr).toBe(0);
    const { taskId } = JSON.parse(started.stdout) as { taskId: string };
    let text = '';
    for (let i = 0; i < 50 && !text.includes('enter the code'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      text = (await cli(['task', 'get', taskId, '--json'])).stdout;
    }
    // The daemon has no BROWSER or display either, so the agent falls back to a code, and says why.
    expect(text).toContain("No interactive client is attached and the agent's environment has no browser");
    // The section shows where to finish it, code included, while it waits; and forgets it once cancelled.
    const code = /enter the code (\S+)/.exec(text)?.[1];
    expect(await waitForSection('invoice-monitor', 'oauth_gmail', `enter the code <b>${code}</b>`, { env: base(), timeoutMs: 10_000 })).toContain('<b>Signing in:</b> open ');
    expect((await cli(['task', 'cancel', taskId])).code).toBe(0);
    expect(await waitForSection('invoice-monitor', 'oauth_gmail', '<b>Next:</b>', { env: base(), timeoutMs: 10_000 })).not.toContain('Signing in');
  }, 60_000);
});
