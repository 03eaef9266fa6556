import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { CLI_PATH, makeTempDir, runCli, TestBrowser, type TempDir } from '@opperator/testing';

// The OAuth story through MCP, against the sandbox (given by issuer URL): an
// assistant bootstraps an OAuth agent and starts it through tools, the user
// sets the client credentials with the CLI (secrets never pass through MCP),
// the assistant runs the sign-in through a tool, the user finishes it in a
// browser (Chromium) with the code the progress showed, and the section,
// read as a resource, shows the agent signed in. Real daemon, agent,
// authorization server and browser.

let server: RunningAuthorizationServer;
let home: TempDir;
let client: Client;
const seen: string[] = [];
// As under a login service or over SSH: no display, no BROWSER where the MCP server runs.
const base = () => ({ OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file', DISPLAY: '', WAYLAND_DISPLAY: '', BROWSER: '' });
const cli = (args: string[], input?: string) => runCli(args, { env: base(), ...(input === undefined ? {} : { input }) });
const textOf = (result: CallToolResult) => result.content.map((item) => (item.type === 'text' ? item.text : '')).join('\n');

async function call(name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  seen.push(JSON.stringify(result));
  return result;
}

beforeAll(async () => {
  server = await startAuthorizationServer({ devicePollIntervalSeconds: 1 });
  home = await makeTempDir('opperator-mcp-oauth-');
  const { DBUS_SESSION_BUS_ADDRESS: _bus, ...inherited } = process.env;
  client = new Client({ name: 'opperator-oauth-e2e', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI_PATH, 'mcp'], env: { ...(inherited as Record<string, string>), ...base() }, stderr: 'ignore' }));
}, 60_000);

afterAll(async () => {
  await client?.close();
  await cli(['daemon', 'stop']);
  await server?.close();
  await home?.remove();
});

describe('the OAuth story through MCP', () => {
  it('bootstraps an OAuth agent through a tool; started, it says which secrets the user must set', async () => {
    const made = await call('bootstrap_agent', { name: 'mail-watch', template: 'oauth', provider: server.issuer });
    expect(made.isError, textOf(made)).toBeFalsy();
    expect(made.structuredContent).toMatchObject({ name: 'mail-watch', secrets: ['mail_watch_oauth_client_id', 'mail_watch_oauth_client_secret'], signInTool: 'mail-watch__authorize_oauth' });
    expect(textOf(made)).toContain('opperator secret set mail_watch_oauth_client_secret');
    expect(textOf(made)).toContain('start_agent {"agent":"mail-watch"}');
    const again = await call('bootstrap_agent', { name: 'mail-watch' });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toContain('already exists');

    expect((await call('start_agent', { agent: 'mail-watch' })).structuredContent).toMatchObject({ state: 'running', tools: expect.arrayContaining(['mail-watch__authorize_oauth', 'mail-watch__whoami']) });
    const missing = await call('secret_status', { agent: 'mail-watch' });
    expect(missing.structuredContent).toMatchObject({ agents: [{ signIns: [{ name: 'oauth', credentials: 'missing', missingSecrets: [{ name: 'mail_watch_oauth_client_id', fix: 'opperator secret set mail_watch_oauth_client_id' }, { name: 'mail_watch_oauth_client_secret' }] }] }] });
  }, 60_000);

  it('with the secrets set by the user, signs in with the code its progress shows, and the section reads signed in', async () => {
    // The user's part: the secrets, typed into the CLI.
    const [confidential] = server.clients as [SandboxClient];
    expect((await cli(['secret', 'set', 'mail_watch_oauth_client_id'], confidential.clientId)).code).toBe(0);
    expect((await cli(['secret', 'set', 'mail_watch_oauth_client_secret'], confidential.clientSecret!)).code).toBe(0);
    const before = await call('secret_status', { agent: 'mail-watch' });
    expect(before.structuredContent).toMatchObject({ agents: [{ signIns: [{ name: 'oauth', credentials: 'configured', authenticated: false }] }] });
    expect(textOf(before)).toContain('sign in: the tool mail-watch__authorize_oauth');

    const messages: string[] = [];
    let browserDone: Promise<unknown> | undefined;
    const result = (await client.callTool({ name: 'mail-watch__authorize_oauth', arguments: {} }, undefined, {
      timeout: 60_000,
      onprogress: ({ message }) => {
        if (message) messages.push(message);
        const prompt = message ? /Open (\S+) and enter the code (\S+)/.exec(message) : null;
        // The user, told the page and the code by the assistant, finishes the sign-in in a browser.
        if (prompt && !browserDone) browserDone = TestBrowser.launch().then(async (browser) => {
          try {
            return await browser.completeDeviceFlow(prompt[1]!, prompt[2]!, { login: 'mcp-user' });
          } finally {
            await browser.close();
          }
        });
      },
    })) as CallToolResult;
    seen.push(JSON.stringify(result), ...messages);
    expect(browserDone, messages.join('\n')).toBeDefined();
    expect(await browserDone).toMatchObject({ outcome: 'approved' });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ account: 'mcp-user@sandbox.test' });

    const deadline = Date.now() + 10_000;
    let sections = '';
    while (Date.now() < deadline && !sections.includes('✓ Authenticated')) {
      sections = ((await client.readResource({ uri: 'opperator://agents/mail-watch/sections' })).contents[0] as { text: string }).text;
      seen.push(sections);
    }
    expect(sections).toContain('✓ Authenticated');
    expect(sections).toContain('mcp-user@sandbox.test');
    const after = await call('secret_status', { agent: 'mail-watch' });
    expect(after.structuredContent).toMatchObject({ agents: [{ signIns: [{ name: 'oauth', authenticated: true, account: 'mcp-user@sandbox.test' }] }] });
    const whoami = await call('mail-watch__whoami');
    expect(whoami.structuredContent).toMatchObject({ sub: 'mcp-user' });
  }, 90_000);

  it('called without a progress token (hosts that show the model only results), the sign-in answers at once with the page and code, and task_status tells when the user finished', async () => {
    const started = Date.now();
    const handed = await call('mail-watch__authorize_oauth');
    expect(handed.isError, textOf(handed)).toBeFalsy();
    expect(handed.structuredContent).toMatchObject({ status: 'waiting-for-user', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//), userCode: expect.any(String), taskId: expect.any(String) });
    expect(Date.now() - started).toBeLessThan(30_000);
    const { url, userCode, taskId } = handed.structuredContent as { url: string; userCode: string; taskId: string };
    expect(textOf(handed)).toContain(`task_status {"task_id":"${taskId}"}`);

    const browser = await TestBrowser.launch();
    try {
      expect(await browser.completeDeviceFlow(url, userCode, { login: 'second-user' })).toMatchObject({ outcome: 'approved' });
    } finally {
      await browser.close();
    }
    const deadline = Date.now() + 20_000;
    let status = await call('task_status', { task_id: taskId });
    while (!/succeeded|failed|cancelled/.test(textOf(status)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      status = await call('task_status', { task_id: taskId });
    }
    expect(textOf(status)).toContain('succeeded');
    expect(textOf(status)).toContain('second-user@sandbox.test');
  }, 90_000);

  it('never showed the access token, the client secret or the token tool', async () => {
    const token = await cli(['auth', 'token', 'mail-watch']);
    expect(token.code, token.stderr).toBe(0);
    const accessToken = token.stdout.trim();
    expect(accessToken.length).toBeGreaterThan(10);
    const everything = seen.join('\n') + JSON.stringify(await client.listTools());
    expect(everything).not.toContain(accessToken);
    expect(everything).not.toContain((server.clients[0] as SandboxClient).clientSecret!);
    expect(everything).not.toContain('oauth_token_oauth');
  });
});
