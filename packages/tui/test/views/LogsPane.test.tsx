import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
// Before Ink (and its chalk) load: see force-color.ts.
const restoreEnv = await vi.hoisted(async () => (await import('../force-color.js')).forceTrueColor());
import { ESC, hasColor } from '../ansi.js';
import { LogsPane } from '../../src/views/LogsPane.js';
import { filterLogs, formatLogTime, levelRank, logText, splitMatches } from '../../src/views/log-lines.js';
import type { LogEntry } from '../../src/state/types.js';
import { frameOf, linesOf, shownLinesOf } from './render-frame.js';

// The frames show times of "today": formatHumanTime adds the date to a time of another day.
beforeAll(() => { vi.useFakeTimers({ toFake: ['Date'] }); vi.setSystemTime(new Date(2024, 0, 1, 13)); });
afterAll(() => { vi.useRealTimers(); });

afterAll(restoreEnv);

const at = (seconds: number): number => new Date(2024, 0, 1, 12, 0, seconds).getTime();
const entry = (seconds: number, level: LogEntry['level'], message: string, extra: Partial<LogEntry> = {}): LogEntry => ({
  time: at(seconds),
  level,
  source: 'agent',
  message,
  ...extra,
});

const entries: LogEntry[] = [
  entry(1, 'debug', 'tick'),
  entry(2, 'info', 'polling', { fields: { folder: 'INBOX' } }),
  entry(3, 'warning', 'Gmail slow'),
  entry(4, 'error', 'gmail request failed', { fields: { status: 503 } }),
  entry(5, 'info', 'Traceback …', { source: 'stderr' }),
];

describe('LogsPane', () => {
  it('shows time, level and message with fields as compact JSON, following the end', () => {
    expect(shownLinesOf(frameOf(<LogsPane entries={entries} width={70} height={10} follow />))).toEqual([
      'Logs · follow · ≥debug',
      '12:00:01 DEBUG tick',
      '12:00:02 INFO  polling {"folder":"INBOX"}',
      '12:00:03 WARN  Gmail slow',
      '12:00:04 ERROR gmail request failed {"status":503}',
      '12:00:05 INFO  [stderr] Traceback …',
    ]);
  });

  it('colours levels: error red, warning yellow, debug gray; none with colour off', () => {
    const frame = frameOf(<LogsPane entries={entries} width={70} height={10} follow />);
    expect(frame).toContain(`${ESC}[31mERROR`);
    expect(frame).toContain(`${ESC}[33mWARN`);
    expect(frame).toContain(`${ESC}[90mDEBUG`);
    expect(hasColor(frameOf(<LogsPane entries={entries} width={70} height={10} follow />, { color: false }))).toBe(false);
  });

  it('follow shows the last lines that fit', () => {
    const many = Array.from({ length: 50 }, (_, i) => entry(i, 'info', `line ${i}`));
    const lines = linesOf(frameOf(<LogsPane entries={many} width={40} height={5} follow />));
    expect(lines).toEqual(['Logs · follow · ≥debug', '12:00:46 INFO  line 46', '12:00:47 INFO  line 47', '12:00:48 INFO  line 48', '12:00:49 INFO  line 49']);
  });

  it('paused, shows from the scroll offset, clamped at the end, and says where it is', () => {
    const many = Array.from({ length: 50 }, (_, i) => entry(i, 'info', `line ${i}`));
    expect(linesOf(frameOf(<LogsPane entries={many} width={40} height={4} follow={false} scrollTop={10} />))).toEqual([
      'Logs · paused 11–13 of 50 · ≥debug',
      '12:00:10 INFO  line 10',
      '12:00:11 INFO  line 11',
      '12:00:12 INFO  line 12',
    ]);
    expect(linesOf(frameOf(<LogsPane entries={many} width={40} height={4} follow={false} scrollTop={999} />))[3]).toBe('12:00:49 INFO  line 49');
  });

  it('filters by minimum level', () => {
    expect(shownLinesOf(frameOf(<LogsPane entries={entries} width={70} height={10} follow minLevel="warning" />))).toEqual([
      'Logs · follow · ≥warning',
      '12:00:03 WARN  Gmail slow',
      '12:00:04 ERROR gmail request failed {"status":503}',
    ]);
  });

  it('searches case-insensitively, in message and fields, and highlights the matches', () => {
    const frame = frameOf(<LogsPane entries={entries} width={70} height={10} follow search="GMAIL" />);
    expect(shownLinesOf(frame)).toEqual([
      'Logs · follow · ≥debug · search "GMAIL" (2)',
      '12:00:03 WARN  Gmail slow',
      '12:00:04 ERROR gmail request failed {"status":503}',
    ]);
    expect(frame).toContain(`${ESC}[7mGmail${ESC}[27m`);
    expect(frame).toContain(`${ESC}[7mgmail${ESC}[27m`);
    expect(shownLinesOf(frameOf(<LogsPane entries={entries} width={70} height={10} follow search="503" />))[1]).toContain('{"status":503}');
  });

  it('says when nothing matches, and when there are no logs', () => {
    expect(shownLinesOf(frameOf(<LogsPane entries={entries} width={70} height={5} follow search="zzz" />))[1]).toBe('No lines match.');
    expect(shownLinesOf(frameOf(<LogsPane entries={[]} width={70} height={5} follow />))[1]).toBe('No logs yet.');
  });

  it('keeps one row per entry: long and multi-line messages are cut, control characters defused', () => {
    const odd = [entry(1, 'info', `first\nsecond ${'x'.repeat(200)}`), entry(2, 'info', 'a\u001b[2Jb')];
    const frame = frameOf(<LogsPane entries={odd} width={50} height={5} follow />);
    const lines = linesOf(frame);
    expect(lines).toHaveLength(5);
    expect(lines[1]?.startsWith('12:00:01 INFO  first ↵ second xxx')).toBe(true);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(50);
    expect(frame).not.toContain('\u001b[2J');
  });
});

describe('log helpers', () => {
  it('levelRank orders levels and treats unknown ones as info', () => {
    expect(['debug', 'info', 'warning', 'warn', 'error', 'ERROR', 'stdout'].map(levelRank)).toEqual([0, 1, 2, 2, 3, 3, 1]);
  });

  it('formatLogTime pads, and survives a bad time', () => {
    expect(formatLogTime(new Date(2024, 0, 1, 9, 5, 7).getTime())).toBe('09:05:07');
    expect(formatLogTime(new Date(2024, 0, 1, 9, 5, 7).getTime(), new Date(2024, 0, 2, 9).getTime())).toBe('2024-01-01 09:05:07');
    expect(formatLogTime(Number.NaN)).toBe('--:--:--');
  });

  it('filterLogs applies level and search together; logText adds source and fields', () => {
    expect(filterLogs(entries, 'info', 'inbox').map((e) => e.message)).toEqual(['polling']);
    expect(logText(entries[4] as LogEntry)).toBe('[stderr] Traceback …');
  });

  it('splitMatches keeps the text’s case', () => {
    expect(splitMatches('Gmail says gmail', 'GMAIL')).toEqual([
      { text: 'Gmail', match: true },
      { text: ' says ', match: false },
      { text: 'gmail', match: true },
    ]);
    expect(splitMatches('abc', '')).toEqual([{ text: 'abc', match: false }]);
  });
});
