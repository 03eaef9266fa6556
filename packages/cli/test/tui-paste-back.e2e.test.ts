import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { CLI_PATH, TestBrowser, TmuxSession, installExampleAgent, makeTempDir, runCli, waitForSection, type TempDir } from '@opperator/testing';

// Signing in from the TUI on a machine with no browser and no display (an SSH
// session, a headless server), in a real terminal (tmux):
// - the guide's invoice-monitor on emulated Google asks for Gmail scopes,
//   which Google's device flow refuses, so the TUI opens its paste field: the
//   sign-in page is read off the screen, opened in Chromium "elsewhere"
//   (whose redirect to the loopback callback cannot connect), and the address
//   it ends on is pasted into the field, as a terminal without bracketed
//   paste sends it (one burst of characters); the TUI runs in an SSH
//   session, so the field also shows the `ssh -L` command for the receiver;
// - the same agent on the sandbox signs in with the device flow: the code and
//   its page are read off the screen and entered in Chromium.

let server: RunningAuthorizationServer;
let home: TempDir;
let browser: TestBrowser;
let tmux: TmuxSession | undefined;
const headless = { DISPLAY: '', WAYLAND_DISPLAY: '', BROWSER: '' };
const base = () => ({ OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file', ...headless });
const cli = (...args: string[]) => runCli(args, { env: base() });
const secrets = ['invoice_monitor_gmail_client_id', 'invoice_monitor_gmail_client_secret'];
const openTui = async (width: number, height: number, env: Record<string, string> = {}) =>
  (tmux = await TmuxSession.start([process.execPath, CLI_PATH], { width, height, env: { ...base(), TERM: 'xterm-256color', ...env } }));
// As sshd sets it: "client-address client-port server-address server-port".
const overSsh = { SSH_CONNECTION: '203.0.113.7 50022 198.51.100.4 2222', USER: 'ana' };

interface TaskRow {
  id: string;
  agent: string;
  state: string;
  progress: { text?: string; pasteBack?: { url: string; redirectUri: string } };
}

/** The running sign-in task of `agent` once `ready` says its progress is there, as the daemon records it. */
async function runningSignIn(agent: string, ready: (task: TaskRow) => boolean): Promise<TaskRow> {
  for (let i = 0; i < 100; i++) {
    const tasks = JSON.parse((await cli('task', 'list', '--json')).stdout) as TaskRow[];
    const task = tasks.find((t) => t.agent === agent && t.state === 'running' && ready(t));
    if (task) return task;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no sign-in of ${agent} is waiting`);
}

/**
 * The URL whose first row starts with `start`, as a terminal selection of
 * its rows gives it: each row filled to the width continues on the next.
 */
function urlOnScreen(screen: string, start: RegExp, width: number): string {
  const rows = screen.split('\n');
  let index = rows.findIndex((row) => start.test(row));
  expect(index, screen).toBeGreaterThanOrEqual(0);
  let url = '';
  for (; index < rows.length; index++) {
    url += rows[index]!;
    if ([...rows[index]!].length < width) break;
  }
  return url;
}

/** Selects `agent` in the agent list with ↑↓, from wherever the selection is. */
async function selectAgent(ui: TmuxSession, agent: string): Promise<void> {
  for (const key of ['Up', 'Up', 'Down', 'Down']) {
    if (new RegExp(`› ${agent} +running`).test(await ui.screen())) return;
    await ui.sendKeys(key);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await ui.waitFor(new RegExp(`› ${agent} +running`), 1_000);
}

/** Runs `command` of `agent` from the palette (its own title, not the section's "run /authorize_gmail", says it is open). */
async function runFromPalette(ui: TmuxSession, agent: string, command: string): Promise<void> {
  await ui.sendKeys('/');
  await ui.waitFor(`Commands of ${agent}`);
  await ui.sendKeys(command, { literal: true });
  await ui.sendKeys('Enter');
  await ui.waitFor(`Started ${command}`, 10_000);
}

beforeAll(async () => {
  server = await startAuthorizationServer({ emulate: ['google'], devicePollIntervalSeconds: 1 });
  const [confidential] = server.clients as [SandboxClient];
  home = await makeTempDir('opperator-tui-paste-');
  await installExampleAgent(home.path, { example: 'invoice-monitor', secrets, env: { OPPERATOR_EMULATE: server.issuer } });
  await installExampleAgent(home.path, { example: 'invoice-monitor', name: 'sandbox-mail', secrets, env: { INVOICE_MONITOR_PROVIDER: server.issuer } });
  expect((await cli('daemon', 'start')).code).toBe(0);
  await runCli(['secret', 'set', secrets[0]!], { env: base(), input: confidential.clientId });
  await runCli(['secret', 'set', secrets[1]!], { env: base(), input: confidential.clientSecret! });
  expect((await cli('agent', 'start', 'invoice-monitor')).code).toBe(0);
  expect((await cli('agent', 'start', 'sandbox-mail')).code).toBe(0);
  browser = await TestBrowser.launch();
}, 60_000);

afterEach(async () => {
  await tmux?.kill();
  tmux = undefined;
});

afterAll(async () => {
  await browser?.close();
  await cli('daemon', 'stop');
  await server?.close();
  await home?.remove();
});

describe('signing in from the TUI with no browser where it runs', () => {
  it('paste-back at 100×30 over SSH: the page whole on screen, the ssh -L command, a 600-character paste refused and asked again, Esc and p, then the real address signs in', async () => {
    const started = Date.now();
    const ui = await openTui(100, 30, overSsh);
    await ui.waitFor(/invoice-monitor +running/, 20_000);
    await selectAgent(ui, 'invoice-monitor');
    await runFromPalette(ui, 'invoice-monitor', 'authorize_gmail');
    const asked = await ui.waitFor('Paste that whole address here', 20_000);

    // The page on screen, rows joined as a selection gives them, is the one the sign-in waits on.
    const { progress } = await runningSignIn('invoice-monitor', (task) => task.progress.pasteBack !== undefined);
    const { url, redirectUri } = progress.pasteBack!;
    const shownUrl = urlOnScreen(asked, /^https?:\/\//, 100);
    expect(shownUrl).toBe(url);
    expect(asked).toContain('Sign in (invoice-monitor authorize_gmail): open this page in a browser on any machine');
    // The tunnel to this receiver, through the SSH server the session came in by, on a row of its own.
    const port = new URL(redirectUri).port;
    expect(asked.split('\n'), asked).toContain(`ssh -N -L ${port}:127.0.0.1:${port} -p 2222 ana@198.51.100.4`);

    // A forged address of 600 characters, in one burst: it lands whole, the receiver refuses its state, the field asks again.
    const forged = `${redirectUri}?code=forged&state=`;
    const long = forged + 'f'.repeat(600 - forged.length);
    await ui.sendKeys(long, { literal: true });
    await ui.waitFor('600 characters · Enter delivers');
    await ui.sendKeys('Enter');
    const refused = await ui.waitFor('✗ Sign-in link not recognised');
    expect(refused).toContain('Paste that whole address here');
    expect(refused).not.toContain('600 characters');

    // Esc hides the field; the sign-in keeps waiting and p brings the field back.
    await ui.sendKeys('Escape');
    await ui.waitFor('then press p and paste the address it ends on');
    expect(await ui.screen()).not.toContain('Paste that whole address here');
    await ui.sendKeys('p');
    await ui.waitFor('Paste that whole address here');

    const landed = await browser.signIn(shownUrl, { login: 'ana@example.com', elsewhere: true });
    expect(landed.url.startsWith(`${redirectUri}?`)).toBe(true);
    await ui.sendKeys(landed.url, { literal: true });
    await ui.sendKeys('Enter');
    const accepted = await ui.waitFor('✓ Address accepted.', 20_000);
    // Accepted: nothing offers p for that sign-in any more, though its task runs on for a moment.
    expect(accepted).not.toContain('press p');
    const done = await ui.waitFor(/✓ Authorizing Gmail +\{"account":"ana@example\.com"/, 20_000);
    expect(done).not.toContain('Paste that whole address here');
    console.info(`TUI paste-back: invoke → signed in ${Date.now() - started} ms (browser automated, typing included)`);
    await ui.waitFor('✓ Authenticated', 20_000);
    expect(await waitForSection('invoice-monitor', 'oauth_gmail', '✓ Authenticated', { env: base(), timeoutMs: 15_000 })).toContain('ana@example.com');
  }, 120_000);

  it('device flow at 120×35: the code and its page on screen, entered in a browser, sign the agent in', async () => {
    const started = Date.now();
    const ui = await openTui(120, 35);
    await ui.waitFor(/sandbox-mail +running/, 20_000);
    await selectAgent(ui, 'sandbox-mail');
    await runFromPalette(ui, 'sandbox-mail', 'authorize_gmail');
    const screen = await ui.waitFor(/Sign in: enter the code \S+ at this page/, 20_000);

    const code = /Sign in: enter the code (\S+) at this page \(valid until [^)]+\):/.exec(screen)?.[1];
    expect(code, screen).toBeDefined();
    // The task's own line carries the code too.
    expect(screen).toContain(`Authorizing Gmail · code ${code}`);
    const shownUrl = urlOnScreen(screen, /^https?:\/\//, 120);
    const { progress } = await runningSignIn('sandbox-mail', (task) => task.progress.text?.includes('enter the code') === true);
    expect(progress.text).toContain(`Open ${shownUrl} and enter the code ${code} `);

    const result = await browser.completeDeviceFlow(shownUrl, code!, { login: 'remote' });
    expect(result.outcome).toBe('approved');
    await ui.waitFor(/✓ Authorizing Gmail +\{"account":"remote@sandbox\.test"/, 20_000);
    console.info(`TUI device flow: invoke → signed in ${Date.now() - started} ms (browser automated)`);
  }, 120_000);
});
