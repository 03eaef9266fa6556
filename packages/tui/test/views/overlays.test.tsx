import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
// Before Ink (and its chalk) load: see force-color.ts.
const restoreEnv = await vi.hoisted(async () => (await import('../force-color.js')).forceTrueColor());
import { ESC, hasColor } from '../ansi.js';
import { CommandPalette } from '../../src/views/CommandPalette.js';
import { ConfirmDialog } from '../../src/views/ConfirmDialog.js';
import { HelpOverlay } from '../../src/views/HelpOverlay.js';
import { TaskDetail, taskDetailMaxTop } from '../../src/views/TaskDetail.js';
import { mask, SecretForm } from '../../src/views/SecretForm.js';
import { argumentHints, commandQuery, filterCommands } from '../../src/views/command-filter.js';
import type { CommandRow, TaskRow } from '../../src/state/types.js';
import { frameOf, linesOf, shownLinesOf, textOf } from './render-frame.js';

// The frames show times of "today": formatHumanTime adds the date to a time of another day.
beforeAll(() => { vi.useFakeTimers({ toFake: ['Date'] }); vi.setSystemTime(Date.UTC(2026, 0, 1, 13)); });
afterAll(() => { vi.useRealTimers(); });

afterAll(restoreEnv);

const bindings = [
  { key: '↑↓', label: 'select agent' },
  { key: 'Tab', label: 'switch pane' },
  { key: '/', label: 'commands' },
  { key: 's', label: 'start/stop' },
  { key: 'r', label: 'restart' },
  { key: 'Ctrl+C', label: 'quit' },
];

describe('HelpOverlay', () => {
  it('lists every binding in a box, keys aligned', () => {
    expect(shownLinesOf(frameOf(<HelpOverlay bindings={bindings} width={40} />))).toEqual([
      '╭──────────────────────────────────────╮',
      '│ Keys                                 │',
      '│ ↑↓     select agent                  │',
      '│ Tab    switch pane                   │',
      '│ /      commands                      │',
      '│ s      start/stop                    │',
      '│ r      restart                       │',
      '│ Ctrl+C quit                          │',
      '│ Esc or ? to close                    │',
      '╰──────────────────────────────────────╯',
    ]);
  });

  it('flows into columns rather than leaving any binding out when short of rows', () => {
    const text = textOf(frameOf(<HelpOverlay bindings={bindings} width={60} height={7} />));
    for (const binding of bindings) expect(text).toContain(binding.label);
    expect(shownLinesOf(frameOf(<HelpOverlay bindings={bindings} width={60} height={7} />)).length).toBeLessThanOrEqual(7);
  });
});

describe('ConfirmDialog', () => {
  it('asks with y/n', () => {
    expect(shownLinesOf(frameOf(<ConfirmDialog question="Stop invoice-monitor?" width={40} />))[1]).toBe('│ Stop invoice-monitor? y/n            │');
  });
});

const commands: CommandRow[] = [
  { name: 'check_now', title: 'Check now', description: 'Check the inbox now', async: true },
  { name: 'authorize', description: 'Sign in to Gmail', async: true, arguments: [{ name: 'device', type: 'boolean' }] },
  { name: 'reauthorize', async: true },
  { name: 'label', description: 'Label a message', async: false, arguments: [{ name: 'name', type: 'string', required: true }, { name: 'color', type: 'string' }] },
  { name: 'debug_dump', async: false, hidden: true },
];

describe('CommandPalette', () => {
  it('shows the input, every visible command with argument hints, the selected one marked', () => {
    const frame = frameOf(<CommandPalette commands={commands} input="/" selectedIndex={1} width={70} agent="invoice-monitor" />);
    expect(shownLinesOf(frame).slice(1, -1)).toEqual([
      '│ Commands of invoice-monitor                                        │',
      '│ /                                                                  │',
      '│   check_now  Check now — Check the inbox now                       │',
      '│ › authorize [device:boolean]  Sign in to Gmail                     │',
      '│   reauthorize                                                      │',
      '│   label <name:string> [color:string]  Label a message              │',
      '│ ↑↓ select · Enter run · Esc close                                  │',
    ]);
    expect(textOf(frame)).not.toContain('debug_dump');
    expect(frame.split('\n')[4]).toContain(`${ESC}[7m`);
  });

  it('filters by the typed name, prefix matches first, ignoring the arguments', () => {
    const lines = shownLinesOf(frameOf(<CommandPalette commands={commands} input="/auth device=true" selectedIndex={0} width={60} />));
    const rows = lines.filter((line) => line.includes('authorize'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^│ › authorize \[device:boolean\]/);
    expect(rows[1]).toMatch(/^│ {3}reauthorize /);
    expect(lines.some((line) => line.includes('check_now'))).toBe(false);
    expect(textOf(frameOf(<CommandPalette commands={commands} input="/zzz" selectedIndex={0} width={60} />))).toContain('No matching commands.');
  });

  it('shows an error line for invalid arguments', () => {
    const frame = frameOf(<CommandPalette commands={commands} input="/label" selectedIndex={0} width={60} error="name: required (string)" />);
    expect(textOf(frame)).toContain('✗ name: required (string)');
    expect(frame).toContain(`${ESC}[31m✗ name`);
  });

  it('scrolls the list within its height', () => {
    const many: CommandRow[] = Array.from({ length: 30 }, (_, i) => ({ name: `cmd_${String(i).padStart(2, '0')}`, async: false }));
    const lines = linesOf(frameOf(<CommandPalette commands={many} input="" selectedIndex={20} width={40} height={10} />));
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(lines.some((line) => line.includes('› cmd_20'))).toBe(true);
    expect(lines.some((line) => line.includes('↑'))).toBe(true);
  });

  it('helpers: the query, the filter, the hints', () => {
    expect(commandQuery('  /Check now')).toBe('Check');
    expect(filterCommands(commands, 'check').map((c) => c.name)).toEqual(['check_now']);
    expect(filterCommands(commands, 'CHECK NOW').map((c) => c.name)).toEqual(['check_now']);
    expect(filterCommands(commands, '').map((c) => c.name)).toEqual(['check_now', 'authorize', 'reauthorize', 'label']);
    expect(argumentHints(commands[3] as CommandRow)).toBe('<name:string> [color:string]');
  });
});

describe('SecretForm', () => {
  const names = ['invoice_monitor_gmail_client_id', 'invoice_monitor_gmail_client_secret'];

  it('shows one field per missing secret, the typed characters as bullets only, and the keys', () => {
    const frame = frameOf(<SecretForm agent="invoice-monitor" names={names} focusedIndex={1} typedLengths={{ [names[1] as string]: 6 }} width={70} />);
    expect(shownLinesOf(frame).slice(1, -1)).toEqual([
      '│ Secrets for invoice-monitor                                        │',
      '│   invoice_monitor_gmail_client_id                                  │',
      '│ › invoice_monitor_gmail_client_secret  ••••••                      │',
      '│ Enter to save, Esc to cancel                                       │',
    ]);
  });

  it('never renders a value: the view is only given how many characters were typed', () => {
    // The form's props have no place for a value; the mask is the only thing drawn for it.
    const secret = 'GOCSPX-abc123-very-secret';
    const frame = frameOf(<SecretForm agent="a" names={['token']} focusedIndex={0} typedLengths={{ token: secret.length }} width={60} />);
    expect(frame).not.toContain('GOCSPX');
    expect(textOf(frame)).toContain('•'.repeat(secret.length));
    expect(textOf(frame)).not.toMatch(/[A-Za-z0-9]{6,}•/);
  });

  it('cuts a very long value’s mask with its length, staying on one row', () => {
    const lines = linesOf(frameOf(<SecretForm agent="a" names={['token']} focusedIndex={0} typedLengths={{ token: 5000 }} width={40} />));
    expect(lines).toHaveLength(5);
    expect(lines[2]).toContain('(5000) •');
    expect(mask(3, 10)).toBe('•••');
    expect(mask(500, 20)).toBe(`(500) ${'•'.repeat(14)}`);
  });

  it('shows saved fields and the status: saved green, error red', () => {
    const saved = frameOf(
      <SecretForm agent="a" names={names} focusedIndex={1} typedLengths={{}} saved={[names[0] as string]} width={70} status={{ kind: 'saved', text: `Saved ${names[0]}` }} />,
    );
    expect(textOf(saved)).toMatch(/ {3}invoice_monitor_gmail_client_id +✓ saved/);
    expect(saved).toContain(`${ESC}[32mSaved invoice_monitor_gmail_client_id`);
    const failed = frameOf(<SecretForm agent="a" names={names} focusedIndex={0} typedLengths={{}} width={70} status={{ kind: 'error', text: 'Keyring locked' }} />);
    expect(failed).toContain(`${ESC}[31mKeyring locked`);
    expect(hasColor(frameOf(<SecretForm agent="a" names={names} focusedIndex={0} typedLengths={{}} width={70} status={{ kind: 'error', text: 'x' }} />, { color: false }))).toBe(false);
  });
});

describe('TaskDetail', () => {
  const base = { id: 't1', agent: 'a', command: 'check_now', progressLabel: 'Checking Gmail', progress: {}, createdAt: Date.UTC(2026, 0, 1, 12), updatedAt: Date.UTC(2026, 0, 1, 12) + 2_500 };
  const result = { unread: 3, messages: Array.from({ length: 12 }, (_, i) => ({ id: `m${i}`, subject: `Invoice ${i}` })) };
  const succeeded: TaskRow = { ...base, state: 'succeeded', args: { folder: 'INBOX' }, result };

  it('shows what ran and the whole result as indented JSON, not the one truncated line of the tasks pane', () => {
    const text = textOf(frameOf(<TaskDetail task={succeeded} width={60} height={80} scrollTop={0} />));
    expect(text).toContain('Checking Gmail');
    expect(text).toContain('command  check_now');
    expect(text).toContain('args     {"folder":"INBOX"}');
    expect(text).toMatch(/ended +\d\d:\d\d:\d\d \(2\.5 s\)/);
    expect(text).toContain('"subject": "Invoice 11"');
    expect(text).not.toContain('lines 1–');
  });

  it('scrolls a result taller than the box, saying where it is, within exact rows and columns', () => {
    const max = taskDetailMaxTop(succeeded, 60, 20);
    expect(max).toBeGreaterThan(0);
    const top = linesOf(frameOf(<TaskDetail task={succeeded} width={60} height={20} scrollTop={0} />));
    const end = linesOf(frameOf(<TaskDetail task={succeeded} width={60} height={20} scrollTop={max} />));
    for (const lines of [top, end]) {
      expect(lines).toHaveLength(20);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    }
    expect(top.join('\n')).toMatch(/lines 1–17 of \d+/);
    expect(end.join('\n')).toContain('"subject": "Invoice 11"');
    expect(linesOf(frameOf(<TaskDetail task={succeeded} width={60} height={20} scrollTop={max + 10} />))).toEqual(end);
  });

  it('shows a failure’s code and whole message in red, wrapped rather than cut', () => {
    const message = `The refresh token was revoked. ${'Sign in again to continue. '.repeat(4)}Run: opperator agent invoke a authorize_gmail`;
    const failed: TaskRow = { ...base, state: 'failed', error: { code: 'OAUTH_REFRESH_FAILED', message } };
    const frame = frameOf(<TaskDetail task={failed} width={50} height={30} scrollTop={0} />);
    expect(textOf(frame)).toContain('Error OAUTH_REFRESH_FAILED');
    expect(textOf(frame).replace(/[│\s]+/g, '')).toContain(message.replace(/\s+/g, ''));
    expect(frame).toContain(`${ESC}[31m`);
  });

  it('shows a running task’s latest progress, and a cancelled one as cancelled', () => {
    const running: TaskRow = { ...base, state: 'running', progress: { text: 'Waiting for the browser', progress: 0.5 } };
    expect(textOf(frameOf(<TaskDetail task={running} width={60} height={20} scrollTop={0} />))).toMatch(/50%[\s\S]*Waiting for the browser/);
    expect(textOf(frameOf(<TaskDetail task={{ ...base, state: 'cancelled' }} width={60} height={20} scrollTop={0} />))).toContain('Cancelled');
  });
});

