import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgentHome, runCli, type TempDir } from '@opperator/testing';
import { DaemonClient } from '../src/daemon-client.js';

// The daemon's `watch` stream, which UIs render from: agent states, section
// changes and task changes, pushed as they happen and coalesced per frame.

let home: TempDir;
const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path } });

beforeAll(async () => {
  const source = await readFile(new URL('./fixtures/section-burst-agent.ts', import.meta.url), 'utf8');
  home = await makeAgentHome([{ name: 'burst', source }]);
  expect((await cli('daemon', 'start')).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await cli('daemon', 'stop');
  await home?.remove();
});

describe('watch', () => {
  it('pushes agent states, the latest section content and task records, coalesced per frame; ends when the client leaves', async () => {
    const client = await DaemonClient.connect(join(home.path, 'run', 'daemon.sock'));
    const events: Array<Record<string, unknown>> = [];
    const watching = client.request('watch', {}, { onEvent: (event) => events.push(event) }).catch((err: unknown) => err);
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(events[0]).toEqual({ agents: [expect.objectContaining({ name: 'burst', state: 'stopped' })] });

      expect((await cli('agent', 'start', 'burst')).code).toBe(0);
      expect((await cli('agent', 'invoke', 'burst', 'burst', '--args', '{"count":500}')).code).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 200));

      const states = events.flatMap((e) => (e.agents ? [(e.agents as Array<{ state: string }>)[0]!.state] : []));
      expect(states).toContain('running');
      const contents = events.flatMap((e) => {
        const change = e.section as { agent: string; section?: { id: string; content: string } } | undefined;
        return change?.section?.id === 'counter' ? [change.section.content] : [];
      });
      // A burst arrives as its latest states, in order, ending with the last update: far fewer
      // messages than updates (500 updates in a few frames; a loaded machine may stretch it).
      const numbers = contents.filter((c) => c !== '0').map((c) => Number(/\d+/.exec(c)![0]));
      expect(numbers.at(-1)).toBe(500);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      expect(new Set(numbers).size).toBe(numbers.length);
      expect(numbers.length).toBeLessThan(100);
      const tasks = events.flatMap((e) => (e.task ? [e.task as { command: string; state: string; progress: { text?: string } }] : []));
      expect(tasks.at(-1)).toMatchObject({ command: 'burst', state: 'succeeded', progress: { text: '500 updates' } });
    } finally {
      client.close();
    }
    expect(await watching).toBeInstanceOf(Error); // the stream ends with the connection, not with a result
    // The section file catches up with the last update (it is written at most every 250 ms).
    const storedCounter = async () =>
      (JSON.parse(await readFile(join(home.path, 'state', 'sections', 'burst.json'), 'utf8')) as Array<{ id: string; content: string }>).find((s) => s.id === 'counter')?.content;
    for (let i = 0; i < 30 && (await storedCounter()) !== '<b>500</b>'; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await storedCounter()).toBe('<b>500</b>');
  }, 60_000);
});
