import { access, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { headlessBrowserCommand, makeTempDir, runCli, waitForSection, type TempDir } from '@opperator/testing';

// `opperator agent bootstrap NAME --template oauth --provider P` as real
// processes: the files, the agents.yaml entry, the printed next steps, the
// usage errors, and one agent bootstrapped against an in-process sandbox
// (given by issuer URL), run under the daemon: Missing credentials first,
// secrets set through the CLI, a browser sign-in, then its API command.

let home: TempDir;
let server: RunningAuthorizationServer;
const env = () => ({ OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file', BROWSER: headlessBrowserCommand() });
const cli = (...args: string[]) => runCli(args, { env: env() });
const exists = (path: string) => access(path).then(() => true, () => false);

beforeAll(async () => {
  home = await makeTempDir('opperator-home-');
  server = await startAuthorizationServer();
});
afterAll(async () => {
  await cli('daemon', 'stop');
  await server?.close();
  await home?.remove();
});

interface AgentEntry { name: string; description: string; entry: string; secrets: string[] }
async function agentEntry(name: string): Promise<AgentEntry | undefined> {
  const yaml = parse(await readFile(join(home.path, 'agents.yaml'), 'utf8')) as { agents: AgentEntry[] };
  return yaml.agents.find((agent) => agent.name === name);
}

describe('opperator agent bootstrap --template oauth', () => {
  it('writes a useOAuth agent with its secrets in agents.yaml and prints the exact next steps (Google)', async () => {
    const run = await cli('agent', 'bootstrap', 'invoice-monitor', '--template', 'oauth', '--provider', 'google');
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
    const dir = join(home.path, 'agents', 'invoice-monitor');
    const source = await readFile(join(dir, 'agent.ts'), 'utf8');
    expect(source).toContain("name: 'google'");
    expect(source).toContain("provider: 'google'");
    expect(source).toContain("scopes: ['openid', 'email', 'profile']");
    expect(source).toContain("clientIdSecret: 'invoice_monitor_google_client_id'");
    expect(source).toContain("clientSecretSecret: 'invoice_monitor_google_client_secret'");
    expect(source).toContain("google.fetch('https://openidconnect.googleapis.com/v1/userinfo')");
    expect(source).toContain('this.every(');
    // Nothing of this machine: no SDK path, no link; the runtime provides @opperator/sdk.
    const manifest = await readFile(join(dir, 'package.json'), 'utf8');
    expect(JSON.parse(manifest)).toEqual({ name: 'invoice-monitor', private: true, type: 'module', dependencies: {} });
    expect(await readdir(dir)).toEqual(['agent.ts', 'package.json']);
    expect(await agentEntry('invoice-monitor')).toMatchObject({
      entry: 'agent.ts',
      secrets: ['invoice_monitor_google_client_id', 'invoice_monitor_google_client_secret'],
    });

    const lines = run.stdout.split('\n').map((line) => line.trim());
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^# Create an OAuth client of type "Desktop app" at https:\/\/console\.cloud\.google\.com\/apis\/credentials .*docs\/providers\.md$/),
        'opperator secret set invoice_monitor_google_client_id <your client id>',
        expect.stringMatching(/^opperator secret set invoice_monitor_google_client_secret +# .*without echo/),
        'opperator agent start invoice-monitor',
        expect.stringMatching(/^opperator auth login invoice-monitor +#/),
        expect.stringMatching(/^opperator agent invoke invoice-monitor whoami +#/),
        expect.stringMatching(/^opperator auth status invoice-monitor +#/),
      ]),
    );
  });

  it('prints the sandbox steps: sandbox start, its demo client id, the secret asked for without echo', async () => {
    const run = await cli('agent', 'bootstrap', 'demo', '--provider', 'sandbox');
    expect(run, run.stderr).toMatchObject({ code: 0 });
    const lines = run.stdout.split('\n').map((line) => line.trim());
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^opperator sandbox start +# .*opperator-demo/),
        'opperator secret set demo_sandbox_client_id opperator-demo',
        expect.stringMatching(/^opperator secret set demo_sandbox_client_secret +# /),
        'opperator agent start demo',
        expect.stringMatching(/^opperator auth login demo +#/),
        expect.stringMatching(/^opperator auth status demo +#/),
      ]),
    );
    expect(await readFile(join(home.path, 'agents', 'demo', 'agent.ts'), 'utf8')).toContain("sandbox.fetch('http://127.0.0.1:9440/gmail/v1/users/me/profile')");
    expect((await agentEntry('demo'))?.secrets).toEqual(['demo_sandbox_client_id', 'demo_sandbox_client_secret']);
  });

  it('refuses bad combinations with exit 2 (usage) and writes nothing', async () => {
    const cases: Array<[args: string[], message: RegExp]> = [
      [['--template', 'oauth'], /--provider.*google, github, microsoft, sandbox, <issuer URL>/],
      [['--template', 'oauth', '--provider', 'dropbox'], /Unknown provider "dropbox".*google, github, microsoft, sandbox, <issuer URL>/],
      [['--provider', 'ftp://example.com'], /Unknown provider/],
      [['--template', 'oauth', '--provider', 'http://example.com'], /must use https/],
      [['--template', 'minimal', '--provider', 'google'], /--provider is for --template oauth/],
      [['--template', 'fancy'], /Unknown template "fancy".*minimal.*oauth/],
    ];
    for (const [args, message] of cases) {
      const run = await cli('agent', 'bootstrap', 'nope', ...args);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(message);
    }
    expect(await exists(join(home.path, 'agents', 'nope'))).toBe(false);
    expect(await agentEntry('nope')).toBeUndefined();
    // Existing checks are unchanged: a taken name is a conflict (4), a bad one a usage error (2).
    expect((await cli('agent', 'bootstrap', 'demo', '--provider', 'github')).code).toBe(4);
    expect((await cli('agent', 'bootstrap', 'Bad Name', '--provider', 'github')).code).toBe(2);
  });

  describe('an agent for an issuer URL, run against an in-process sandbox', () => {
    let client: SandboxClient;
    beforeAll(() => {
      [client] = server.clients as [SandboxClient];
    });
    /** The section updates itself asynchronously: poll until it shows `text`. */
    const sectionShows = (text: string, timeoutMs = 10_000) => waitForSection('issuer-agent', 'oauth_oauth', text, { env: env(), timeoutMs });

    it('bootstraps with the userinfo endpoint from discovery and the issuer as provider', async () => {
      const discovery = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as { userinfo_endpoint: string };
      const run = await cli('agent', 'bootstrap', 'issuer-agent', '--template', 'oauth', '--provider', server.issuer);
      expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
      const source = await readFile(join(home.path, 'agents', 'issuer-agent', 'agent.ts'), 'utf8');
      expect(source).toContain(`provider: '${server.issuer}'`);
      expect(source).toContain("scopes: ['openid', 'email', 'offline_access']");
      expect(source).toContain(`oauth.fetch('${discovery.userinfo_endpoint}')`);
      expect((await agentEntry('issuer-agent'))?.secrets).toEqual(['issuer_agent_oauth_client_id', 'issuer_agent_oauth_client_secret']);
      expect(run.stdout).toContain('opperator auth login issuer-agent');
    });

    it('started before its secrets exist: the section says Missing and the log names the fix', async () => {
      expect((await cli('agent', 'start', 'issuer-agent')).code).toBe(0);
      const content = await sectionShows('Missing');
      expect(content).toContain('Missing');
      expect(content).toContain('opperator secret set issuer_agent_oauth_client_id');
      const logs = await cli('agent', 'logs', 'issuer-agent');
      expect(logs.stdout).toContain('Client credentials missing: opperator secret set issuer_agent_oauth_client_id');
    }, 60_000);

    it('with the secrets set through the CLI: signs in through the browser, then whoami calls userinfo', async () => {
      expect((await runCli(['secret', 'set', 'issuer_agent_oauth_client_id'], { env: env(), input: client.clientId })).code).toBe(0);
      expect((await runCli(['secret', 'set', 'issuer_agent_oauth_client_secret'], { env: env(), input: `${client.clientSecret!}\n` })).code).toBe(0);

      const signIn = await cli('agent', 'invoke', 'issuer-agent', 'authorize_oauth', '--json');
      expect(signIn, signIn.stderr).toMatchObject({ code: 0 });
      expect(JSON.parse(signIn.stdout)).toMatchObject({ account: 'demo@sandbox.test' });
      expect(await sectionShows('✓ Authenticated')).toContain('demo@sandbox.test');

      const whoami = await cli('agent', 'invoke', 'issuer-agent', 'whoami', '--json');
      expect(whoami, whoami.stderr).toMatchObject({ code: 0 });
      expect(JSON.parse(whoami.stdout)).toMatchObject({ sub: 'demo', email: 'demo@sandbox.test' });
    }, 90_000);
  });
});
