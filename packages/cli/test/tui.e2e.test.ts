import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, TmuxSession, makeAgentHome, runCli, type TempDir } from '@opperator/testing';

// `opperator` with no arguments, in a real terminal (tmux 100×30): the TUI
// against a real daemon and agent processes, driven by keys.

let home: TempDir;
let tmux: TmuxSession | undefined;
const cli = (...args: string[]) => runCli(args, { env: { OPPERATOR_HOME: home.path } });
const openTui = async () => (tmux = await TmuxSession.start([process.execPath, CLI_PATH], { width: 100, height: 30, env: { OPPERATOR_HOME: home.path, TERM: 'xterm-256color' } }));

beforeAll(async () => {
  const source = await readFile(new URL('./fixtures/section-burst-agent.ts', import.meta.url), 'utf8');
  home = await makeAgentHome([{ name: 'burst', source }, { name: 'quiet', source }]);
}, 60_000);

afterEach(async () => {
  await tmux?.kill();
  tmux = undefined;
});

afterAll(async () => {
  await cli('daemon', 'stop');
  await home?.remove();
});

describe('the TUI', () => {
  it('starts the daemon, lists agents, starts one with s, follows its section, tasks and logs, and quits with q', async () => {
    const ui = await openTui();
    await ui.waitFor(/› burst +stopped/);
    expect(await ui.screen()).toMatch(/quiet +stopped/);

    await ui.sendKeys('s');
    await ui.waitFor(/› burst +running/);
    await ui.waitFor('▾ Counter');
    await ui.waitFor('agent started'); // the logs pane follows the selected agent

    expect((await cli('agent', 'invoke', 'burst', 'burst', '--args', '{"count":2000}')).code).toBe(0);
    await ui.waitFor(/^ {2}2000 /m);
    await ui.sendKeys('g');
    await ui.sendKeys('stopped', { literal: true });
    await ui.waitFor('search logs: stopped');
    await ui.sendKeys('Escape');
    // Apart in time: a terminal reads Esc followed at once by a key as Alt+key.
    await ui.waitFor(/^(?![\s\S]*search logs:)/);
    await ui.sendKeys('g');
    await ui.sendKeys('agent started', { literal: true });
    await ui.sendKeys('Enter');
    const searched = await ui.waitFor(`search "agent started" (1)`);
    expect(searched).toContain('agent started');
    expect(searched).not.toContain('agent starting');

    await ui.sendKeys('Tab');
    await ui.waitFor(/✓ burst +\{"sent":2000\}/);

    await ui.sendKeys('Down');
    await ui.waitFor(/› quiet +stopped/);
    await ui.sendKeys('q');
    for (let i = 0; i < 50 && !(await ui.exited()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await ui.exited()).toBe(true);
  }, 60_000);

  it('collapses a section with space and remembers it in the next run', async () => {
    let ui = await openTui();
    await ui.waitFor('▾ Counter');
    await ui.sendKeys('Space');
    await ui.waitFor('▸ Counter');
    expect(await ui.screen()).not.toMatch(/^ {2}2000 /m);
    await ui.sendKeys('q');
    await tmux?.kill();

    ui = await openTui();
    await ui.waitFor('▸ Counter');
    await ui.sendKeys('Space');
    await ui.waitFor('▾ Counter');
  }, 60_000);

  it('asks before stopping: n keeps the agent running, y stops it; ? shows every key', async () => {
    const ui = await openTui();
    await ui.waitFor(/› burst +running/);
    await ui.sendKeys('x');
    await ui.waitFor('Stop burst?');
    await ui.sendKeys('n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await ui.screen()).not.toContain('Stop burst?');
    expect(JSON.parse((await cli('agent', 'list', '--json')).stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'burst', state: 'running' })]));

    await ui.sendKeys('x');
    await ui.waitFor('Stop burst?');
    await ui.sendKeys('y');
    await ui.waitFor(/› burst +stopped/);

    await ui.sendKeys('?');
    const help = await ui.waitFor('Esc or ? to close');
    for (const key of ['start', 'stop', 'log level', 'follow', 'quit']) expect(help).toContain(key);
    await ui.sendKeys('Escape');
    await ui.waitFor(/Logs|Tasks/);
  }, 60_000);

  it('lays itself out again when the terminal is resized: every row within the width, the status line on the last row', async () => {
    const ui = await openTui();
    await ui.waitFor('● connected');
    for (const [width, height] of [[80, 24], [140, 40], [100, 30]] as const) {
      await ui.resize(width, height);
      // tmux reflows the old frame at once; wait for the TUI's own: the main pane's rule where the layout puts it
      // for this width (30% for the left column, at least 20) and the status line on the last of `height` rows.
      const left = Math.max(20, Math.round(width * 0.3));
      const screen = await ui.waitFor(new RegExp(`^Agents \\(2\\) {${left - 'Agents (2)'.length}}│.*\\n(?:.*\\n){${height - 2}}● connected.*\\n?$`));
      const rows = screen.replace(/\n$/, '').split('\n');
      expect(rows).toHaveLength(height);
      for (const row of rows) expect(row.length).toBeLessThanOrEqual(width);
      expect(rows.filter((row) => row.length > left && row[left] === '│')).toHaveLength(height - 1);
    }
  }, 60_000);

  it('selects a running task in the tasks pane and cancels it with c', async () => {
    expect((await cli('agent', 'start', 'burst')).code).toBe(0);
    const ui = await openTui();
    await ui.waitFor(/› burst +running/);
    const started = await cli('agent', 'invoke', 'burst', 'wait', '--detach');
    expect(started.code).toBe(0);
    await ui.sendKeys('3'); // focus the main pane
    await ui.sendKeys('Tab');
    await ui.waitFor(/Tasks · 1 running[\s\S]*Waiting/);
    await ui.sendKeys('c');
    await ui.waitFor(/⊘ Waiting/);
    const tasks = JSON.parse((await cli('task', 'list', '--json')).stdout) as Array<{ command: string; state: string }>;
    expect(tasks.filter((task) => task.command === 'wait').map((task) => task.state)).toEqual(['cancelled']);
    await ui.sendKeys('Enter');
    await ui.waitFor(/state +cancelled[\s\S]*Cancelled/);
    await ui.sendKeys('Escape');
    await ui.waitFor(/Tasks · 0 running/);
  }, 60_000);

  it('says the daemon is gone when it stops, and shows it again when it is back', async () => {
    const ui = await openTui();
    await ui.waitFor('connected');
    expect((await cli('daemon', 'stop')).code).toBe(0);
    await ui.waitFor('disconnected');
    expect((await cli('daemon', 'start')).code).toBe(0);
    await ui.waitFor(/● connected/, 15_000);
    // burst was started with s above and never stopped by the user: the new daemon brings it back (agent-restore).
    await ui.waitFor(/› burst +running/);
  }, 60_000);
});

describe('without a terminal', () => {
  it('prints the help instead of opening the TUI', async () => {
    const { code, stdout } = await cli();
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: opperator');
    expect(stdout).toContain('agent');
  });
});
