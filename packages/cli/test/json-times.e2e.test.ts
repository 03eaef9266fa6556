import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgentHome, makeTempDir, runCli, type TempDir } from '@opperator/testing';

// Issue 16, "Consistent output": every `--json` of the CLI carries its times
// as ISO 8601 strings (the wire keeps epoch ms; the CLI converts at its edge).
// Each output is walked: a number in a field named like a time fails.

const TIME_FIELD = /(?:At|Time|time|^since|^until)$/;
const ISO_8601 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/;

/** Every time-named field in `value`, as `path: value`, that is not an ISO 8601 string. */
function nonIsoTimes(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => nonIsoTimes(item, `${path}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, field]) => {
    const here = `${path}.${key}`;
    const own = TIME_FIELD.test(key) && field !== null && field !== undefined && !(typeof field === 'string' && ISO_8601.test(field)) ? [`${here}: ${JSON.stringify(field)}`] : [];
    return [...own, ...nonIsoTimes(field, here)];
  });
}

/** How many time-named fields `value` holds (so a test knows it checked something). */
function countTimes(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + countTimes(item), 0);
  if (value === null || typeof value !== 'object') return 0;
  return Object.entries(value).reduce((sum: number, [key, field]) => sum + (TIME_FIELD.test(key) ? 1 : 0) + countTimes(field), 0);
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('--json times', () => {
  let home: TempDir;
  let folder: TempDir;
  const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file' } });
  /** Runs a --json command, checks it succeeded, and parses its output (NDJSON: one value per line). */
  const json = async (...args: string[]): Promise<unknown[]> => {
    const { code, stdout, stderr } = await cli(...args);
    expect(code, `${args.join(' ')}: ${stderr}`).toBe(0);
    try {
      return [JSON.parse(stdout)];
    } catch {
      return stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown);
    }
  };

  beforeAll(async () => {
    const source = await readFile(new URL('./fixtures/worker-agent.ts', import.meta.url), 'utf8');
    home = await makeAgentHome([{ name: 'worker', source, yaml: 'auto_restart: false' }]);
    folder = await makeTempDir('opperator-json-agent-');
    await mkdir(join(folder.path, 'extra'), { recursive: true });
    await writeFile(join(folder.path, 'extra', 'agent.ts'), "import { Agent } from '@opperator/sdk';\nexport default class Extra extends Agent {}\n");
    expect((await cli('agent', 'start', 'worker')).code).toBe(0);
    expect((await cli('agent', 'invoke', 'worker', 'count')).code).toBe(0);
    expect((await cli('agent', 'invoke', 'worker', 'echo', '--args', '{"text":"hi"}')).code).toBe(0);
    expect((await cli('secret', 'set', 'token', 'value')).code).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await cli('sandbox', 'stop');
    await cli('daemon', 'stop');
    await home?.remove();
    await folder?.remove();
  });

  it('task list and task get', async () => {
    const [tasks] = (await json('task', 'list', '--json')) as [Array<{ id: string }>];
    expect(tasks.length).toBeGreaterThan(0);
    const [task] = await json('task', 'get', tasks[0]!.id, '--json');
    expect(countTimes(tasks)).toBeGreaterThanOrEqual(2);
    expect(countTimes(task)).toBeGreaterThanOrEqual(2);
    expect(nonIsoTimes({ tasks, task })).toEqual([]);
  }, 30_000);

  it('daemon status, agent list, agent sections and agent commands', async () => {
    const [status] = await json('daemon', 'status', '--json');
    expect(countTimes(status)).toBeGreaterThanOrEqual(1);
    const [sections] = await json('agent', 'sections', 'worker', '--json');
    expect(countTimes(sections)).toBeGreaterThanOrEqual(1);
    const outputs = { status, sections, list: await json('agent', 'list', '--json'), commands: await json('agent', 'commands', 'worker', '--json') };
    expect(nonIsoTimes(outputs)).toEqual([]);
  }, 30_000);

  it('agent logs --json, line by line', async () => {
    const lines = await json('agent', 'logs', 'worker', '--json');
    expect(lines.length).toBeGreaterThan(1);
    expect(countTimes(lines)).toBe(lines.length);
    expect(nonIsoTimes(lines)).toEqual([]);
  }, 30_000);

  it('secret list, agent add, invoke and invoke --detach', async () => {
    const [secrets] = await json('secret', 'list', '--json');
    expect(countTimes(secrets)).toBe(2);
    const outputs = {
      secrets,
      added: await json('agent', 'add', join(folder.path, 'extra'), '--no-install', '--json'),
      invoked: await json('agent', 'invoke', 'worker', 'echo', '--args', '{"text":"x"}', '--json'),
      detached: await json('agent', 'invoke', 'worker', 'count', '--detach', '--json'),
    };
    expect(nonIsoTimes(outputs)).toEqual([]);
  }, 60_000);

  it('human outputs show local times in the one human format (TZ respected)', async () => {
    const [first] = (await json('agent', 'logs', 'worker', '--json')) as Array<{ time: string }>;
    // Asia/Kathmandu is UTC+05:45 all year: no clock of another zone looks like it.
    const inKathmandu = new Date(Date.parse(first!.time) + (5 * 60 + 45) * 60_000).toISOString().slice(11, 19);
    const human = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path, OPPERATOR_SECRET_STORE: 'file', TZ: 'Asia/Kathmandu' } });
    const logs = (await human('agent', 'logs', 'worker')).stdout.split('\n');
    expect(logs[0]).toMatch(new RegExp(`^(\\d{4}-\\d\\d-\\d\\d )?${inKathmandu} `));
    const clock = /(^|\s)(\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d(\s|,|$)/m;
    expect((await human('task', 'list')).stdout).toMatch(clock);
    expect((await human('daemon', 'status')).stdout).toMatch(/since (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d,/);
    expect((await human('secret', 'list')).stdout).toMatch(clock);
    for (const output of [logs.join('\n'), (await human('task', 'list')).stdout]) expect(output).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
  }, 30_000);

  it('sandbox status and sandbox revoke', async () => {
    expect((await cli('sandbox', 'start', '--port', String(await freePort()))).code).toBe(0);
    const outputs = { status: await json('sandbox', 'status', '--json'), revoked: await json('sandbox', 'revoke', '--json') };
    expect(nonIsoTimes(outputs)).toEqual([]);
  }, 60_000);
});
