import { afterAll, describe, expect, it, vi } from 'vitest';
// Before Ink (and its chalk) load: see force-color.ts.
const restoreEnv = await vi.hoisted(async () => (await import('../force-color.js')).forceTrueColor());
import { Box, Text } from 'ink';
import stringWidth from 'string-width';
import { STATUS_HINTS } from '../../src/app/keymap.js';
import { AppLayout, type AppLayoutProps, type AppOverlay } from '../../src/views/AppLayout.js';
import { layoutSizes } from '../../src/views/layout-sizes.js';
import { wrappedRows } from '../../src/views/text-fit.js';
import type { AgentRow, CommandRow, LogEntry, SectionRow, TaskRow } from '../../src/state/types.js';
import { frameOf, linesOf } from './render-frame.js';
import { WIDE_SAMPLES } from './wide-samples.js';

afterAll(restoreEnv);

// Agent names, section titles and commands with wide characters: the layout
// must stay aligned as Ink (string-width) counts columns. With the old table,
// "🚀 deploy" was counted 8 columns (Ink: 9) and "👩‍💻" 5 (Ink: 2).
const agents: AgentRow[] = [
  { name: '🚀 deploy', description: '日本語の説明 with 👩‍💻 and 🇫🇷 flags', state: 'running', pid: 1, restarts: 0 },
  { name: 'café-👍🏽', description: 'combining cafe\u0301 and a skin tone', state: 'stopped', pid: null, restarts: 2 },
  { name: '請求書モニター日本語の長い名前', description: 'CJK name', state: 'crashed', pid: null, restarts: 0 },
];

const sections: SectionRow[] = [
  {
    id: 'inbox',
    title: '📬 Inbox 日本語 👩‍💻 and a title long enough to be cut',
    content: "<c fg='green'>✅ 3 unread</c> 👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻\n日本語のテキストがここにあります。日本語のテキストがここにあります。\n🇫🇷🇯🇵🇺🇸🇫🇷🇯🇵🇺🇸🇫🇷🇯🇵🇺🇸🇫🇷🇯🇵🇺🇸🇫🇷 👍🏽👍🏿 cafe\u0301",
    collapsed: false,
    updatedAt: 0,
  },
  { id: 'status', title: '🚀 Status', content: '✓ Running', collapsed: false, updatedAt: 0 },
];

const tasks: TaskRow[] = [
  { id: 't1', agent: '🚀 deploy', command: 'déploy_🚀', state: 'failed', progress: {}, error: { message: '失敗しました 👩‍💻 the deploy failed because of reasons' }, createdAt: 1, updatedAt: 2 },
  { id: 't2', agent: '🚀 deploy', command: 'sync_日本語', state: 'running', progress: { text: '日本語 progress 👩‍💻 text that is long enough to be cut', progress: 0.3 }, createdAt: 3, updatedAt: 3 },
  { id: 't3', agent: '🚀 deploy', command: '👨‍👩‍👧‍👦_family', state: 'succeeded', progress: {}, result: { 件数: 3, flag: '🇫🇷' }, createdAt: 4, updatedAt: 5 },
];

const logs: LogEntry[] = WIDE_SAMPLES.map((message, i) => ({ time: i * 1000, level: i % 3 === 0 ? '警告' : 'info', source: 'agent', message: `${message} ${'日本語 '.repeat(i)}` }));

const commands: CommandRow[] = [
  { name: 'check_invoices', description: '請求書を確認する 📬', async: false },
  { name: 'deploy_🚀', title: '🚀 Deploy', description: 'ships 👩‍💻 code', async: true, arguments: [{ name: '環境', type: 'string', required: true }] },
];

const overlays: AppOverlay[] = [
  { kind: 'none' },
  { kind: 'help', bindings: [...STATUS_HINTS, { key: '日本', label: '日本語のヘルプ 👩‍💻' }, { key: '🚀', label: 'deploy 🇫🇷' }] },
  { kind: 'confirm', question: 'Stop 🚀 deploy (日本語)?' },
  { kind: 'palette', commands, input: '/de', selectedIndex: 0, agent: '🚀 deploy', error: '環境: required 👩‍💻' },
  { kind: 'secrets', agent: '🚀 deploy', names: ['日本語_token', 'deploy_🚀_key'], focusedIndex: 1, typedLengths: { 日本語_token: 4 }, status: { kind: 'error', text: 'キーリング locked 🔒' } },
  { kind: 'task', task: tasks[2]!, scrollTop: 0 },
];

const base = (width: number, height: number): AppLayoutProps => ({
  width,
  height,
  connection: 'connected',
  hints: STATUS_HINTS,
  agents,
  selectedAgent: '🚀 deploy',
  sections,
  focusedSectionId: 'inbox',
  tasks,
  selectedTaskId: 't2',
  spinnerFrame: '⠋',
  logs,
  logView: { follow: true },
  mainPane: 'logs',
  focus: 'main',
});

/** The column (as Ink counts them) where `char` first appears in `line`, or -1. */
function columnOf(line: string, char: string): number {
  const index = line.indexOf(char);
  return index < 0 ? -1 : stringWidth(line.slice(0, index));
}

/** Renders the layout at its size; every line fits and the pane rule is in one column. */
function expectAligned(props: AppLayoutProps): string[] {
  const lines = linesOf(frameOf(<AppLayout {...props} />, { columns: props.width, rows: props.height }));
  if (process.env.SHOW_FRAMES) console.log(lines.map((line) => `${String(stringWidth(line)).padStart(3)}|${line}`).join('\n'));
  const { bodyRows, leftColumns } = layoutSizes(props.width, props.height, props.agents.length);
  expect(lines).toHaveLength(props.height);
  for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(props.width);
  for (const line of lines.slice(0, bodyRows)) expect(columnOf(line, '│'), line).toBe(leftColumns);
  return lines;
}

describe('the layout with wide characters in names, titles and commands', () => {
  for (const [width, height] of [
    [80, 24],
    [120, 35],
  ] as const) {
    for (const overlay of overlays) {
      for (const mainPane of ['logs', 'tasks'] as const) {
        it(`stays aligned at ${width}×${height}, ${mainPane} pane, overlay ${overlay.kind}`, () => {
          const lines = expectAligned({ ...base(width, height), mainPane, overlay });
          const { leftColumns } = layoutSizes(width, height, agents.length);
          // A bordered overlay's right border is the last column of the screen.
          for (const line of lines) {
            const main = line.slice(line.indexOf('│') + 1);
            if (/^[╭╰]/.test(main) || (overlay.kind !== 'none' && overlay.kind !== 'confirm' && /^│/.test(main))) {
              expect(stringWidth(line), line).toBe(width);
              expect(main.at(-1), line).toMatch(/[╮╯│]/);
            }
          }
          expect(columnOf(lines[0]!, '│')).toBe(leftColumns);
          const status = lines[height - 1]!;
          expect(status).toContain('? help');
          expect(status).toContain('q quit');
        });
      }
    }
  }

  it('cuts a wide agent name, section title and the sidebar header with … inside the left column', () => {
    const lines = expectAligned(base(80, 24));
    const left = lines.map((line) => line.slice(0, line.indexOf('│')));
    expect(left[1]).toMatch(/^› 🚀 deploy running/);
    expect(left[3]).toMatch(/^ {2}請求書モニ.*… crashed/);
    expect(left[4]).toMatch(/^Sections · 🚀 deploy/);
    expect(left[5]).toMatch(/^▾ 📬 Inbox 日本語 👩‍💻 an.*…$/);
    // The section's content is wrapped by columns, whole characters, nothing lost.
    const content = left.slice(6).join('').replace(/\s+/g, '');
    expect(content).toContain('日本語のテキストがここにあります。日本語のテキストがここにあります。');
    expect(content).toContain('👩‍💻'.repeat(12));
    expect(content).toContain('🇫🇷🇯🇵🇺🇸🇫🇷🇯🇵🇺🇸🇫🇷🇯🇵🇺🇸🇫🇷🇯🇵🇺🇸🇫🇷');
  });

  it('shows a wide command in the tasks pane, its outcome cut to the pane', () => {
    const lines = expectAligned({ ...base(120, 35), mainPane: 'tasks' });
    const main = lines.map((line) => line.slice(line.indexOf('│') + 1));
    expect(main.some((line) => line.includes('sync_日本語'))).toBe(true);
    expect(main.some((line) => /✗ déploy_🚀 {2}失敗しました 👩‍💻/.test(line))).toBe(true);
    expect(main.some((line) => line.includes('✓ 👨‍👩‍👧‍👦_family'))).toBe(true);
  });
});

describe('wrappedRows', () => {
  it.each(WIDE_SAMPLES)('counts the rows Ink wraps %j into', (text) => {
    for (const width of [3, 4, 5, 7, 10, 16]) {
      const lines = linesOf(frameOf(<Box width={width} flexDirection="column"><Text>{text}</Text></Box>, { columns: 40 }));
      while (lines.length > 0 && lines.at(-1) === '') lines.pop();
      expect(wrappedRows(text, width), `${width}: ${lines.join(' | ')}`).toBe(lines.length);
    }
  });
});
