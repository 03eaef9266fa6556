import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthorizationServer, type RunningAuthorizationServer, type SandboxClient } from '@opperator/sandbox';
import { findPostgresBinDir, headlessBrowserCommand, makeAgentHome, redisServerMissing, runCli, startPostgresServer, startRedisServer, type TempDir } from '@opperator/testing';

// Issue 17 from the user's side: two "hosts" (two homes, two daemons, the
// same agent) share one grant through `token_store:` in agents.yaml and
// nothing else. One signs in; the other is signed in without a sign-in of
// its own, its token works at the API, no token file is written, and the
// store shows in auth status without its password. The store package is
// installed in the agent folder, and the daemon bundles it (no agent code).

const AGENT = `import { Agent } from '@opperator/sdk';
export default class Mail extends Agent {
  initialize() {
    this.useOAuth({ name: 'sandbox', provider: process.env.SANDBOX_ISSUER!, scopes: ['openid', 'email', 'offline_access'], clientIdSecret: 'sb_client_id', clientSecretSecret: 'sb_client_secret' });
  }
}
`;

interface Engine {
  name: string;
  missing: () => Promise<string | undefined>;
  start: () => Promise<{ url: string; password?: string; stop(): Promise<void> }>;
  storePackage: string;
}

const engines: Engine[] = [
  { name: 'Postgres', missing: async () => ((await findPostgresBinDir()) === undefined ? 'postgresql is not installed (scripts/setup.sh installs it)' : undefined), start: startPostgresServer, storePackage: 'store-postgres' },
  { name: 'Redis', missing: async () => redisServerMissing(), start: () => startRedisServer(), storePackage: 'store-redis' },
];

let sandbox: RunningAuthorizationServer;
let client: SandboxClient;
beforeAll(async () => {
  sandbox = await startAuthorizationServer();
  [client] = sandbox.clients as [SandboxClient];
});
afterAll(async () => sandbox?.close());

for (const engine of engines) {
  describe(`two hosts sharing one grant through ${engine.name}`, () => {
    let server: Awaited<ReturnType<Engine['start']>> | undefined;
    const hosts: TempDir[] = [];
    let skip: string | undefined;
    const env = (host: TempDir) => ({ OPPERATOR_HOME: host.path, OPPERATOR_SECRET_STORE: 'file', BROWSER: headlessBrowserCommand() });
    const cli = (host: TempDir, ...args: string[]) => runCli(args, { env: env(host) });
    const status = async (host: TempDir) => JSON.parse((await cli(host, 'auth', 'status', '--json')).stdout) as Array<{ status: string; account?: string; store?: string }>;

    beforeAll(async () => {
      skip = await engine.missing();
      if (skip) return;
      server = await engine.start();
      for (let i = 0; i < 2; i++) {
        const host = await makeAgentHome([{ name: 'mail', source: AGENT, link: [engine.storePackage], yaml: `secrets: [sb_client_id, sb_client_secret]\nenv: { SANDBOX_ISSUER: "${sandbox.issuer}" }` }]);
        // The store for every agent of this home: the file-level default.
        const yaml = join(host.path, 'agents.yaml');
        await writeFile(yaml, `token_store: ${server.url}\n${await readFile(yaml, 'utf8')}`);
        await runCli(['secret', 'set', 'sb_client_id'], { env: env(host), input: client.clientId });
        await runCli(['secret', 'set', 'sb_client_secret'], { env: env(host), input: client.clientSecret! });
        expect((await cli(host, 'agent', 'start', 'mail')).code).toBe(0);
        hosts.push(host);
      }
    }, 120_000);

    afterAll(async () => {
      for (const host of hosts) {
        await cli(host, 'daemon', 'stop');
        await host.remove();
      }
      await server?.stop();
    });

    it('one host signs in, the other is signed in by the shared record: its token works, no token file, the store shown without credentials', async (context) => {
      if (skip) return context.skip(skip);
      const [a, b] = hosts as [TempDir, TempDir];
      const login = await cli(a, 'auth', 'login', 'mail');
      expect(login.code, login.stderr).toBe(0);

      const deadline = Date.now() + 20_000;
      let seen = await status(b);
      while (seen[0]?.status !== 'signed-in' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        seen = await status(b);
      }
      expect(seen[0]).toMatchObject({ status: 'signed-in', account: 'demo@sandbox.test', store: expect.stringContaining('key opperator/mail/sandbox') });
      const shown = JSON.stringify(seen) + (await cli(b, 'auth', 'status')).stdout + (await cli(b, 'doctor')).stdout;
      if (server?.password) expect(shown).not.toContain(server.password);

      const token = (await cli(b, 'auth', 'token', 'mail')).stdout.trim();
      const profile = await fetch(`${sandbox.demoApiUrl}/users/me/profile`, { headers: { authorization: `Bearer ${token}` } });
      expect(profile.status).toBe(200);
      expect((await cli(a, 'auth', 'token', 'mail')).stdout.trim()).toBe(token);

      for (const host of hosts) {
        const files = await readdir(join(host.path, 'agents', 'mail'));
        expect(files.filter((name) => name.endsWith('.json') && name !== 'package.json')).toEqual([]);
      }
    }, 120_000);

    it('signing out on one host signs every host out', async (context) => {
      if (skip) return context.skip(skip);
      const [a, b] = hosts as [TempDir, TempDir];
      expect((await cli(b, 'auth', 'logout', 'mail')).code).toBe(0);
      const deadline = Date.now() + 20_000;
      let seen = await status(a);
      while (seen[0]?.status !== 'not-signed-in' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        seen = await status(a);
      }
      expect(seen[0]?.status).toBe('not-signed-in');
    }, 60_000);
  });
}
