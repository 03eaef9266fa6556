import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeAgentHome, runCli, type TempDir } from '@opperator/testing';

// The daemon, its agents and the CLI as real processes: which agents come
// back after `daemon stop` / `daemon start` (pm2's save/resurrect, kept current).

/** Counts its runs in runs.txt; with CRASH_AFTER_MS it exits with code 1 that long after it is ready. */
const COUNTING_AGENT = `
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from '@opperator/sdk';

export default class Counting extends Agent {
  async initialize() {
    appendFileSync(join(process.env.OPPERATOR_AGENT_DIR ?? '.', 'runs.txt'), process.pid + '\\n');
    const crashAfterMs = Number(process.env.CRASH_AFTER_MS ?? 0);
    if (crashAfterMs > 0) setTimeout(() => process.exit(1), crashAfterMs);
  }
}
`;

interface Row { name: string; state: string; wanted: boolean }

let home: TempDir | undefined;
const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home!.path, OPPERATOR_SECRET_STORE: 'file' } });
const list = async (): Promise<Row[]> => JSON.parse((await cli('agent', 'list', '--json')).stdout || '[]') as Row[];
const states = async () => Object.fromEntries((await list()).map((row) => [row.name, row.state]));
const runs = async (name: string) => (await readFile(join(home!.path, 'agents', name, 'runs.txt'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
const wantedFile = () => join(home!.path, 'state', 'wanted-agents.json');

async function expectOk(run: Promise<{ code: number | null; stdout: string; stderr: string }>): Promise<string> {
  const result = await run;
  expect(result, result.stderr).toMatchObject({ code: 0 });
  return result.stdout;
}

async function waitFor(what: string, check: (rows: Row[]) => boolean): Promise<Row[]> {
  let rows: Row[] = [];
  for (let i = 0; i < 200; i += 1) {
    rows = await list();
    if (check(rows)) return rows;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} never happened; agents: ${JSON.stringify(rows)}`);
}
const stateOf = (rows: Row[], name: string) => rows.find((row) => row.name === name)?.state;

afterEach(async () => {
  if (!home) return;
  await cli('daemon', 'stop');
  await home.remove();
  home = undefined;
});

describe('agents after daemon stop / daemon start', () => {
  it('come back as the user left them: running ones run, stopped ones stay stopped, start_with_daemon ones always start', async () => {
    home = await makeAgentHome([
      { name: 'kept', source: COUNTING_AGENT },
      { name: 'stopped', source: COUNTING_AGENT },
      { name: 'idle', source: COUNTING_AGENT },
      { name: 'always', source: COUNTING_AGENT, yaml: 'start_with_daemon: true' },
      { name: 'flaky', source: COUNTING_AGENT, yaml: 'max_restarts: 0\nenv: { CRASH_AFTER_MS: 300 }' },
    ]);
    await expectOk(cli('daemon', 'start'));
    await waitFor('always running', (rows) => stateOf(rows, 'always') === 'running');
    await expectOk(cli('agent', 'start', 'kept'));
    await expectOk(cli('agent', 'start', 'stopped'));
    await expectOk(cli('agent', 'stop', 'stopped'));
    // The user stops a start_with_daemon agent: it still starts with the next daemon (the flag means "always").
    await expectOk(cli('agent', 'stop', 'always'));
    // A crashing agent the supervisor gives up on (max_restarts 0) stays wanted, and says so.
    await expectOk(cli('agent', 'start', 'flaky'));
    const crashed = await waitFor('flaky given up on', (rows) => stateOf(rows, 'flaky') === 'crashed');
    expect(crashed.find((row) => row.name === 'flaky')).toMatchObject({ wanted: true });
    expect(await expectOk(cli('agent', 'list'))).toContain('flaky crashed and is not restarted now, but you left it running: the next daemon start tries it again');
    expect(await states()).toEqual({ kept: 'running', stopped: 'stopped', idle: 'stopped', always: 'stopped', flaky: 'crashed' });

    await expectOk(cli('daemon', 'stop'));
    // Stopping the agents with the daemon did not count as the user stopping them.
    expect(JSON.parse(await readFile(wantedFile(), 'utf8'))).toEqual({ version: 1, running: ['flaky', 'kept'] });

    await expectOk(cli('daemon', 'start'));
    await waitFor('kept and always running, flaky tried again', (rows) => stateOf(rows, 'kept') === 'running' && stateOf(rows, 'always') === 'running' && stateOf(rows, 'flaky') === 'crashed' && rows.find((row) => row.name === 'flaky')?.wanted === true);
    expect(await states()).toEqual({ kept: 'running', stopped: 'stopped', idle: 'stopped', always: 'running', flaky: 'crashed' });
    expect({ kept: await runs('kept'), stopped: await runs('stopped'), idle: await runs('idle'), always: await runs('always'), flaky: await runs('flaky') }).toEqual({ kept: 2, stopped: 1, idle: 0, always: 2, flaky: 2 });
    expect((await list()).filter((row) => row.wanted).map((row) => row.name).sort()).toEqual(['always', 'flaky', 'kept']);
    const log = await readFile(join(home.path, 'state', 'daemon.log'), 'utf8');
    expect(log).toContain('starting always (start_with_daemon), flaky (left running), kept (left running)');
  }, 90_000);

  it('starts only the start_with_daemon agents when the record is corrupt, says so in its log, and writes a good one at the next change', async () => {
    home = await makeAgentHome([
      { name: 'always', source: COUNTING_AGENT, yaml: 'start_with_daemon: true' },
      { name: 'other', source: COUNTING_AGENT },
    ]);
    await mkdir(join(home.path, 'state'), { recursive: true });
    await writeFile(wantedFile(), '{"version":1,"running":["other"'); // cut off mid-write by something else
    await expectOk(cli('daemon', 'start'));
    await waitFor('always running', (rows) => stateOf(rows, 'always') === 'running');
    expect(await states()).toEqual({ always: 'running', other: 'stopped' });
    const log = await readFile(join(home.path, 'state', 'daemon.log'), 'utf8');
    expect(log).toContain(`${wantedFile()} is not a valid list of the agents left running (not JSON`);
    await expectOk(cli('agent', 'start', 'other'));
    expect(JSON.parse(await readFile(wantedFile(), 'utf8'))).toEqual({ version: 1, running: ['always', 'other'] });
  }, 60_000);

  it('forgets an agent removed from agents.yaml while the daemon was down', async () => {
    home = await makeAgentHome([{ name: 'gone', source: COUNTING_AGENT }, { name: 'stays', source: COUNTING_AGENT }]);
    await expectOk(cli('daemon', 'start'));
    await expectOk(cli('agent', 'start', 'gone'));
    await expectOk(cli('agent', 'start', 'stays'));
    await expectOk(cli('daemon', 'stop'));
    const yamlPath = join(home.path, 'agents.yaml');
    await writeFile(yamlPath, (await readFile(yamlPath, 'utf8')).replace(/ {2}- name: gone\n(?: {4}.*\n)*/, ''));
    await expectOk(cli('daemon', 'start'));
    await waitFor('stays running', (rows) => stateOf(rows, 'stays') === 'running');
    expect(await states()).toEqual({ stays: 'running' });
    expect(JSON.parse(await readFile(wantedFile(), 'utf8'))).toEqual({ version: 1, running: ['stays'] });
  }, 60_000);
});
