import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@opperator/testing';
import { agentsToRestore, restoreAgents } from '../src/agent-restore.js';
import type { AgentDefinition } from '../src/agents-config.js';
import { WANTED_AGENTS_MAX_BYTES, WantedAgents } from '../src/wanted-agents.js';

let temp: TempDir;
let warnings: string[];
let path: string;
const open = () => new WantedAgents(path, { warn: (message) => warnings.push(message) });

beforeEach(async () => {
  temp = await makeTempDir('opperator-wanted-');
  path = join(temp.path, 'state', 'wanted-agents.json');
  warnings = [];
});
afterEach(async () => {
  await temp.remove();
});

describe('WantedAgents', () => {
  it('starts empty without a file, and keeps each change on disk at once (0600, sorted)', async () => {
    const wanted = open();
    expect([...(await wanted.load())]).toEqual([]);
    await wanted.add('zeta');
    await wanted.add('alpha');
    await wanted.add('alpha');
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ version: 1, running: ['alpha', 'zeta'] });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await wanted.delete('zeta');
    await wanted.delete('never-there');
    const again = open();
    await again.load();
    expect(again.names).toEqual(['alpha']);
    expect(again.has('alpha')).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('forgets names no longer defined', async () => {
    const wanted = open();
    await wanted.add('kept');
    await wanted.add('removed');
    await wanted.retain(new Set(['kept', 'new']));
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ version: 1, running: ['kept'] });
  });

  it.each([
    ['cut-off JSON', '{"version":1,"running":["a"', /not JSON/],
    ['another version', '{"version":2,"running":["a"]}', /version/],
    ['a name agents.yaml would refuse', '{"version":1,"running":["../etc"]}', /running\.0/],
    ['not an object', '[]', /expected object/],
  ])('reads %s as nothing wanted, with a warning naming the file', async (_what, text, why) => {
    await mkdir(join(temp.path, 'state'));
    await writeFile(path, text);
    expect([...(await open().load())]).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${path} is not a valid list of the agents left running`);
    expect(warnings[0]).toMatch(why);
    expect(warnings[0]).toContain('starting only the agents marked start_with_daemon');
  });

  it('refuses a file larger than its limit without parsing it', async () => {
    await mkdir(join(temp.path, 'state'));
    await writeFile(path, `{"version":1,"running":[],"pad":"${'x'.repeat(WANTED_AGENTS_MAX_BYTES)}"}`);
    expect([...(await open().load())]).toEqual([]);
    expect(warnings[0]).toMatch(/larger than/);
  });

  it('reports a write it cannot do instead of failing the start or stop that caused it', async () => {
    // The state "directory" is a file: every write fails.
    await writeFile(join(temp.path, 'state'), 'not a directory');
    const wanted = open();
    await wanted.load();
    expect(warnings).toHaveLength(1); // reading through a file is an error too (ENOTDIR), not a crash
    await wanted.add('a');
    expect(wanted.has('a')).toBe(true);
    expect(warnings[1]).toMatch(/cannot save which agents are wanted running/);
  });
});

describe('restoring agents at daemon start', () => {
  const definition = (name: string, startWithDaemon = false) => ({ name, start_with_daemon: startWithDaemon }) as AgentDefinition;

  it('chooses start_with_daemon agents always and the others when left running', () => {
    expect(agentsToRestore([definition('b', true), definition('c'), definition('a')], new Set(['a', 'b', 'ghost']))).toEqual([
      { name: 'a', reason: 'left running' },
      { name: 'b', reason: 'start_with_daemon' },
    ]);
  });

  it('starts them, records start_with_daemon ones as wanted, and keeps a failed one wanted', async () => {
    await mkdir(join(temp.path, 'state'));
    await writeFile(path, JSON.stringify({ version: 1, running: ['broken', 'left', 'removed'] }));
    const started: string[] = [];
    const host = (name: string, startWithDaemon = false, fails = false) => [name, {
      definition: definition(name, startWithDaemon),
      start: async () => {
        if (fails) throw new Error('Could not resolve ./missing.js');
        started.push(name);
      },
    }] as const;
    const hosts = new Map([host('always', true), host('left'), host('broken', false, true), host('idle')]);
    const reports: string[] = [];
    const wanted = open();
    const outcome = await restoreAgents(hosts, wanted, { report: (message) => reports.push(message) });
    expect(outcome).toEqual([
      { name: 'always', reason: 'start_with_daemon', started: true },
      { name: 'broken', reason: 'left running', started: false },
      { name: 'left', reason: 'left running', started: true },
    ]);
    expect(started.sort()).toEqual(['always', 'left']);
    expect(reports[0]).toBe('starting always (start_with_daemon), broken (left running), left (left running)');
    expect(reports[1]).toBe('agent broken did not start (Could not resolve ./missing.js); it stays wanted running: fix it, then `opperator agent start broken`');
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ version: 1, running: ['always', 'broken', 'left'] });
  });
});
