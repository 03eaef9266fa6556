import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { CLI_PATH, TestBrowser, TmuxSession, headlessBrowserCommand, installExampleAgent, makeTempDir, runCli, waitForSection, type TempDir } from '@opperator/testing';

// Paste-back, as an SSH user on a headless server lives it: the daemon and the
// terminal have no browser and no display; the guide's invoice-monitor asks
// for Gmail scopes, which Google's device flow refuses, so the sign-in page is
// opened in a browser "elsewhere" (Chromium whose redirect to the loopback
// callback cannot connect) and the address it ends on is pasted into the CLI,
// typed into a real pseudo-terminal (tmux).

let server: RunningAuthorizationServer;
let home: TempDir;
let browser: TestBrowser;
const headless = { DISPLAY: '', WAYLAND_DISPLAY: '', BROWSER: '' };
const base = () => ({ OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file', ...headless });
const cli = (...args: string[]) => runCli(args, { env: base() });
const ssh = { SSH_CONNECTION: '203.0.113.7 50022 198.51.100.4 2222', USER: 'ana' };

interface TaskRow { id: string; command: string; state: string; progress: { text?: string; pasteBack?: { url: string; redirectUri: string } } }

/** The paste-back request of the running sign-in, as the task record holds it. */
async function pendingPasteBack(): Promise<{ url: string; redirectUri: string }> {
  for (let i = 0; i < 100; i++) {
    const tasks = JSON.parse((await cli('task', 'list', '--json')).stdout) as TaskRow[];
    const waiting = tasks.find((task) => task.state === 'running' && task.progress.pasteBack);
    if (waiting?.progress.pasteBack) return waiting.progress.pasteBack;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no sign-in is waiting for a pasted address');
}

/** Starts `opperator agent invoke invoice-monitor authorize_gmail` in a terminal, over "SSH" unless told otherwise. */
const invokeInTerminal = (args: string[] = [], where: Record<string, string> = ssh) =>
  TmuxSession.start([process.execPath, CLI_PATH, 'agent', 'invoke', 'invoice-monitor', 'authorize_gmail', ...args], { width: 400, height: 40, env: { ...base(), ...where, TERM: 'xterm-256color' } });

beforeAll(async () => {
  server = await startAuthorizationServer({ emulate: ['google'] });
  const [confidential] = server.clients as [SandboxClient];
  home = await makeTempDir('opperator-paste-');
  await installExampleAgent(home.path, { example: 'invoice-monitor', secrets: ['invoice_monitor_gmail_client_id', 'invoice_monitor_gmail_client_secret'], env: { OPPERATOR_EMULATE: server.issuer } });
  expect((await cli('daemon', 'start')).code).toBe(0);
  await runCli(['secret', 'set', 'invoice_monitor_gmail_client_id'], { env: base(), input: confidential.clientId });
  await runCli(['secret', 'set', 'invoice_monitor_gmail_client_secret'], { env: base(), input: confidential.clientSecret! });
  expect((await cli('agent', 'start', 'invoice-monitor')).code).toBe(0);
  browser = await TestBrowser.launch();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await cli('daemon', 'stop');
  await server?.close();
  await home?.remove();
});

describe('invoice-monitor signs in to (emulated) Google over SSH, on a headless console, and on a desktop', () => {
  let firstAddress = '';

  it('says why in one line, offers ssh -L, refuses a foreign and a forged address, then signs in with the real one', async () => {
    const started = Date.now();
    const terminal = await invokeInTerminal();
    try {
      await terminal.waitFor('Paste the address here', 20_000);
      const screen = await terminal.screen();
      expect(screen).toContain("No browser can be opened where you ran the command (no BROWSER, no display), and Google's device flow does not allow https://www.googleapis.com/auth/gmail.readonly");
      const request = await pendingPasteBack();
      const port = new URL(request.redirectUri).port;
      expect(screen).toContain(`ssh -N -L ${port}:127.0.0.1:${port} -p 2222 ana@198.51.100.4`);

      // An address for another place is never sent anywhere.
      await terminal.sendKeys('https://attacker.example/callback?code=x&state=y', { literal: true });
      await terminal.sendKeys('Enter');
      await terminal.waitFor('That address is not where this sign-in ends');
      // A forged one reaches the receiver, which refuses its state; the sign-in keeps waiting.
      await terminal.sendKeys(`${request.redirectUri}?code=forged&state=forged`, { literal: true });
      await terminal.sendKeys('Enter');
      await terminal.waitFor('Sign-in link not recognised');

      const landed = await browser.signIn(request.url, { login: 'ana@example.com', elsewhere: true });
      expect(landed.url.startsWith(`${request.redirectUri}?`)).toBe(true);
      firstAddress = landed.url;
      await terminal.sendKeys(landed.url, { literal: true });
      await terminal.sendKeys('Enter');
      await terminal.waitFor('✓ Address accepted');
      // The result comes after the receiver's answer.
      expect((await terminal.waitFor(/"account"/, 20_000)).indexOf('✓ Address accepted')).toBeLessThan((await terminal.screen()).indexOf('"account"'));
      await terminal.waitFor(/"account": "ana@example\.com"/, 20_000);
      console.info(`SSH, paste-back: invoke → signed in ${Date.now() - started} ms (browser automated, typing included)`);
    } finally {
      await terminal.kill();
    }
    expect(await waitForSection('invoice-monitor', 'oauth_gmail', '✓ Authenticated', { env: base(), timeoutMs: 15_000 })).toContain('ana@example.com');
  }, 90_000);

  it('a replayed address (from the previous sign-in) is refused, and the new one completes', async () => {
    expect(firstAddress).not.toBe('');
    const terminal = await invokeInTerminal(['--args', '{"paste":true}']);
    try {
      await terminal.waitFor('Paste the address here', 20_000);
      await terminal.sendKeys(firstAddress, { literal: true });
      await terminal.sendKeys('Enter');
      // Each sign-in listens on a port of its own: the old address is refused before it is sent.
      await terminal.waitFor('That address is not where this sign-in ends');
      const request = await pendingPasteBack();
      const landed = await browser.signIn(request.url, { login: 'ana@example.com', elsewhere: true });
      await terminal.sendKeys(landed.url, { literal: true });
      await terminal.sendKeys('Enter');
      await terminal.waitFor(/"account": "ana@example\.com"/, 20_000);
    } finally {
      await terminal.kill();
    }
  }, 90_000);

  it('two authorize invocations at once share one sign-in: the second joins, both get the account, one code exchange', async () => {
    const emulator = server.emulators.google!;
    const exchangesBefore = emulator.requestCount('POST oauth2.googleapis.com/token');
    const terminal = await invokeInTerminal();
    try {
      await terminal.waitFor('Paste the address here', 20_000);
      // A second invocation (no terminal: it cannot paste, it only waits).
      const second = runCli(['agent', 'invoke', 'invoice-monitor', 'authorize_gmail', '--json'], { env: base() });
      const request = await pendingPasteBack();
      const landed = await browser.signIn(request.url, { login: 'both@example.com', elsewhere: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await terminal.sendKeys(landed.url, { literal: true });
      await terminal.sendKeys('Enter');
      await terminal.waitFor(/"account": "both@example\.com"/, 20_000);
      const joined = await second;
      expect(joined.code, joined.stderr).toBe(0);
      expect(joined.stderr).toContain('A sign-in is already under way');
      expect(JSON.parse(joined.stdout)).toMatchObject({ account: 'both@example.com' });
    } finally {
      await terminal.kill();
    }
    expect(emulator.requestCount('POST oauth2.googleapis.com/token') - exchangesBefore).toBe(1);
  }, 90_000);

  it('on a headless server\'s own console (no SSH): paste-back with no ssh -L line', async () => {
    const started = Date.now();
    const terminal = await invokeInTerminal([], {});
    try {
      await terminal.waitFor('Paste the address here', 20_000);
      expect(await terminal.screen()).not.toContain('ssh -N -L');
      const request = await pendingPasteBack();
      const landed = await browser.signIn(request.url, { login: 'console@example.com', elsewhere: true });
      await terminal.sendKeys(landed.url, { literal: true });
      await terminal.sendKeys('Enter');
      await terminal.waitFor(/"account": "console@example\.com"/, 20_000);
      console.info(`headless console, paste-back: invoke → signed in ${Date.now() - started} ms (browser automated, typing included)`);
    } finally {
      await terminal.kill();
    }
  }, 90_000);

  it('on a desktop (BROWSER where the command runs, none in the daemon): the page opens there, nothing to paste', async () => {
    const started = Date.now();
    const run = await runCli(['agent', 'invoke', 'invoice-monitor', 'authorize_gmail', '--json'], { env: { ...base(), BROWSER: headlessBrowserCommand() } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Opening the sign-in page in your browser');
    expect(run.stderr).not.toContain('Paste the address');
    expect(JSON.parse(run.stdout)).toMatchObject({ account: expect.stringContaining('@') });
    console.info(`desktop, browser: invoke → signed in ${Date.now() - started} ms (headless Chromium as BROWSER)`);
  }, 90_000);

  it('paste-back without a terminal to paste into is refused with the reason (a detached run)', async () => {
    const run = await cli('agent', 'invoke', 'invoice-monitor', 'authorize_gmail', '--args', '{"paste":true}', '--detach', '--json');
    expect(run.code, run.stderr).toBe(0);
    const { taskId } = JSON.parse(run.stdout) as { taskId: string };
    let task: { state: string; error?: { message: string } } = { state: 'running' };
    for (let i = 0; i < 50 && task.state === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      task = JSON.parse((await cli('task', 'get', taskId, '--json')).stdout) as typeof task;
    }
    expect(task.state).toBe('failed');
    expect(task.error?.message).toContain('Paste-back needs someone to paste the address');
  }, 30_000);
});
