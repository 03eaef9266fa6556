import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMULATED_PROVIDERS, emulatedUrl } from '@opperator/sandbox';
import { makeTempDir, runCli, type TempDir } from '@opperator/testing';
import { SANDBOX_EMULATED_PROVIDERS, parseEmulate } from '../src/commands/sandbox.js';

// `opperator sandbox start --emulate ...` and `sandbox status` as real processes against a temporary OPPERATOR_HOME.
let home: TempDir;
let port: number;
const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return free;
}

interface Status {
  issuer: string;
  emulated: Record<string, Record<string, string>>;
  githubAppClient?: { clientId: string; clientSecret?: string; confidential?: boolean };
}

beforeAll(async () => {
  [home, port] = await Promise.all([makeTempDir(), freePort()]);
});

afterAll(async () => {
  await cli('sandbox', 'stop');
  await home?.remove();
});

describe('opperator sandbox start --emulate', () => {
  it('accepts the names the sandbox emulates, case-insensitive, and nothing else', () => {
    expect([...SANDBOX_EMULATED_PROVIDERS]).toEqual([...EMULATED_PROVIDERS]);
    expect(parseEmulate('GitHub, google,github')).toEqual(['github', 'google']);
  });

  it('exits 2 on a typo, naming the valid providers, and starts nothing', async () => {
    const typo = await cli('sandbox', 'start', '--port', String(port), '--emulate', 'github,gogle');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('"gogle" cannot be emulated');
    expect(typo.stderr).toContain('github, google, microsoft');
    expect((await cli('sandbox', 'status')).code).toBe(5);
  });

  let appSecret: string | undefined;
  it('starts emulating, prints each provider with its base URLs and the GitHub App, and status shows them', async () => {
    const started = await cli('sandbox', 'start', '--port', String(port), '--emulate', 'github,google,microsoft');
    expect(started, started.stderr).toMatchObject({ code: 0 });
    const issuer = `http://127.0.0.1:${port}`;
    expect(started.stdout).toContain(`Emulated providers (the real https://HOST/PATH is served at ${issuer}/emulate/HOST/PATH`);
    expect(started.stdout).toContain(`env: { OPPERATOR_EMULATE: "${issuer}" }`);
    expect(started.stdout).toContain(`github: github.com at ${emulatedUrl(issuer, 'https://github.com')}, api.github.com at ${emulatedUrl(issuer, 'https://api.github.com')}`);
    expect(started.stdout).toContain(`login.microsoftonline.com at ${issuer}/emulate/login.microsoftonline.com`);
    expect(started.stdout).toMatch(/GitHub App \(GitHub emulator only\): Iv1\.[0-9a-f]{16} {2}secret: [0-9a-f]{40}/);

    const state = JSON.parse(await readFile(join(home.path, 'state', 'sandbox.json'), 'utf8')) as { emulate: string[]; githubAppClient: { clientId: string; clientSecret: string } };
    expect(state.emulate).toEqual(['github', 'google', 'microsoft']);
    appSecret = state.githubAppClient.clientSecret;

    // The emulators answer, with the recorded GitHub App registered.
    const discovery = (await (await fetch(emulatedUrl(issuer, 'https://accounts.google.com/.well-known/openid-configuration'))).json()) as { issuer: string };
    // The wire says what Google says: clients route the real hosts to the emulator themselves.
    expect(discovery.issuer).toBe('https://accounts.google.com');
    const device = await fetch(emulatedUrl(issuer, 'https://github.com/login/device/code'), { method: 'POST', headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ client_id: state.githubAppClient.clientId }) });
    expect(device.status).toBe(200);

    const status = await cli('sandbox', 'status', '--json');
    expect(status, status.stderr).toMatchObject({ code: 0 });
    const body = JSON.parse(status.stdout) as Status;
    expect(Object.keys(body.emulated)).toEqual(['github', 'google', 'microsoft']);
    expect(body.emulated.google?.['www.google.com']).toBe(emulatedUrl(issuer, 'https://www.google.com'));
    expect(body.githubAppClient).toEqual({ clientId: state.githubAppClient.clientId, confidential: true });
    expect(status.stdout).not.toContain(appSecret);
    const text = await cli('sandbox', 'status');
    expect(text.stdout).toContain('microsoft: login.microsoftonline.com at');
    expect(text.stdout).not.toContain(appSecret);
  });

  it('says what it emulates when started again with other providers, and keeps the GitHub App across stop and start', async () => {
    const again = await cli('sandbox', 'start', '--port', String(port), '--emulate', 'google');
    expect(again, again.stderr).toMatchObject({ code: 0 });
    expect(again.stdout).toContain('It emulates github, google, microsoft; to emulate google: opperator sandbox stop && opperator sandbox start --emulate google');
    expect((await cli('sandbox', 'stop')).code).toBe(0);
    const plain = await cli('sandbox', 'start', '--port', String(port));
    expect(plain, plain.stderr).toMatchObject({ code: 0 });
    expect(plain.stdout).not.toContain('Emulated providers');
    const body = JSON.parse((await cli('sandbox', 'status', '--json')).stdout) as Status;
    expect(body.emulated).toEqual({});
    expect((await fetch(`http://127.0.0.1:${port}/emulate/github.com/login/device`)).status).toBe(404);
    expect((await cli('sandbox', 'stop')).code).toBe(0);
    const back = await cli('sandbox', 'start', '--port', String(port), '--emulate', 'github');
    expect(back.stdout).toContain(`secret: ${appSecret}`);
  });
});
