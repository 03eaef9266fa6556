import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { CLI_PATH, TmuxSession, headlessBrowserCommand, installExampleAgent, makeTempDir, runCli, type TempDir } from '@opperator/testing';

// The guide's story in the TUI: examples/invoice-monitor against a sandbox,
// its secrets typed into the TUI's masked form, /authorize_gmail from the
// palette with Chromium completing the login (BROWSER), and the sidebar
// turning to "✓ Authenticated".

let server: RunningAuthorizationServer;
let home: TempDir;
let client: SandboxClient;
let tmux: TmuxSession | undefined;

beforeAll(async () => {
  server = await startAuthorizationServer();
  [client] = server.clients as [SandboxClient];
  home = await makeTempDir('opperator-tui-oauth-');
  await installExampleAgent(home.path, {
    example: 'invoice-monitor',
    secrets: ['invoice_monitor_gmail_client_id', 'invoice_monitor_gmail_client_secret'],
    env: { INVOICE_MONITOR_PROVIDER: server.issuer },
  });
}, 60_000);

afterAll(async () => {
  await tmux?.kill();
  await runCli(['daemon', 'stop'], { env: { OPPERATOR_HOME: home.path } });
  await server?.close();
  await home?.remove();
});

describe('the TUI with examples/invoice-monitor on the sandbox', () => {
  it('sets the secrets through the masked form, runs /authorize_gmail, and shows ✓ Authenticated', async () => {
    const ui = (tmux = await TmuxSession.start([process.execPath, CLI_PATH], {
      width: 120,
      height: 36,
      env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file', BROWSER: headlessBrowserCommand(), TERM: 'xterm-256color' },
    }));
    await ui.waitFor(/› invoice-monitor +stopped/);
    await ui.sendKeys('s');
    await ui.waitFor('⚠ Not Authenticated', 20_000);
    await ui.waitFor('2 secrets missing: press e');

    await ui.sendKeys('e');
    await ui.waitFor('invoice_monitor_gmail_client_secret');
    await ui.sendKeys(client.clientId, { literal: true });
    const typed = await ui.waitFor('•'.repeat(client.clientId.length));
    expect(typed).not.toContain(client.clientId);
    await ui.sendKeys('Enter');
    await ui.waitFor('Saved invoice_monitor_gmail_client_id');
    await ui.sendKeys(client.clientSecret!, { literal: true });
    await ui.sendKeys('Enter');
    await ui.waitFor('Saved 2 secrets.');
    expect(await ui.screen()).not.toContain(client.clientSecret!);
    expect((await runCli(['secret', 'get', 'invoice_monitor_gmail_client_secret'], { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } })).stdout.trim()).toBe(client.clientSecret);

    await ui.sendKeys('/');
    await ui.waitFor('authorize_gmail');
    await ui.sendKeys('authorize_gmail', { literal: true });
    await ui.sendKeys('Enter');
    await ui.waitFor('Started authorize_gmail');
    const done = await ui.waitFor('✓ Authenticated', 30_000);
    expect(done).toContain('demo@sandbox.test');
    await ui.waitFor(/✓ Authorizing Gmail +\{"account":"demo@sandbox.test"/);
    const token = JSON.parse(await readFile(join(home.path, 'agents', 'invoice-monitor', 'token.json'), 'utf8')) as { account: string };
    expect(token.account).toBe('demo@sandbox.test');
  }, 90_000);
});
