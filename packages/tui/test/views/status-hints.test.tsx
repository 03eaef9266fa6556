import { afterAll, describe, expect, it, vi } from 'vitest';
// Before Ink (and its chalk) load: see force-color.ts.
const restoreEnv = await vi.hoisted(async () => (await import('../force-color.js')).forceTrueColor());
import { STATUS_HINTS } from '../../src/app/keymap.js';
import { StatusLine } from '../../src/views/StatusLine.js';
import { frameOf, linesOf } from './render-frame.js';

afterAll(restoreEnv);

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
});
