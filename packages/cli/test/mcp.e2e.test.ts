import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ResourceUpdatedNotificationSchema, ToolListChangedNotificationSchema, type CallToolResult, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '@opperator/protocol';
import { CLI_PATH, EXAMPLES_DIR, makeAgentHome, runCli, type TempDir } from '@opperator/testing';

// `opperator mcp` as an MCP client sees it: the SDK's own Client over real
// stdio, spawning the built CLI, which starts a real daemon running real
// agent processes. Nothing is mocked.

let home: TempDir;
let client: Client;
let stderr = '';
const listChanges: number[] = [];
const resourceUpdates: string[] = [];
const env = () => ({ OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' });
const cli = (...args: string[]) => runCli(args, { env: env() });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Every result text seen, to check no token ever reached the client. */
const seen: string[] = [];

async function call(name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  seen.push(JSON.stringify(result));
  return result;
}
const textOf = (result: CallToolResult) => result.content.map((item) => (item.type === 'text' ? item.text : '')).join('\n');

async function toolNames(): Promise<string[]> {
  const { tools } = await client.listTools();
  seen.push(JSON.stringify(tools));
  return tools.map((tool) => tool.name);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

beforeAll(async () => {
  const fixtures = new URL('./fixtures/', import.meta.url);
  home = await makeAgentHome([
    { name: 'notes', source: await readFile(new URL('mcp-notes-agent.ts', fixtures), 'utf8'), yaml: 'auto_restart: false\nstart_with_daemon: true\nsecrets: [DEMO_CLIENT_ID]\nmcp: { hide_commands: [purge_notes] }' },
    { name: 'worker', source: await readFile(new URL('worker-agent.ts', fixtures), 'utf8'), yaml: 'auto_restart: false' },
    // Running, but agents.yaml hides it from MCP clients.
    { name: 'shadow', source: await readFile(new URL('worker-agent.ts', fixtures), 'utf8'), yaml: 'auto_restart: false\nstart_with_daemon: true\nmcp: { hidden: true }' },
  ]);
  const { DBUS_SESSION_BUS_ADDRESS: _bus, BROWSER: _browser, ...base } = process.env;
  // No daemon runs yet: `opperator mcp` starts it.
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI_PATH, 'mcp'], env: { ...(base as Record<string, string>), ...env() }, stderr: 'pipe' });
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  client = new Client({ name: 'opperator-e2e', version: '1.0.0' });
  client.onerror = (err) => process.stderr.write(`client error: ${err.message}\n`);
  client.setNotificationHandler(ToolListChangedNotificationSchema, async () => void listChanges.push(Date.now()));
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, async (notification) => void resourceUpdates.push(notification.params.uri));
  await client.connect(transport);
  await waitFor('the notes tools', async () => ((await toolNames()).includes('notes__add_note') ? true : undefined));
}, 60_000);

afterAll(async () => {
  await client?.close();
  await cli('daemon', 'stop');
  await home?.remove();
});

describe('opperator mcp over stdio', () => {
  it('starts the daemon, saying so on stderr only, and names itself', () => {
    expect(stderr).toContain('started the daemon');
    expect(client.getServerVersion()?.name).toBe('opperator');
    expect(client.getServerCapabilities()?.tools?.listChanged).toBe(true);
  });

  it('lists the built-in tools with accurate annotations, and each visible command as a tool with its argument schema', async () => {
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    for (const name of ['list_agents', 'start_agent', 'stop_agent', 'restart_agent', 'agent_logs', 'agent_sections', 'agent_commands', 'task_status', 'cancel_task', 'secret_status', 'bootstrap_agent', 'add_agent']) expect(byName.has(name)).toBe(true);
    // It may replace an agent (with force), reaches npm, and a repeat is refused as taken.
    expect(byName.get('add_agent')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true });
    expect(byName.get('secret_status')?.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.get('list_agents')?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
    expect(byName.get('stop_agent')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
    expect(byName.get('start_agent')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: true });
    expect(byName.get('restart_agent')?.annotations).toMatchObject({ destructiveHint: true, idempotentHint: false });
    expect(byName.get('notes__add_note')?.inputSchema).toEqual({
      type: 'object',
      properties: { text: { type: 'string', description: 'What to note.' }, tag: { type: 'string', enum: ['work', 'home'] }, priority: { type: 'integer' } },
      required: ['text'],
      additionalProperties: false,
    });
    expect(byName.get('notes__add_note')?.description).toContain('Add a note.');
    expect(byName.has('notes__authorize_demo')).toBe(true);
    // Hidden commands, and any oauth_token_* (even one left visible), are never tools.
    for (const name of ['notes__internal_sync', 'notes__oauth_status_demo', 'notes__oauth_token_demo', 'notes__oauth_token_forgot']) expect(byName.has(name)).toBe(false);
    // The stopped worker has no command tools.
    expect([...byName.keys()].some((name) => name.startsWith('worker__'))).toBe(false);
  });

  it('calls an agent command with valid arguments, and refuses invalid ones as a tool error', async () => {
    const ok = await call('notes__add_note', { text: 'buy milk', tag: 'home' });
    expect(ok.isError).toBeFalsy();
    expect(ok.structuredContent).toEqual({ count: 1 });
    const wrongEnum = await call('notes__add_note', { text: 'x', tag: 'garden' });
    expect(wrongEnum.isError).toBe(true);
    expect(textOf(wrongEnum)).toContain('argument "tag" must be one of "work", "home"');
    const missing = await call('notes__add_note', { priority: 1.5, colour: 'red' });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/"text" is required.*"priority" must be an integer.*unknown argument "colour"/);
    // Nothing refused reached the agent.
    expect((await call('notes__count_notes')).structuredContent).toEqual({ count: 1 });
    // A hidden or token command is not callable either, by its would-be tool name.
    expect((await call('notes__oauth_token_demo')).isError).toBe(true);
    expect((await call('notes__oauth_token_forgot')).isError).toBe(true);
  });

  it('answers lifecycle and inspection tools, with fixes in tool errors', async () => {
    const list = await call('list_agents');
    expect(list.structuredContent).toMatchObject({ agents: [{ name: 'notes', state: 'running' }, { name: 'worker', state: 'stopped' }] });
    expect(textOf(list)).toContain('notes__add_note');
    const sections = await call('agent_sections', { agent: 'notes' });
    expect(textOf(sections)).toContain('## Summary\n\n**Notes:** 1 _latest_ \\[buy milk\\]');
    const commands = await call('agent_commands', { agent: 'notes' });
    expect(textOf(commands)).toContain('notes__add_note: Add a note.');
    expect(textOf(commands)).not.toContain('internal_sync');
    const logs = await call('agent_logs', { agent: 'notes', lines: 5, since: '10m' });
    expect(logs.isError).toBeFalsy();
    const typo = await call('agent_sections', { agent: 'notse' });
    expect(typo.isError).toBe(true);
    expect(textOf(typo)).toContain('Did you mean "notes"?');
    const notRunning = await call('agent_logs', { agent: 'notes', since: 'yesterday' });
    expect(textOf(notRunning)).toContain('"since" must be');
    const badArgs = await call('start_agent', {});
    expect(badArgs.isError).toBe(true);
    expect(textOf(badArgs)).toContain('argument "agent" is required');
  });

  it('sends tools/list_changed when an agent starts outside MCP, and its commands become tools', async () => {
    const before = listChanges.length;
    expect((await cli('agent', 'start', 'worker')).code).toBe(0);
    await waitFor('tools/list_changed', async () => (listChanges.length > before ? true : undefined));
    expect(await toolNames()).toEqual(expect.arrayContaining(['worker__count', 'worker__long', 'worker__echo']));
  }, 30_000);

  it('sends tools/list_changed when a running agent registers a command', async () => {
    const before = listChanges.length;
    expect((await call('notes__enable_archive')).isError).toBeFalsy();
    await waitFor('tools/list_changed', async () => (listChanges.length > before ? true : undefined));
    expect(await toolNames()).toContain('notes__archive_notes');
  }, 30_000);

  it('forwards progress as notifications/progress, and a sign-in shows the page and code to open', async () => {
    const updates: Progress[] = [];
    const result = (await client.callTool({ name: 'worker__count', arguments: {} }, undefined, { onprogress: (progress) => void updates.push(progress) })) as CallToolResult;
    expect(result.structuredContent).toEqual({ counted: 3 });
    expect(updates.map((update) => update.message)).toEqual(['step 1', 'step 2', 'step 3']);
    expect(updates.map((update) => update.progress)).toEqual([33.3, 66.7, 100]);
    expect(updates.every((update) => update.total === 100)).toBe(true);

    const signIn: Progress[] = [];
    const authorized = (await client.callTool({ name: 'notes__authorize_demo', arguments: {} }, undefined, { onprogress: (progress) => void signIn.push(progress) })) as CallToolResult;
    expect(authorized.structuredContent).toEqual({ account: 'user@example.test' });
    expect(signIn[0]?.message).toContain('https://sign-in.example.test/device and enter the code WXYZ-1234');
    expect(signIn[1]?.message).toContain('Open this page to continue: https://sign-in.example.test/authorize?state=abc');
  });

  it('keeps a silent command alive with progress heartbeats, and cancels its task when the MCP request is cancelled', async () => {
    const abort = new AbortController();
    const heartbeats: Progress[] = [];
    // The command says nothing for a minute: the heartbeat (every 10 s) is what a client resetting its timeout on progress waits on.
    const pending = client.callTool({ name: 'worker__long', arguments: {} }, undefined, { signal: abort.signal, resetTimeoutOnProgress: true, onprogress: (progress) => void heartbeats.push(progress) });
    const running = await waitFor('the long task', async () => {
      const { structuredContent } = await call('task_status', { agent: 'worker' });
      return (structuredContent as { tasks: Array<{ id: string; command: string; state: string }> }).tasks.find((task) => task.command === 'long' && task.state === 'running');
    });
    await waitFor('a heartbeat', async () => (heartbeats.length > 0 ? true : undefined), 15_000);
    expect(heartbeats[0]).toMatchObject({ message: 'Still running...', total: 100 });
    abort.abort('the user changed their mind');
    await expect(pending).rejects.toThrow();
    const ended = await waitFor('the task cancelled', async () => {
      const { structuredContent } = await call('task_status', { task_id: running.id });
      const [task] = (structuredContent as { tasks: Array<{ state: string }> }).tasks;
      return task?.state === 'running' ? undefined : task;
    });
    expect(ended.state).toBe('cancelled');
  }, 40_000);

  it('stops an agent through a tool: its tools go away with a list_changed', async () => {
    const before = listChanges.length;
    const stopped = await call('stop_agent', { agent: 'worker' });
    expect(stopped.structuredContent).toMatchObject({ agent: 'worker', state: 'stopped' });
    await waitFor('tools/list_changed', async () => (listChanges.length > before ? true : undefined));
    expect((await toolNames()).some((name) => name.startsWith('worker__'))).toBe(false);
    const gone = await call('worker__count');
    expect(gone.isError).toBe(true);
    expect(textOf(gone)).toContain('list_agents');
  }, 30_000);

  it('costs little over the control socket, and far less than an `opperator agent invoke` run (figures logged)', async () => {
    const rounds = 50;
    // Warm-up, then the three ways to the same command, measured in this run.
    for (let i = 0; i < 5; i += 1) await call('notes__count_notes');
    let started = performance.now();
    for (let i = 0; i < rounds; i += 1) await call('notes__count_notes');
    const mcpMs = (performance.now() - started) / rounds;
    const { paths } = JSON.parse((await cli('daemon', 'status', '--json')).stdout) as { paths: { socket: string } };
    const direct = await ControlClient.connect(paths.socket);
    started = performance.now();
    for (let i = 0; i < rounds; i += 1) await direct.request('agent.invoke', { name: 'notes', command: 'count_notes', client: { browser: false, paste: false } });
    const socketMs = (performance.now() - started) / rounds;
    direct.close();
    started = performance.now();
    for (let i = 0; i < 5; i += 1) expect((await cli('agent', 'invoke', 'notes', 'count_notes')).code).toBe(0);
    const cliMs = (performance.now() - started) / 5;
    process.stderr.write(
      `count_notes round trip: MCP tools/call ${mcpMs.toFixed(2)} ms, control socket agent.invoke ${socketMs.toFixed(2)} ms (MCP/socket ${(mcpMs / socketMs).toFixed(2)}x), ` +
        `opperator agent invoke ${cliMs.toFixed(1)} ms per run (CLI/MCP ${(cliMs / mcpMs).toFixed(1)}x)\n`,
    );
    expect(mcpMs).toBeLessThan(cliMs);
  }, 30_000);

  it('serves each agent\'s sections (Markdown) and logs as resources, with updates to a subscribed section', async () => {
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri)).toEqual(expect.arrayContaining(['opperator://agents/notes/sections', 'opperator://agents/notes/logs', 'opperator://agents/worker/sections']));
    const uri = 'opperator://agents/notes/sections';
    const before = await client.readResource({ uri });
    expect(before.contents[0]).toMatchObject({ uri, mimeType: 'text/markdown' });
    expect((before.contents[0] as { text: string }).text).toMatch(/^## Summary\n\n\*\*Notes:\*\* \d+/);
    await client.subscribeResource({ uri });
    expect((await call('notes__add_note', { text: 'call mum', tag: 'home' })).isError).toBeFalsy();
    await waitFor('resources/updated', async () => (resourceUpdates.includes(uri) ? true : undefined));
    expect((((await client.readResource({ uri })).contents[0]) as { text: string }).text).toContain('\\[call mum\\]');
    const logs = await client.readResource({ uri: 'opperator://agents/worker/logs' });
    expect(logs.contents[0]).toMatchObject({ mimeType: 'text/plain' });
    await expect(client.readResource({ uri: 'opperator://agents/nobody/sections' })).rejects.toThrow(/No agent named "nobody"/);
    await client.unsubscribeResource({ uri });
  }, 30_000);

  it('reports secret names and sign-in states with the command the user runs, never a value', async () => {
    const result = await call('secret_status', { agent: 'notes' });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      agents: [{ agent: 'notes', secrets: ['DEMO_CLIENT_ID'], signIns: [{ name: 'demo', provider: 'Demo', state: 'not-authorized', credentials: 'missing', missingSecrets: [{ name: 'DEMO_CLIENT_SECRET', reason: 'not-set', fix: 'opperator secret set DEMO_CLIENT_SECRET' }] }] }],
    });
    expect(textOf(result)).toContain('`opperator secret set DEMO_CLIENT_SECRET`');
    expect(textOf(result)).not.toContain('/tmp/demo-tokens.json');
  });

  it('answers an MCP client no one here wrote: the MCP Inspector CLI lists the tools and calls one', async () => {
    // inspector-cli 1.0.3 finds its own package.json relative to the working directory: run it from its build folder.
    const inspectorDir = join(dirname(createRequire(import.meta.url).resolve('@modelcontextprotocol/inspector-cli/package.json')), 'build');
    const inspect = (...args: string[]) =>
      promisify(execFile)(process.execPath, [join(inspectorDir, 'index.js'), process.execPath, CLI_PATH, '--home', home.path, 'mcp', ...args], { cwd: inspectorDir, env: { ...process.env, OPPERATOR_SECRET_STORE: 'file' }, timeout: 20_000 });
    const listed = JSON.parse((await inspect('--method', 'tools/list')).stdout) as { tools: Array<{ name: string }> };
    expect(listed.tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['list_agents', 'notes__add_note']));
    const called = JSON.parse((await inspect('--method', 'tools/call', '--tool-name', 'notes__add_note', '--tool-arg', 'text=from the inspector', 'tag=work')).stdout) as CallToolResult;
    expect(called.isError).toBeFalsy();
    expect(called.structuredContent).toMatchObject({ count: expect.any(Number) });
    seen.push(JSON.stringify(listed), JSON.stringify(called));
  }, 30_000);

  it('when the daemon stops, the agent tools go with a list_changed; listing does not start it again, calling a tool does', async () => {
    const before = listChanges.length;
    expect((await cli('daemon', 'stop')).code).toBe(0);
    await waitFor('tools/list_changed', async () => (listChanges.length > before ? true : undefined));
    const names = await toolNames();
    expect(names).toContain('list_agents');
    expect(names.some((name) => name.includes('__'))).toBe(false);
    expect((await cli('daemon', 'status')).code).not.toBe(0);
    const list = await call('list_agents');
    expect(list.isError).toBeFalsy();
    expect((await cli('daemon', 'status')).code).toBe(0);
    // notes starts with the daemon: its tools come back.
    await waitFor('the notes tools again', async () => ((await toolNames()).includes('notes__add_note') ? true : undefined));
  }, 30_000);

  it('offers the build_oauth_agent prompt and the OAuth guide as a resource', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual(['build_oauth_agent']);
    const prompt = await client.getPrompt({ name: 'build_oauth_agent', arguments: { provider: 'github', name: 'gh-notify' } });
    const text = (prompt.messages[0]?.content as { text: string }).text;
    expect(text).toContain('bootstrap_agent with name gh-notify, template "oauth", provider "github"');
    await expect(client.getPrompt({ name: 'build_oauth_agent', arguments: {} })).rejects.toThrow(/needs a provider/);
    const guide = await client.readResource({ uri: 'opperator://guide/oauth-agent' });
    expect((guide.contents[0] as { text: string }).text).toContain('# Writing an OAuth agent for Opperator');
    expect((await client.listResources()).resources[0]?.uri).toBe('opperator://guide/oauth-agent');
  });

  it('shows nothing of an agent or command agents.yaml hides from MCP', async () => {
    expect(JSON.parse((await cli('agent', 'list', '--json')).stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'shadow', state: 'running' })]));
    const names = await toolNames();
    expect(names.some((name) => name.startsWith('shadow__'))).toBe(false);
    expect(names).not.toContain('notes__purge_notes');
    expect((await call('notes__purge_notes')).isError).toBe(true);
    expect(textOf(await call('list_agents'))).not.toContain('shadow');
    const sections = await call('agent_sections', { agent: 'shadow' });
    expect(sections.isError).toBe(true);
    expect(textOf(sections)).toContain('No agent named "shadow"');
    expect((await call('start_agent', { agent: 'shadow' })).isError).toBe(true);
    expect((await call('shadow__echo', { text: 'x' })).isError).toBe(true);
    expect(JSON.stringify(await call('secret_status'))).not.toContain('shadow');
    expect((await client.listResources()).resources.some((resource) => resource.uri.includes('shadow'))).toBe(false);
    await expect(client.readResource({ uri: 'opperator://agents/shadow/sections' })).rejects.toThrow(/No agent named "shadow"/);
  });

  it('adds an agent folder through add_agent: registered stopped, with the secrets the user sets and the tools that come next; a bad folder is a tool error', async () => {
    const monitor = join(EXAMPLES_DIR, 'invoice-monitor');
    const added = await call('add_agent', { folder: monitor, install: false });
    expect(added.isError, textOf(added)).toBeFalsy();
    expect(added.structuredContent).toMatchObject({
      name: 'invoice-monitor',
      dir: join(home.path, 'agents', 'invoice-monitor'),
      secrets: ['invoice_monitor_gmail_client_id', 'invoice_monitor_gmail_client_secret'],
      signInTool: 'invoice-monitor__authorize_gmail',
    });
    // The same next steps `agent add` prints, then the tools.
    expect((added.structuredContent as { nextSteps: string[] }).nextSteps).toContain('opperator secret set invoice_monitor_gmail_client_id');
    expect(textOf(added)).toContain('Added agent invoice-monitor');
    expect(textOf(added)).toContain('opperator agent install invoice-monitor');
    expect(textOf(added)).toContain('start_agent {"agent":"invoice-monitor"}');
    expect(textOf(added)).toContain('invoice-monitor__authorize_gmail');
    const list = await call('list_agents');
    expect((list.structuredContent as { agents: Array<{ name: string; state: string }> }).agents).toContainEqual(expect.objectContaining({ name: 'invoice-monitor', state: 'stopped' }));

    const again = await call('add_agent', { folder: monitor, install: false });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toContain('already exists');
    expect(textOf(again)).toContain('"force": true');
    const missing = await call('add_agent', { folder: join(home.path, 'no-such-folder') });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain('does not exist; give the path of an agent folder');
    const notAgent = await call('add_agent', { folder: join(home.path, 'agents', 'notes', 'node_modules') });
    expect(notAgent.isError).toBe(true);
    expect(textOf(notAgent)).toContain('has no agent.ts');
  }, 60_000);

  it('`opperator mcp --help` shows how MCP clients start it', async () => {
    const help = await cli('mcp', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('"mcpServers"');
    expect(help.stdout).toContain('claude mcp add opperator -- opperator mcp');
    expect(help.stdout).toContain('--http');
    expect(help.stdout).toContain('"Authorization": "Bearer <token>"');
  });

  it('never shows a token or secret in any result', () => {
    expect(seen.join('\n')).not.toContain('tok-SECRET');
  });
});
