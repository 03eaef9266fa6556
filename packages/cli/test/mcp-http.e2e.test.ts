import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, makeAgentHome, runCli, type TempDir } from '@opperator/testing';

// `opperator mcp --http` as a client that connects to a URL sees it: the
// built CLI listening on 127.0.0.1, the SDK's own Client over Streamable
// HTTP, a real daemon and a real agent. Raw requests check what the SDK
// client never sends: no token, a wrong one, a foreign Host or Origin.

let home: TempDir;
let server: ChildProcess;
let stderr = '';
let url: URL;
let token: string;
let client: Client;
const env = () => ({ OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' });
const cli = (...args: string[]) => runCli(args, { env: env() });
const INITIALIZE = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });

/** Until `pattern` shows on the server's stderr (the machine is loaded: room to spare). */
async function waitForStderr(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(stderr);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} on stderr; got:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A raw POST of `initialize`, with exactly these headers (node:http lets a test set Host). */
function rawPost(headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.once('error', reject);
    req.end(INITIALIZE);
  });
}

/** Every file under `dir`, read as text (logs, sections, state). */
async function allText(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return (await Promise.all(files.map((file) => readFile(file, 'utf8').catch(() => '')))).join('\n');
}

beforeAll(async () => {
  home = await makeAgentHome([{ name: 'worker', source: await readFile(new URL('./fixtures/worker-agent.ts', import.meta.url), 'utf8'), yaml: 'auto_restart: false' }]);
  const { DBUS_SESSION_BUS_ADDRESS: _bus, BROWSER: _browser, ...base } = process.env;
  server = spawn(process.execPath, [CLI_PATH, 'mcp', '--http', '--port', '0'], { env: { ...base, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [, listening] = await waitForStderr(/listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/);
  [, token] = (await waitForStderr(/Bearer token[^:]*: (\S+)/)) as [string, string];
  url = new URL(listening!);
  client = new Client({ name: 'opperator-http-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
}, 60_000);

afterAll(async () => {
  await client?.close().catch(() => undefined /* the server may be stopped already */);
  if (server?.exitCode === null) server.kill('SIGKILL');
  await cli('daemon', 'stop');
  await home?.remove();
});

describe('opperator mcp --http', () => {
  it('prints the URL, the chosen port and the token once on stderr, with a client configuration', () => {
    expect(url.port).not.toBe('0');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(stderr).toContain(`"url": "${url.href}"`);
    expect(stderr).toContain(`"Authorization": "Bearer ${token}"`);
  });

  it('serves the same server as stdio over a stateful session: lists tools, calls them', async () => {
    expect(client.getServerVersion()?.name).toBe('opperator');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['list_agents', 'start_agent', 'bootstrap_agent', 'add_agent']));
    const list = (await client.callTool({ name: 'list_agents', arguments: {} })) as CallToolResult;
    expect(list.structuredContent).toMatchObject({ agents: [{ name: 'worker', state: 'stopped' }] });
    expect(((await client.callTool({ name: 'start_agent', arguments: { agent: 'worker' } })) as CallToolResult).isError).toBeFalsy();
    const echoed = (await client.callTool({ name: 'worker__echo', arguments: { text: 'over http' } })) as CallToolResult;
    expect(echoed.structuredContent).toEqual({ echoed: 'over http' });
  }, 60_000);

  it('refuses a request without the token, or with a wrong one: 401 with WWW-Authenticate: Bearer', async () => {
    const wrong: Array<Record<string, string>> = [{}, { authorization: `Bearer ${token}x` }, { authorization: `Bearer ${token.slice(0, -1)}` }, { authorization: token }, { authorization: `Basic ${token}` }];
    for (const headers of wrong) {
      const refused = await rawPost(headers);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(refused.headers['mcp-session-id']).toBeUndefined();
    }
    // The SDK client without the token cannot connect either.
    const stranger = new Client({ name: 'stranger', version: '1.0.0' });
    await expect(stranger.connect(new StreamableHTTPClientTransport(url))).rejects.toMatchObject({ code: 401 });
  });

  it('refuses a foreign Host or Origin (DNS rebinding) even with the token; its own names are fine', async () => {
    const bearer = { authorization: `Bearer ${token}` };
    const foreignHost = await rawPost({ ...bearer, host: `rebound.example:${url.port}` });
    expect(foreignHost.status).toBe(403);
    expect(foreignHost.body).toContain('is not this server');
    const foreignOrigin = await rawPost({ ...bearer, origin: 'http://rebound.example' });
    expect(foreignOrigin.status).toBe(403);
    const otherPort = await rawPost({ ...bearer, origin: 'http://127.0.0.1:1' });
    expect(otherPort.status).toBe(403);
    const own = await rawPost({ ...bearer, host: `localhost:${url.port}`, origin: `http://localhost:${url.port}` });
    expect(own.status).toBe(200);
    expect(own.headers['mcp-session-id']).toEqual(expect.any(String));
    const unknownSession = await rawPost({ ...bearer, 'mcp-session-id': 'not-a-session' });
    expect(unknownSession.status).toBe(404);
  });

  it('never writes the token to the daemon log, agent logs or anything in the home, nor to stderr after the start', async () => {
    // The daemon's folders (state, logs, run) are in the home unless XDG places them elsewhere: read them all.
    const { paths } = JSON.parse((await cli('daemon', 'status', '--json')).stdout) as { paths: Record<string, unknown> };
    const elsewhere = Object.values(paths).filter((path): path is string => typeof path === 'string' && !path.startsWith(home.path));
    const everything = [await allText(home.path), ...(await Promise.all(elsewhere.map((path) => allText(path).catch(() => ''))))].join('\n');
    expect(everything).toContain('echo called');
    expect(everything).not.toContain(token);
    const afterBanner = stderr.slice(stderr.indexOf('Ctrl-C stops it.'));
    expect(afterBanner).not.toContain(token);
  });

  it('closes cleanly on SIGTERM with a client connected', async () => {
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    server.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toContain('opperator mcp: stopped.');
  }, 30_000);
});
