import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, makeAgentHome, runCli, type TempDir } from '@opperator/testing';

// An agent whose logs, sections, command descriptions, progress, results and
// errors all carry what a terminal acts on; the CLI prints none of it raw,
// and its --json output parses back to the exact text.

const HOSTILE = 'x\u001b[2Jy\u001b]52;c;cHduZWQ=\u0007z\u009b31m\u202etxt.exe\u2066!\bQ\rR';
const SHOWN = 'x\\u{1b}[2Jy\\u{1b}]52;c;cHduZWQ=\\u{7}z\\u{9b}31m\\u{202e}txt.exe\\u{2066}!\\u{8}Q\\u{d}R';
// eslint-disable-next-line no-control-regex -- finding raw control characters is the point
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let home: TempDir;
const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });

beforeAll(async () => {
  const source = await readFile(new URL('./fixtures/hostile-text-agent.ts', import.meta.url), 'utf8');
  home = await makeAgentHome([{ name: 'hostile', source, yaml: 'start_with_daemon: true\nauto_restart: false\nenv:\n  BROWSER: "w3m \\e[2J\\u009b"' }]);
  // A description in agents.yaml with a clear screen, a line break and a right-to-left override.
  const agentsYaml = join(home.path, 'agents.yaml');
  await writeFile(agentsYaml, (await readFile(agentsYaml, 'utf8')).replace('description: test agent hostile', 'description: "about \\e[2J\\nfake row \\u202e"'));
  const started = await cli('daemon', 'start');
  expect(started, started.stderr).toMatchObject({ code: 0 });
  for (let i = 0; i < 200; i += 1) {
    const sections = await cli('agent', 'sections', 'hostile', '--json');
    if (sections.code === 0 && sections.stdout.includes('hostile')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the hostile agent never registered its section');
}, 60_000);

afterAll(async () => {
  await cli('daemon', 'stop');
  await home?.remove();
});

function expectNeutralised(output: string, ...expected: string[]): void {
  expect(output).not.toMatch(RAW);
  for (const text of expected) expect(output).toContain(text);
}

describe('agent text on the terminal', () => {
  it('agent logs: messages and fields shown, not acted on; --json gives the exact text', async () => {
    const logs = await cli('agent', 'logs', 'hostile');
    expect(logs.code).toBe(0);
    expectNeutralised(logs.stdout, `logged ${SHOWN}`);
    const entries = (await cli('agent', 'logs', 'hostile', '--json')).stdout.trim().split('\n').map((line) => JSON.parse(line) as { message: string; fields?: { field?: string } });
    expect(entries.find((e) => e.message.startsWith('logged'))).toMatchObject({ message: `logged ${HOSTILE}`, fields: { field: HOSTILE } });
  });

  it('agent logs -f: followed lines are neutralised too', async () => {
    const child = spawn(process.execPath, [CLI_PATH, 'agent', 'logs', 'hostile', '-f', '-n', '0'], { env: { ...process.env, OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no followed line: ${out}`)), 10_000);
      child.stdout.on('data', () => {
        if (out.includes(`again ${SHOWN}`)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGTERM');
    expectNeutralised(out, `again ${SHOWN}`);
  });

  it('agent sections and agent commands', async () => {
    const sections = await cli('agent', 'sections', 'hostile');
    expectNeutralised(sections.stdout, `== title ${SHOWN} ==`, `content ${SHOWN}\nsecond line`);
    const json = JSON.parse((await cli('agent', 'sections', 'hostile', '--json')).stdout) as Array<{ title: string; content: string }>;
    expect(json[0]).toMatchObject({ title: `title ${HOSTILE}`, content: `<b>content</b> ${HOSTILE}\nsecond line` });
    expectNeutralised((await cli('agent', 'commands', 'hostile')).stdout, `describes ${SHOWN}`);
    expect((await cli('agent', 'commands', 'hostile', '--json')).stdout).not.toMatch(RAW);
  });

  it('agent invoke: results (line breaks kept in a string result), progress and errors', async () => {
    const text = await cli('agent', 'invoke', 'hostile', 'text');
    expect(text.code).toBe(0);
    expectNeutralised(text.stdout, `result ${SHOWN}\nsecond line`);
    const textJson = await cli('agent', 'invoke', 'hostile', 'text', '--json');
    expect(textJson.stdout).not.toMatch(RAW);
    expect(JSON.parse(textJson.stdout)).toBe(`result ${HOSTILE}\nsecond line`);

    const object = await cli('agent', 'invoke', 'hostile', 'object');
    expect(object.stdout).not.toMatch(RAW);
    expect(JSON.parse(object.stdout)).toEqual({ value: HOSTILE });

    const progress = await cli('agent', 'invoke', 'hostile', 'progress');
    expect(progress.code).toBe(0);
    expectNeutralised(progress.stderr, `label ${SHOWN}: 50% progress ${SHOWN}`);
    expect(progress.stdout).not.toMatch(RAW);

    const failed = await cli('agent', 'invoke', 'hostile', 'fail');
    expect(failed.code).toBe(6);
    expectNeutralised(failed.stderr, `failed ${SHOWN}`);
    const failedJson = await cli('agent', 'invoke', 'hostile', 'fail', '--json');
    expect(failedJson.stdout).not.toMatch(RAW);
    expect(JSON.parse(failedJson.stdout)).toMatchObject({ ok: false, error: { message: `failed ${HOSTILE}` } });
  });

  it('task list and task get', async () => {
    const list = await cli('task', 'list');
    expectNeutralised(list.stdout, `progress ${SHOWN}`);
    const tasks = JSON.parse((await cli('task', 'list', '--json')).stdout) as Array<{ id: string; command: string; progress: { text: string }; result: unknown }>;
    const task = tasks.find((t) => t.command === 'progress');
    expect(task).toMatchObject({ progress: { text: `progress ${HOSTILE}` }, result: { done: HOSTILE } });
    const get = await cli('task', 'get', task?.id ?? '');
    expectNeutralised(get.stdout, `progress: progress ${SHOWN}`);
    expect(get.stdout).toContain('result: {"done":"x\\u001b[2Jy');
  });

  it('agent list: a description stays on its row, shown and not acted on', async () => {
    const list = await cli('agent', 'list');
    expectNeutralised(list.stdout, 'about \\u{1b}[2J\\u{a}fake row \\u{202e}');
    expect(list.stdout.split('\n').filter((line) => line.startsWith('hostile'))).toHaveLength(1);
    expect(JSON.parse((await cli('agent', 'list', '--json')).stdout)[0]).toMatchObject({ description: 'about \u001b[2J\nfake row \u202e' });
  });

  it('doctor: an agent\'s env from agents.yaml', async () => {
    const doctor = await cli('doctor');
    expectNeutralised(doctor.stdout, 'hostile sets BROWSER=w3m \\u{1b}[2J\\u{9b}');
  });
});
