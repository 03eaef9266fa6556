import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, makeAgentHome, runCli, type TempDir } from '@opperator/testing';

// The MCP project's own conformance suite (@modelcontextprotocol/conformance,
// written by the MCP maintainers, not us) against `opperator mcp --http`.
//
// Version 0.1.13 is pinned: 0.1.14 and later import fs.globSync, which only
// Node 22 has, and fail to load on Node 20 (our runtime). The suite's client
// sends no Authorization header, and our HTTP server requires its bearer
// token, so the suite talks to a proxy on 127.0.0.1 that adds the token (and
// the server's Host) and forwards everything else unchanged.
//
// Scenarios that apply to a server whose tools, resources and prompts are the
// user's agents are run. The others need the suite's own fixture server
// (tools named test_simple_text, test_image_content, prompts
// test_simple_prompt, resources test://…), or features we do not offer
// (logging/setLevel, completion, sampling, elicitation, SSE polling): they
// are listed below with the reason. dns-rebinding-protection is
// not run through the proxy (the proxy rewrites Host); mcp-http.e2e tests
// the same refusal against the server directly.

const APPLICABLE = ['server-initialize', 'ping', 'tools-list', 'resources-list', 'prompts-list'];

// Scenarios of 0.1.13 not run, and why:
//   tools-call-*: call the suite fixture tools (test_simple_text, test_image_content, …) that only its reference server has
//   prompts-get-*: get the suite fixture prompts (test_simple_prompt, …)
//   resources-read-*, resources-templates-read, resources-subscribe, resources-unsubscribe: read or subscribe to the suite fixture resources (test://static-text, …)
//   logging-set-level: we offer no logging capability
//   completion-complete: we offer no completions
//   elicitation-*, tools-call-sampling, tools-call-elicitation: we never ask the client for sampling or elicitation
//   server-sse-polling, server-sse-multiple-streams: exercise SSE resumption, which we do not enable
//   json-schema-2020-12: checks a fixture tool with a 2020-12 schema
//   dns-rebinding-protection: the header-injecting proxy rewrites Host; mcp-http.e2e tests the refusal against the server itself

let home: TempDir;
let server: ChildProcess;
let proxy: Server;
let proxyUrl: string;
let stderr = '';
const conformanceBin = join(dirname(createRequire(join(dirname(new URL(import.meta.url).pathname), '../../mcp/package.json')).resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js');

async function waitForStderr(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(stderr);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} on stderr; got:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  home = await makeAgentHome([{ name: 'worker', source: await readFile(new URL('./fixtures/worker-agent.ts', import.meta.url), 'utf8') }]);
  const env = { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' };
  expect((await runCli(['agent', 'start', 'worker'], { env })).code).toBe(0);
  const { DBUS_SESSION_BUS_ADDRESS: _bus, BROWSER: _browser, ...base } = process.env;
  server = spawn(process.execPath, [CLI_PATH, 'mcp', '--http', '--port', '0'], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [, listening] = await waitForStderr(/listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/);
  const [, token] = (await waitForStderr(/Bearer token[^:]*: (\S+)/)) as [string, string];
  const target = new URL(listening!);
  proxy = createServer((incoming, outgoing) => {
    const forwarded = request(
      target,
      { method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: target.host, authorization: `Bearer ${token}` } },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.once('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  proxyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/mcp`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  if (server?.exitCode === null) server.kill('SIGTERM');
  await runCli(['daemon', 'stop'], { env: { OPPERATOR_HOME: home.path } });
  await home?.remove();
});

describe('the MCP conformance suite (0.1.13) against opperator mcp --http', () => {

  for (const scenario of APPLICABLE) {
    it(`passes ${scenario}`, async () => {
      const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
        execFile(process.execPath, [conformanceBin, 'server', '--url', proxyUrl, '--scenario', scenario], { timeout: 60_000 }, (err, stdout, stderrText) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderrText}` });
        });
      });
      expect(code, output).toBe(0);
      expect(output).not.toMatch(/\bFAIL(ED)?\b|✗/);
    }, 90_000);
  }
});
