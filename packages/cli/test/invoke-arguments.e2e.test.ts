import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgentHome, runCli, type TempDir } from '@opperator/testing';
import { describeArguments } from '../src/commands/invoke-arguments.js';

// Issue 16, "Consistent output": `--args` errors show JSON.parse's reason and
// the command's arguments (name, type, required), when the agent runs.

describe('describeArguments', () => {
  it('lists name, type, required and allowed values', () => {
    expect(describeArguments([{ name: 'text', type: 'string', required: true }, { name: 'limit', type: 'integer' }, { name: 'folder', type: 'string', enum: ['INBOX', 'Sent'] }])).toBe(
      'text (string, required), limit (integer), folder (string: INBOX|Sent)',
    );
    expect(describeArguments([])).toBe('no arguments');
  });
});

describe('--args errors with a running agent', () => {
  let home: TempDir;
  const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });

  beforeAll(async () => {
    const source = await readFile(new URL('./fixtures/worker-agent.ts', import.meta.url), 'utf8');
    home = await makeAgentHome([{ name: 'worker', source, yaml: 'auto_restart: false' }]);
  }, 60_000);

  afterAll(async () => {
    await cli('daemon', 'stop');
    await home?.remove();
  });

  it('without a daemon: the parse error, and where to see the arguments; no daemon is started for it', async () => {
    const { code, stderr } = await cli('agent', 'invoke', 'worker', 'echo', '--args', '{text:hi}');
    expect(code).toBe(2);
    expect(stderr).toMatch(/Expected property name|Unexpected token/);
    expect(stderr).toContain('opperator agent commands worker');
    expect((await cli('daemon', 'status')).code).toBe(5);
  });

  it('JSON that does not parse: the reason and the arguments', async () => {
    expect((await cli('agent', 'start', 'worker')).code).toBe(0);
    const { code, stderr } = await cli('agent', 'invoke', 'worker', 'echo', '--args', '{text:hi}');
    expect(code).toBe(2);
    expect(stderr).toMatch(/Expected property name|Unexpected token/);
    expect(stderr).toContain('worker echo takes: text (string, required)');
  }, 60_000);

  it('JSON that is not an object, and arguments the agent refuses: the arguments too', async () => {
    const array = await cli('agent', 'invoke', 'worker', 'echo', '--args', '["hi"]');
    expect(array.code).toBe(2);
    expect(array.stderr).toContain('got an array');
    expect(array.stderr).toContain('worker echo takes: text (string, required)');
    const refused = await cli('agent', 'invoke', 'worker', 'echo', '--args', '{}');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('invalid arguments');
    expect(refused.stderr).toContain('worker echo takes: text (string, required)');
  }, 30_000);
});
