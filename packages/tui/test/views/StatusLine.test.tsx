import { afterAll, describe, expect, it, vi } from 'vitest';
// Before Ink (and its chalk) load: see force-color.ts.
const restoreEnv = await vi.hoisted(async () => (await import('../force-color.js')).forceTrueColor());
import { ESC, hasColor } from '../ansi.js';
import { StatusLine } from '../../src/views/StatusLine.js';
import { fitHints } from '../../src/views/key-hints.js';
import { frameOf, linesOf } from './render-frame.js';

afterAll(restoreEnv);

const hints = [
  { key: '?', label: 'help' },
  { key: 'q', label: 'quit' },
  { key: '/', label: 'commands' },
  { key: 'Tab', label: 'logs/tasks' },
];

describe('StatusLine', () => {
  it('shows the connection state on the left and the hints on the right', () => {
    const [line] = linesOf(frameOf(<StatusLine connection="connected" hints={hints} width={80} />));
    expect(line?.startsWith('● connected')).toBe(true);
    expect(line?.endsWith('? help  q quit  / commands  Tab logs/tasks')).toBe(true);
    expect([...(line ?? '')].length).toBe(80);
  });

  it('colours the state: connected green, connecting yellow, disconnected red; none with colour off', () => {
    expect(frameOf(<StatusLine connection="connected" width={40} />)).toContain(`${ESC}[32m● connected`);
    expect(frameOf(<StatusLine connection="connecting" width={40} />)).toContain(`${ESC}[33m● connecting`);
    expect(frameOf(<StatusLine connection="disconnected" width={40} />)).toContain(`${ESC}[31m● disconnected`);
    expect(hasColor(frameOf(<StatusLine connection="disconnected" error="boom" hints={hints} width={40} />, { color: false }))).toBe(false);
  });

  it('drops hints from the end when the line is too narrow', () => {
    const [line] = linesOf(frameOf(<StatusLine connection="connected" hints={hints} width={40} />));
    expect(line).toMatch(/^● connected +\? help {2}q quit {2}\/ commands$/);
    expect([...(line ?? '')].length).toBe(40);
    // Narrower than the state and help and quit: the state keeps its coloured dot, help and quit stay.
    const [narrow] = linesOf(frameOf(<StatusLine connection="connected" hints={hints} width={20} />));
    expect(narrow).toMatch(/^● +\? help {2}q quit$/);
    expect([...(narrow ?? '')].length).toBe(20);
  });

  it('shows the error, cut to what the hints leave, on one row', () => {
    const error = 'Cannot reach the daemon at /run/opperator.sock: start it with `opperator daemon start`';
    const lines = linesOf(frameOf(<StatusLine connection="disconnected" error={error} hints={hints} width={80} />));
    expect(lines).toHaveLength(1);
    expect(lines[0]?.startsWith('● disconnected  Cannot reach the daemon')).toBe(true);
    expect(lines[0]).toContain('…');
    expect(lines[0]).toContain('? help');
    expect([...(lines[0] ?? '')].length).toBeLessThanOrEqual(80);
    const roomy = linesOf(frameOf(<StatusLine connection="disconnected" error="daemon stopped" hints={hints} width={100} />, { columns: 100 }));
    expect(roomy[0]).toMatch(/^● disconnected {2}daemon stopped +\? help {2}q quit {2}\/ commands {2}Tab logs\/tasks$/);
  });

  it('fitHints keeps the leading hints that fit, gaps included', () => {
    expect(fitHints(hints, 6)).toEqual([hints[0]]);
    expect(fitHints(hints, 14)).toEqual([hints[0], hints[1]]);
    expect(fitHints(hints, 5)).toEqual([]);
  });
});
