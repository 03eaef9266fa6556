import { afterAll, describe, expect, it, vi } from 'vitest';
// Before Ink (and its chalk) load: see force-color.ts.
const restoreEnv = await vi.hoisted(async () => (await import('../force-color.js')).forceTrueColor());
import stringWidth from 'string-width';
import { OVERLAY_HINTS, STATUS_HINTS } from '../../src/app/keymap.js';
import { AppLayout, type AppLayoutProps } from '../../src/views/AppLayout.js';
import { StatusLine } from '../../src/views/StatusLine.js';
import type { AgentRow, TaskRow } from '../../src/state/types.js';
import { frameOf, linesOf } from './render-frame.js';

afterAll(restoreEnv);

const longError = 'Cannot reach the daemon at /run/user/1000/opperator/daemon.sock: start it with `opperator daemon start`';

// The finding: at 120 columns the hints were cut after `s start`,
// so stop, restart, help and quit were never shown.
describe('the status line with the app hints', () => {
  it.each([80, 100, 120])('always shows help and quit at %i columns', (columns) => {
    const [line] = linesOf(frameOf(<StatusLine connection="connected" hints={STATUS_HINTS} width={columns} />, { columns }));
    expect(line).toContain('? help');
    expect(line).toContain('q quit');
    expect(line).toContain('s start');
  });

  it('shows stop and restart at 120 columns, and at 80 with an error', () => {
    const [wide] = linesOf(frameOf(<StatusLine connection="connected" hints={STATUS_HINTS} width={120} />, { columns: 120 }));
    expect(wide).toContain('x stop');
    expect(wide).toContain('r restart');
    const [narrow] = linesOf(frameOf(<StatusLine connection="disconnected" error="daemon not running: run opperator daemon start" hints={STATUS_HINTS} width={80} />, { columns: 80 }));
    expect(narrow).toContain('? help');
    expect(narrow).toContain('q quit');
  });

  it.each([17, 20, 27, 40, 80, 120])('adapts to %i columns: one row of that width, help and quit kept, with or without an error', (columns) => {
    for (const connection of ['connected', 'connecting', 'disconnected'] as const) {
      for (const error of [undefined, 'daemon stopped', longError]) {
        const lines = linesOf(frameOf(<StatusLine connection={connection} error={error} hints={STATUS_HINTS} width={columns} />, { columns }));
        expect(lines).toHaveLength(1);
        const line = lines[0] ?? '';
        expect(stringWidth(line), line).toBe(columns);
        expect(line, line).toMatch(/^●/);
        expect(line, line).toMatch(/\? help {2}q quit/);
      }
    }
  });

  it('shows the state’s word and the error while they fit beside help and quit, and gives them up in that order', () => {
    const at = (columns: number, error?: string) => linesOf(frameOf(<StatusLine connection="disconnected" error={error} hints={STATUS_HINTS} width={columns} />, { columns }))[0];
    expect(at(40)).toMatch(/^● disconnected +\? help {2}q quit$/);
    expect(at(40, longError)).toMatch(/^● disconnected {2}Cannot .*… {2}\? help {2}q quit$/);
    expect(at(120, longError)).toContain('Cannot reach the daemon');
    expect(at(120, longError)).toContain('? help  q quit  / commands');
    expect(at(20)).toMatch(/^● +\? help {2}q quit$/);
  });

  it('offers Esc and Ctrl+C while an overlay or a field has the keys (q and ? are typed there)', () => {
    for (const columns of [40, 80, 120]) {
      const [line] = linesOf(frameOf(<StatusLine connection="connected" hints={OVERLAY_HINTS} width={columns} />, { columns }));
      expect(line).toMatch(/^● connected +esc close {2}ctrl\+c quit$/);
    }
  });
});

// The status line stays under the sign-in strip (a task's sign-in page, or
// the paste field), with help and quit, at every width.
describe('the status line under a sign-in strip', () => {
  const agents: AgentRow[] = [{ name: 'invoice-monitor', description: 'Watches Gmail', state: 'running', pid: 1, restarts: 0 }];
  const page = 'https://accounts.example.test/o/oauth2/v2/auth?client_id=opperator-invoice-monitor&redirect_uri=http%3A%2F%2F127.0.0.1%3A43817%2Fcallback&scope=gmail.readonly&state=abcdefghijklmnop';
  const signIn: TaskRow = { id: 't1', agent: 'invoice-monitor', command: 'authorize_gmail', state: 'running', progress: { text: `Open ${page}`, openUrl: page }, createdAt: 1, updatedAt: 1 };
  const base = (width: number, height: number): AppLayoutProps => ({
    width,
    height,
    connection: 'connected',
    hints: STATUS_HINTS,
    agents,
    selectedAgent: 'invoice-monitor',
    sections: [],
    tasks: [signIn],
    logs: [],
    logView: { follow: true },
    mainPane: 'tasks',
  });
  const pasteField = { url: page, redirectUri: 'http://127.0.0.1:43817/callback', label: 'invoice-monitor authorize_gmail', text: 'http://127.0.0.1:43817/callback?code=abc' };

  for (const [width, height] of [
    [40, 20],
    [80, 24],
    [120, 35],
  ] as const) {
    it(`at ${width}×${height}: the task's strip, then the paste field's, above a status line with help and quit`, () => {
      const withTask = linesOf(frameOf(<AppLayout {...base(width, height)} />, { columns: width, rows: height }));
      expect(withTask).toHaveLength(height);
      expect(withTask.slice(0, -1).join('')).toContain(page.slice(0, width - 1));
      expect(withTask.at(-1)).toMatch(/^● connected +\? help {2}q quit/);
      const withField = linesOf(frameOf(<AppLayout {...base(width, height)} pasteField={pasteField} hints={OVERLAY_HINTS} />, { columns: width, rows: height }));
      expect(withField).toHaveLength(height);
      expect(withField.some((line) => line.startsWith('› http://127.0.0.1:4'))).toBe(true);
      expect(withField.at(-1)).toMatch(/^● connected +esc close {2}ctrl\+c quit$/);
      for (const line of [...withTask, ...withField]) expect(stringWidth(line), line).toBeLessThanOrEqual(width);
    });
  }
});
