import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI_PATH, makeTempDir, runCli, type CliResult, type TempDir } from '@opperator/testing';

// `secret set` stores UTF-8 text as given, and refuses anything else (exit 2,
// saying the value must be UTF-8 text) instead of storing U+FFFD in place of
// the bytes it could not read.

let home: TempDir;
beforeEach(async () => {
  home = await makeTempDir('opperator-home-');
});
afterEach(async () => {
  await home.remove();
});

const env = () => ({ OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' });

/** `opperator ...args` with these exact bytes piped to stdin. */
function withStdin(args: string[], input: Uint8Array): Promise<CliResult> {
  const { DBUS_SESSION_BUS_ADDRESS: _bus, ...base } = process.env;
  const child = spawn(process.execPath, [CLI_PATH, ...args], { env: { ...base, ...env() }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(input);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const get = async (name: string) => runCli(['secret', 'get', name], { env: env() });

describe('secret set: what the value may be', () => {
  it('refuses stdin that is not UTF-8 (exit 2), stores nothing, and says how to store binary data', async () => {
    const set = await withStdin(['secret', 'set', 'api_key'], Uint8Array.from([0x61, 0x62, 0xff, 0xfe, 0x63, 0x0a]));
    expect(set.code).toBe(2);
    expect(set.stderr).toMatch(/api_key/);
    expect(set.stderr).toMatch(/must be UTF-8 text/);
    expect(set.stderr).toMatch(/base64/);
    expect((await get('api_key')).code).toBe(3);
  });

  it('refuses a truncated multi-byte sequence at the end of stdin', async () => {
    const set = await withStdin(['secret', 'set', 'api_key'], Buffer.concat([Buffer.from('caf'), Buffer.from([0xc3])]));
    expect(set.code).toBe(2);
    expect((await get('api_key')).code).toBe(3);
  });

  it('refuses a NUL byte on stdin (exit 2)', async () => {
    const set = await withStdin(['secret', 'set', 'api_key'], Buffer.from('abc\u0000def\n'));
    expect(set.code).toBe(2);
    expect(set.stderr).toMatch(/NUL/);
    expect((await get('api_key')).code).toBe(3);
  });

  it('refuses an argument holding U+FFFD, what Node makes of argument bytes that are not UTF-8', async () => {
    const set = await runCli(['secret', 'set', 'api_key', 'ab\uFFFDcd'], { env: env() });
    expect(set.code).toBe(2);
    expect(set.stderr).toMatch(/UTF-8/);
    expect((await get('api_key')).code).toBe(3);
  });

  it('stores UTF-8 stdin exactly, minus one trailing line break (LF or CR LF)', async () => {
    const cases: Array<[string, string]> = [
      ['value\n', 'value'],
      ['value\r\n', 'value'],
      ['value', 'value'],
      ['\nline one\nline two\n\n', '\nline one\nline two\n'],
      ['  spaced\t \n', '  spaced\t '],
      ['kéy 日本 😀\n', 'kéy 日本 😀'],
    ];
    for (const [input, stored] of cases) {
      expect((await withStdin(['secret', 'set', 'api_key'], Buffer.from(input))).code).toBe(0);
      expect((await get('api_key')).stdout).toBe(`${stored}\n`);
    }
  });
});
