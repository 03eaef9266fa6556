// The TUI findings, through the whole App at 80×24 and 120×35 (the
// size they were reported at), against an in-memory daemon at the TuiClient
// seam: a stopped agent's section still said "✓ Running" as if current; the
// key hints were cut after `s start`; after /check_invoices (a command
// without a task) nothing appeared in the tasks pane; a failed sign-in's task
// still read "Waiting for you to finish…".
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
// Before Ink (and its chalk) load: see force-color.ts.
const restoreEnv = await vi.hoisted(async () => (await import('../force-color.js')).forceTrueColor());
import stringWidth from 'string-width';
import { App } from '../../src/app/App.js';
import type { TuiClient } from '../../src/state/client.js';
import type { AgentRow, SectionRow, TaskRow } from '../../src/state/types.js';
import { ESC, hasColor, stripAnsi } from '../ansi.js';
import { renderSized, type SizedApp } from './sized-render.js';

afterAll(restoreEnv);

const at = new Date(2026, 0, 1, 9, 5, 30).getTime();
const agents: AgentRow[] = [
  { name: 'invoice-monitor', description: 'Watches Gmail for invoices', state: 'running', pid: 7, restarts: 0 },
  { name: 'github-watch', description: 'Watches pull requests', state: 'stopped', pid: null, restarts: 0 },
];
const sections: Record<string, SectionRow[]> = {
  'invoice-monitor': [{ id: 'inbox', title: '📬 Inbox', content: '3 unread', collapsed: false, updatedAt: at }],
  'github-watch': [{ id: 'status', title: 'Status', content: "<c fg='green'>✓ Running</c>", collapsed: false, updatedAt: at }],
};
const waiting = 'Open http://127.0.0.1:9440/device and enter the code WDJB-MJHT (valid until 12:34:56). Waiting for you to finish...';
const failedSignIn: TaskRow = {
  id: 'sign-in',
  agent: 'invoice-monitor',
  command: 'authorize_gmail',
  progressLabel: 'Signing in to Gmail',
  state: 'failed',
  progress: { text: waiting },
  error: { code: 'OAUTH_DEVICE_CODE_EXPIRED', message: 'the device code expired before you finished' },
  createdAt: at,
  updatedAt: at + 5_000,
};

function fakeDaemon(invokeAnswer: unknown): TuiClient {
  return {
    request: (async <T,>(method: string, params?: Record<string, unknown>, options?: { onEvent?: (event: never) => void }): Promise<T> => {
      const onEvent = options?.onEvent as ((event: Record<string, unknown>) => void) | undefined;
      if (method === 'watch' || method === 'agent.logs') {
        if (method === 'watch') onEvent?.({ agents });
        return new Promise<T>(() => undefined);
      }
      const answers: Record<string, unknown> = {
        'agent.sections': sections[String(params?.name)] ?? [],
        'task.list': [failedSignIn],
        'agent.commands': [{ name: 'check_invoices', description: 'Check the inbox for unread messages now', async: false }],
        'agent.invoke': invokeAnswer,
      };
      return answers[method] as T;
    }) as TuiClient['request'],
    close: () => undefined,
  };
}

let app: SizedApp | undefined;
afterEach(() => app?.unmount());

async function start(columns: number, rows: number, invokeAnswer: unknown = { ok: true, result: { unread: 3 } }) {
  const client = fakeDaemon(invokeAnswer);
  app = renderSized(<App connect={async () => client} />, columns, rows);
  const shown = app;
  const lines = () => stripAnsi(shown.lastFrame()).split('\n');
  const waitFor = async (check: (text: string) => boolean, what: string) => {
    for (let i = 0; i < 100; i++) {
      if (check(lines().join('\n'))) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`never showed ${what}:\n${lines().join('\n')}`);
  };
  const press = async (bytes: string) => {
    shown.press(bytes);
    await new Promise((resolve) => setTimeout(resolve, 50));
  };
  await waitFor((text) => text.includes('● connected') && text.includes('3 unread'), 'the agent and its section');
  return { lines, waitFor, press, raw: () => shown.lastFrame() };
}

/** Every line within the terminal, and exactly `rows` of them. */
function expectFits(lines: string[], columns: number, rows: number): void {
  expect(lines).toHaveLength(rows);
  for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(columns);
}

describe.each([
  [80, 24],
  [120, 35],
])('the TUI findings at %i×%i', (columns, rows) => {
  it('the key hints show help, quit, stop and restart', async () => {
    const { lines } = await start(columns, rows);
    expectFits(lines(), columns, rows);
    const status = lines().at(-1) ?? '';
    for (const hint of ['? help', 'q quit', 's start', 'x stop', 'r restart']) expect(status).toContain(hint);
  });

  it('a stopped agent’s section is dimmed under a note that says when it was last shown, never as current', async () => {
    const { lines, waitFor, press, raw } = await start(columns, rows);
    await press('j'); // the next agent: github-watch, stopped
    await waitFor((text) => text.includes('Sections · github-watch'), 'the stopped agent');
    expectFits(lines(), columns, rows);
    // The left column alone (the note wraps there).
    const text = lines()
      .map((line) => line.slice(0, line.indexOf('│')))
      .join(' ')
      .replace(/\s+/g, ' ');
    expect(text).toMatch(/\(agent stopped; last shown [^)]*09:05[^)]*\)/);
    expect(text.indexOf('(agent stopped')).toBeLessThan(text.indexOf('✓ Running'));
    // The note is drawn dim (SGR 2), and so is the section: its green "✓ Running" has no colour.
    expect(raw()).toMatch(new RegExp(`${ESC}\\[2m\\(agent stopped`));
    const running = raw().split('\n').find((line) => line.includes('✓ Running')) ?? '';
    const left = running.slice(0, running.indexOf('│')).replace(new RegExp(`${ESC}\\[[0-9;]*m$`), '');
    expect(left).toContain(`${ESC}[2m`);
    expect(hasColor(left)).toBe(false);
  });

  it('/check_invoices, a command without a task, appears in the tasks pane with its result', async () => {
    const { lines, waitFor, press } = await start(columns, rows);
    await press('/');
    await waitFor((text) => text.includes('check_invoices'), 'the palette');
    await press('check_invoices');
    await press('\r');
    await waitFor((text) => text.includes('✓ check_invoices'), 'the run in the tasks pane');
    expectFits(lines(), columns, rows);
    const text = lines().join('\n');
    expect(text).toMatch(/Tasks · 0 running · 2 done/);
    expect(text).toMatch(/› ✓ check_invoices {2}\{"unread":3\}/);
    // Its result on the status line too (cut at 80 columns, where the keys come first).
    expect(lines().at(-1)).toMatch(/check_invoices done: \{"u/);
  });

  it('/check_invoices that fails appears in the tasks pane with its error', async () => {
    const { lines, waitFor, press } = await start(columns, rows, { ok: false, error: { code: 'AGENT_COMMAND_FAILED', message: 'IMAP login refused' } });
    await press('/');
    await waitFor((text) => text.includes('check_invoices'), 'the palette');
    await press('check_invoices');
    await press('\r');
    await waitFor((text) => text.includes('✗ check_invoices'), 'the failed run in the tasks pane');
    expect(lines().join('\n')).toMatch(/✗ check_invoices {2}IMAP login refused/);
    expect(lines().at(-1)).toMatch(/check_invoices failed: IMAP/);
  });

  it('a failed sign-in’s task shows its error, never “Waiting for you to finish…”, in the pane and its details', async () => {
    const { lines, waitFor, press } = await start(columns, rows);
    await press('3'); // the main pane
    await press('\t'); // tasks
    await waitFor((text) => text.includes('Tasks · 0 running · 1 done'), 'the tasks pane');
    expectFits(lines(), columns, rows);
    expect(lines().join('\n')).toMatch(/✗ Signing in to Gmail {2}the device code expired/);
    await press('\r'); // its details
    await waitFor((text) => /state +failed/.test(text), 'the details');
    const text = lines().join('\n');
    expect(text).toContain('the device code expired before you finished');
    expect(text).not.toMatch(/Waiting for you|WDJB/);
  });
});
