import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, startSecretService, type TempDir, type TestSecretService } from '@opperator/testing';

// `opperator secret` against a real gnome-keyring on a private D-Bus session
// bus, run as real processes.

const secretTool = promisify(execFile);
let service: TestSecretService;
let home: TempDir;

beforeAll(async () => {
  service = await startSecretService();
});
afterAll(async () => {
  await service?.stop();
});
beforeEach(async () => {
  home = await makeTempDir('opperator-home-');
});
afterEach(async () => {
  await home.remove();
});

const cli = (args: string[], input?: string, env: Record<string, string> = {}) =>
  runCli(args, { env: { ...service.env, OPPERATOR_HOME: home.path, ...env }, ...(input === undefined ? {} : { input }) });
const lookup = async (name: string) => (await secretTool('secret-tool', ['lookup', 'service', 'opperator', 'username', name], { env: { ...process.env, ...service.env } })).stdout;

describe('opperator secret with a Secret Service', () => {
  it('sets, gets, lists and deletes in the keyring, never in a file', async () => {
    const set = await cli(['secret', 'set', 'gmail_client_id', 'id-VALUE-123']);
    expect(set).toMatchObject({ code: 0, stderr: '' });
    expect(set.stdout).toContain('keyring');
    expect((await cli(['secret', 'get', 'gmail_client_id'])).stdout).toBe('id-VALUE-123\n');
    expect((await cli(['secret', 'read', 'gmail_client_id'])).stdout).toBe('id-VALUE-123\n');

    const list = await cli(['secret', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([{ name: 'gmail_client_id', backend: 'keyring', createdAt: expect.any(String), updatedAt: expect.any(String) }]);
    expect(list.stdout + (await cli(['secret', 'list'])).stdout).not.toContain('id-VALUE-123');
    await expect(access(join(home.path, 'secrets', 'secrets.json'))).rejects.toThrow();

    expect((await cli(['secret', 'delete', 'gmail_client_id'])).code).toBe(0);
    expect(await cli(['secret', 'get', 'gmail_client_id'])).toMatchObject({ code: 3 });
    await expect(lookup('gmail_client_id')).rejects.toThrow();
  });

  it('interoperates with secret-tool both ways', async () => {
    await cli(['secret', 'set', 'ours', 'written-by-opperator']);
    expect(await lookup('ours')).toBe('written-by-opperator');

    await secretTool('sh', ['-c', 'printf %s written-by-secret-tool | secret-tool store --label=theirs service opperator username theirs'], { env: { ...process.env, ...service.env } });
    expect((await cli(['secret', 'get', 'theirs'])).stdout).toBe('written-by-secret-tool\n');
  });

  it('create and update are strict; set upserts', async () => {
    expect((await cli(['secret', 'update', 'nope', 'x'])).code).toBe(3);
    expect((await cli(['secret', 'create', 'one', 'first'])).code).toBe(0);
    const again = await cli(['secret', 'create', 'one', 'second']);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('opperator secret update one');
    expect((await cli(['secret', 'update', 'one', 'third'])).code).toBe(0);
    expect((await cli(['secret', 'set', 'one', 'fourth'])).stdout).toMatch(/^Updated/);
    expect((await cli(['secret', 'get', 'one'])).stdout).toBe('fourth\n');
  });

  it('takes the value from stdin when piped, removing one trailing newline', async () => {
    expect((await cli(['secret', 'set', 'piped'], 'line-one\n\n')).code).toBe(0);
    expect((await cli(['secret', 'get', 'piped'])).stdout).toBe('line-one\n\n');
    expect((await cli(['secret', 'set', 'crlf'], 'value\r\n')).code).toBe(0);
    expect(await lookup('crlf')).toBe('value');
  });

  it('shows a value deleted behind its back as missing, not as an error', async () => {
    await cli(['secret', 'set', 'vanishing', 'soon-gone']);
    await secretTool('secret-tool', ['clear', 'service', 'opperator', 'username', 'vanishing'], { env: { ...process.env, ...service.env } });
    const get = await cli(['secret', 'get', 'vanishing']);
    expect(get.code).toBe(3);
    expect(get.stderr).toMatch(/no longer in the keyring/);
    expect(get.stderr).toContain('opperator secret set vanishing');
    expect((await cli(['secret', 'list'])).stdout).toContain('vanishing');
  });

  it('refuses empty values and invalid names, saying what is allowed, without echoing the value', async () => {
    const empty = await cli(['secret', 'set', 'empty'], '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/empty/);
    const badName = await cli(['secret', 'set', 'bad name!', 'TOP-SECRET-VALUE']);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/letters, digits, "_", "\." and "-", at most 128/);
    expect(badName.stderr + badName.stdout).not.toContain('TOP-SECRET-VALUE');
    expect((await cli(['secret', 'set', 'x'.repeat(129), 'v'])).code).toBe(2);
    expect((await cli(['secret', 'set', 'ok.name-1_A', 'v'])).code).toBe(0);
  });

  it('doctor reports the keyring usable', async () => {
    const doctor = await cli(['doctor']);
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toMatch(/keyring: +ok/);
    expect(doctor.stdout).toContain('new secrets go to the keyring');
  });
});

describe('a locked keyring', () => {
  it('is reported with its reason, and a new secret falls back to the file after the warning', async () => {
    const locked = await startSecretService();
    try {
      const env = { ...locked.env, OPPERATOR_HOME: home.path };
      expect((await runCli(['secret', 'set', 'before', 'v1'], { env })).code).toBe(0);
      await locked.lock();
      const get = await runCli(['secret', 'get', 'before'], { env });
      expect(get.code).toBe(1);
      expect(get.stderr).toMatch(/locked/);
      const doctor = await runCli(['doctor'], { env });
      expect(doctor.stdout).toMatch(/keyring: +unavailable: the keyring is locked/);
      expect(doctor.stdout).toMatch(/unlock/);
      const set = await runCli(['secret', 'set', 'after', 'v2'], { env });
      expect(set.code).toBe(0);
      expect(set.stderr).toMatch(/NOT ENCRYPTED[\s\S]*locked/);
      expect(JSON.parse(await readFile(join(home.path, 'secrets', 'secrets.json'), 'utf8')).values.after).toBe('v2');
    } finally {
      await locked.stop();
    }
  });
});
