import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
// Before Ink (and its chalk) load: see force-color.ts.
const restoreEnv = await vi.hoisted(async () => (await import('../force-color.js')).forceTrueColor());
import { ESC, hasColor } from '../ansi.js';
import { AppLayout, type AppLayoutProps, type AppOverlay } from '../../src/views/AppLayout.js';
import { layoutSizes } from '../../src/views/layout-sizes.js';
import { NO_AGENTS_TEXT } from '../../src/views/AgentList.js';
import type { AgentRow, CommandRow, LogEntry, SectionRow, TaskRow } from '../../src/state/types.js';
import { frameOf, linesOf } from './render-frame.js';

// The frames show times of "today": formatHumanTime adds the date to a time of another day.
beforeAll(() => { vi.useFakeTimers({ toFake: ['Date'] }); vi.setSystemTime(new Date(2024, 0, 1, 13)); });
afterAll(() => { vi.useRealTimers(); });

afterAll(restoreEnv);

const agents: AgentRow[] = [
  { name: 'invoice-monitor', description: 'Watches Gmail for unread invoices', state: 'running', pid: 42, restarts: 0 },
  { name: 'github-watch', description: 'Watches pull requests', state: 'crashed', pid: null, restarts: 5 },
  { name: 'syncer', description: '', state: 'stopped', pid: null, restarts: 0 },
];

const sections: SectionRow[] = [
  { id: 'auth', title: 'Gmail Authentication', content: "<c fg='green'>✓ Authenticated</c>\n<b>Account:</b> someone-with-a-long-address@example.com", collapsed: false, updatedAt: 0 },
  { id: 'stats', title: 'Inbox', content: Array.from({ length: 30 }, (_, i) => `<b>Line ${i}:</b> value`).join('\n'), collapsed: false, updatedAt: 0 },
  { id: 'help', title: 'Help', content: 'Run /check_now', collapsed: true, updatedAt: 0 },
];

const url = 'https://127.0.0.1:40123/device?user_code=ABCD-EFGH&client_id=opperator-invoice-monitor-with-a-long-id';
const tasks: TaskRow[] = [
  { id: 't1', agent: 'invoice-monitor', command: 'check_now', state: 'succeeded', progress: {}, result: { unread: 3 }, createdAt: 1, updatedAt: 2 },
  { id: 't2', agent: 'invoice-monitor', command: 'authorize', progressLabel: 'Signing in', state: 'running', progress: { text: `Open ${url}` }, createdAt: 3, updatedAt: 3 },
  { id: 't3', agent: 'invoice-monitor', command: 'sync', state: 'running', progress: { text: 'page 2', progress: 0.4 }, createdAt: 4, updatedAt: 4 },
];

const logs: LogEntry[] = Array.from({ length: 200 }, (_, i) => ({
  time: new Date(2024, 0, 1, 12, 0, i % 60).getTime(),
  level: (['debug', 'info', 'warning', 'error'] as const)[i % 4] ?? 'info',
  source: 'agent',
  message: `message number ${i} ${'with some extra words '.repeat(i % 5)}`,
  fields: i % 3 === 0 ? { index: i, folder: 'INBOX' } : undefined,
}));

const commands: CommandRow[] = Array.from({ length: 25 }, (_, i) => ({
  name: `command_${i}`,
  description: `Does thing ${i}`,
  async: i % 2 === 0,
  arguments: [{ name: 'device', type: 'boolean' }],
}));

const hints = [
  { key: '?', label: 'help' },
  { key: 'Tab', label: 'logs/tasks' },
  { key: '/', label: 'commands' },
  { key: 's', label: 'start/stop' },
  { key: 'r', label: 'restart' },
  { key: 'q', label: 'quit' },
];

const base = (width: number, height: number): AppLayoutProps => ({
  width,
  height,
  connection: 'connected',
  hints,
  agents,
  selectedAgent: 'invoice-monitor',
  sections,
  focusedSectionId: 'stats',
  tasks,
  selectedTaskId: 't2',
  spinnerFrame: '⠋',
  logs,
  logView: { follow: true, minLevel: 'debug' },
  mainPane: 'logs',
  focus: 'main',
});

const overlays: AppOverlay[] = [
  { kind: 'none' },
  { kind: 'help', bindings: [...hints, ...hints.map((h) => ({ key: `Ctrl+${h.key}`, label: `${h.label} again` }))] },
  { kind: 'confirm', question: 'Stop invoice-monitor?' },
  { kind: 'palette', commands, input: '/command', selectedIndex: 12, error: 'device: expected a boolean', agent: 'invoice-monitor' },
  { kind: 'secrets', agent: 'invoice-monitor', names: ['invoice_monitor_gmail_client_id', 'invoice_monitor_gmail_client_secret'], focusedIndex: 0, typedLengths: { invoice_monitor_gmail_client_id: 300 }, status: { kind: 'error', text: 'Keyring locked: unlock it and try again' } },
];

/** Renders at a terminal of exactly the layout's size and checks it fits. */
function expectFits(props: AppLayoutProps, color = true): string[] {
  const frame = frameOf(<AppLayout {...props} />, { columns: props.width, rows: props.height, color });
  const lines = linesOf(frame);
  // SHOW_FRAMES=1 prints every frame, to look at the layout while changing it.
  if (process.env.SHOW_FRAMES) console.log(`${props.width}x${props.height} ${props.mainPane} ${props.overlay?.kind}\n${lines.join('\n')}`);
  expect(lines.length).toBeLessThanOrEqual(props.height);
  for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(props.width);
  return lines;
}

describe('AppLayout', () => {
  for (const [width, height] of [
    [80, 24],
    [120, 40],
  ] as const) {
    for (const overlay of overlays) {
      for (const mainPane of ['logs', 'tasks'] as const) {
        it(`fits ${width}×${height} with the ${mainPane} pane and overlay ${overlay.kind}`, () => {
          const lines = expectFits({ ...base(width, height), mainPane, overlay });
          expect(lines).toHaveLength(height);
          expect(lines[height - 1]?.startsWith('● connected')).toBe(true);
        });
      }
    }
  }

  it('at 80×24: agents and sections on the left, logs on the right, status at the bottom', () => {
    const lines = expectFits(base(80, 24));
    const sizes = layoutSizes(80, 24, agents.length);
    expect(sizes).toEqual({ bodyRows: 23, leftColumns: 24, mainColumns: 55, agentRows: 3, sidebarRows: 18 });
    expect(lines[0]).toMatch(/^Agents \(3\) +│Logs · follow · ≥debug$/);
    expect(lines[1]).toMatch(/^› invoice-monit… running│12:00:00 DEBUG message number 180/);
    expect(lines[4]).toMatch(/^Sections · invoice-moni…│/);
    expect(lines[5]).toMatch(/^▾ Gmail Authentication +│/);
    // The last log line is the newest entry; the sign-in URL takes the two rows after it.
    expect(lines[20]).toContain('message number 199');
    expect(lines[23]).toMatch(/^● connected +\? help {2}Tab logs\/tasks {2}\/ commands/);
  });

  it('shows a running task’s sign-in URL whole, on full-width rows above the status line, in any pane', () => {
    for (const mainPane of ['tasks', 'logs'] as const) {
      const wide = expectFits({ ...base(120, 40), mainPane });
      expect(wide[38]).toBe(url);
      expect(wide.filter((line) => line.includes('user_code'))).toHaveLength(mainPane === 'tasks' ? 2 : 1);
    }
    // Narrower than the URL: it wraps at column 0, so joining the rows gives it back.
    const narrow = expectFits(base(80, 24));
    expect(`${narrow[21]}${narrow[22]}`).toBe(url);
    expect(narrow[20]).toMatch(/│12:00:19 ERROR message number 199/);
  });

  it('the confirm dialog sits above the main pane', () => {
    const lines = expectFits({ ...base(80, 24), overlay: { kind: 'confirm', question: 'Stop invoice-monitor?' } });
    expect(lines[1]).toContain('Stop invoice-monitor? y/n');
    expect(lines[3]).toContain('Logs · follow');
  });

  it('fits small and odd sizes too', () => {
    for (const [width, height] of [
      [40, 10],
      [60, 15],
      [100, 30],
    ] as const) {
      for (const overlay of overlays) expectFits({ ...base(width, height), overlay });
    }
  });

  it('shows how to create an agent when there is none', () => {
    const lines = expectFits({ ...base(80, 24), agents: [], selectedAgent: undefined, sections: [], tasks: [], logs: [] });
    const left = lines.map((line) => line.split('│')[0]?.trim() ?? '').join(' ');
    expect(left.replace(/\s+/g, ' ')).toContain(NO_AGENTS_TEXT);
    expect(left).toContain('No agent selected.');
  });

  it('draws no colour with colour off (NO_COLOR)', () => {
    for (const overlay of overlays) {
      const frame = frameOf(<AppLayout {...base(80, 24)} overlay={overlay} connection="disconnected" error="daemon not running" />, {
        columns: 80,
        color: false,
      });
      expect(hasColor(frame)).toBe(false);
    }
    expect(hasColor(frameOf(<AppLayout {...base(80, 24)} />, { columns: 80 }))).toBe(true);
  });
});

// The finding: a stopped agent's section still said "✓ Running" (the
// daemon keeps what the agent last wrote), with nothing saying it is stale.
describe('AppLayout with a stopped agent', () => {
  const lastShown = new Date(2024, 0, 1, 9, 5, 30).getTime();
  const kept: SectionRow[] = [{ id: 'status', title: 'Status', content: "<c fg='green'>✓ Running</c>", collapsed: false, updatedAt: lastShown }];
  const left = (lines: string[], columns: number) => lines.map((line) => line.slice(0, columns).trimEnd()).join('\n');

  it.each([
    [80, 24],
    [120, 35],
  ])('says at %i×%i that its sections are as it last showed them', (width, height) => {
    for (const name of ['syncer', 'github-watch']) {
      const lines = linesOf(frameOf(<AppLayout {...base(width, height)} selectedAgent={name} sections={kept} focusedSectionId="status" />, { columns: width, rows: height }));
      const column = left(lines, layoutSizes(width, height, agents.length).leftColumns);
      const state = name === 'syncer' ? 'stopped' : 'crashed';
      expect(column.replace(/\s+/g, ' ')).toContain(`(agent ${state}; last shown 09:05:30)`);
      expect(column).toContain('✓ Running');
    }
  });

  it('says nothing of the kind for a running agent', () => {
    const lines = linesOf(frameOf(<AppLayout {...base(120, 35)} sections={kept} focusedSectionId="status" />, { columns: 120, rows: 35 }));
    expect(lines.join('\n')).not.toContain('last shown');
  });

  it.each([
    [80, 24],
    [120, 35],
  ])('draws a stopped agent’s sections dim at %i×%i, their colours off: its green “✓ Running” is not shown as current', (width, height) => {
    // The left column of the row with "✓ Running", without the style the pane rule starts with.
    const rowOf = (frame: string) => {
      const row = frame.split('\n').find((line) => line.includes('✓ Running')) ?? '';
      return row.slice(0, row.indexOf('│')).replace(new RegExp(`${ESC}\\[[0-9;]*m$`), '');
    };
    const stopped = rowOf(frameOf(<AppLayout {...base(width, height)} selectedAgent="syncer" sections={kept} />, { columns: width, rows: height }));
    expect(stopped).toContain(`${ESC}[2m`);
    expect(hasColor(stopped), JSON.stringify(stopped)).toBe(false);
    expect(hasColor(rowOf(frameOf(<AppLayout {...base(width, height)} sections={kept} />, { columns: width, rows: height })))).toBe(true);
  });
});
