import { readFile, stat } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, type TempDir } from '@opperator/testing';

// `opperator sandbox start|status|stop` as real processes against a temporary
// OPPERATOR_HOME, on a free port picked here (the default 9440 may be taken).

let home: TempDir;
let port: number;
const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });

function listenAnywhere(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function freePort(): Promise<number> {
  const server = await listenAnywhere();
  const { port: free } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return free;
}

interface Status { running: boolean; pid: number; issuer: string; port: number; demoApiUrl: string; clients: Array<{ clientId: string; clientSecret?: string }> }

beforeAll(async () => {
  home = await makeTempDir();
  port = await freePort();
});

afterAll(async () => {
  await cli('sandbox', 'stop');
  await home?.remove();
});

describe('opperator sandbox', () => {
  it('says it is not running before start (exit 5)', async () => {
    const status = await cli('sandbox', 'status');
    expect(status.code).toBe(5);
    expect(status.stderr).toContain('opperator sandbox start');
  });

  let firstSecret: string | undefined;
  it('starts in the background, prints what an agent needs and records it privately', async () => {
    const started = await cli('sandbox', 'start', '--port', String(port));
    expect(started, started.stderr).toMatchObject({ code: 0 });
    const issuer = `http://127.0.0.1:${port}`;
    expect(started.stdout).toContain(issuer);
    expect(started.stdout).toContain(`${issuer}/gmail/v1`);
    expect(started.stdout).toContain('opperator secret set sandbox_client_id opperator-demo');
    expect(started.stdout).toMatch(/opperator secret set sandbox_client_secret sandbox-secret-\w+/);

    const statePath = join(home.path, 'state', 'sandbox.json');
    expect((await stat(statePath)).mode & 0o777).toBe(0o600);
    const state = JSON.parse(await readFile(statePath, 'utf8')) as Status;
    expect(state).toMatchObject({ issuer, port, pid: expect.any(Number) });
    firstSecret = state.clients.find((c) => c.clientId === 'opperator-demo')?.clientSecret;
    expect(firstSecret).toBeTruthy();
    expect(started.stdout).toContain(firstSecret);

    const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(((await discovery.json()) as { issuer: string }).issuer).toBe(issuer);
    expect((await fetch(`${issuer}/gmail/v1/users/me/profile`)).status).toBe(401);
  });

  it('reports running with --json', async () => {
    const status = await cli('sandbox', 'status', '--json');
    expect(status, status.stderr).toMatchObject({ code: 0 });
    const body = JSON.parse(status.stdout) as Status;
    expect(body).toMatchObject({ running: true, port, issuer: `http://127.0.0.1:${port}`, demoApiUrl: `http://127.0.0.1:${port}/gmail/v1` });
    expect(body.clients.map((c) => c.clientId)).toEqual(['opperator-demo', 'opperator-demo-public']);
  });

  it('says so when started twice', async () => {
    const again = await cli('sandbox', 'start', '--port', String(port));
    expect(again, again.stderr).toMatchObject({ code: 0 });
    expect(again.stdout).toContain('already running');
  });

  it('keeps the client secrets across stop and start', async () => {
    const stopped = await cli('sandbox', 'stop');
    expect(stopped, stopped.stderr).toMatchObject({ code: 0 });
    expect((await cli('sandbox', 'status')).code).toBe(5);
    const restarted = await cli('sandbox', 'start', '--port', String(port), '--access-token-ttl', '5m');
    expect(restarted, restarted.stderr).toMatchObject({ code: 0 });
    const body = JSON.parse((await cli('sandbox', 'status', '--json')).stdout) as Status;
    expect(body.clients.find((c) => c.clientId === 'opperator-demo')?.clientSecret).toBe(firstSecret);
  });

  it('stops, after which status exits 5', async () => {
    const stopped = await cli('sandbox', 'stop');
    expect(stopped, stopped.stderr).toMatchObject({ code: 0 });
    expect(stopped.stdout).toContain('Sandbox stopped');
    const status = await cli('sandbox', 'status', '--json');
    expect(status.code).toBe(5);
    await expect(fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`)).rejects.toThrow();
  });

  it('names the port and --port when the port is taken', async () => {
    const blocker = await listenAnywhere();
    const taken = (blocker.address() as AddressInfo).port;
    try {
      const started = await cli('sandbox', 'start', '--port', String(taken));
      expect(started.code).toBe(5);
      expect(started.stderr).toContain(`Port ${taken}`);
      expect(started.stderr).toContain('--port');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('rejects a bad --access-token-ttl as a usage error', async () => {
    const started = await cli('sandbox', 'start', '--port', String(port), '--access-token-ttl', 'soon');
    expect(started.code).toBe(2);
    expect(started.stderr).toContain('--access-token-ttl');
  });
});
