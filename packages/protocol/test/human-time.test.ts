import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatHumanTime, UNKNOWN_HUMAN_TIME } from '../src/index.js';

// The time zone is read once per process: each case runs in a child with TZ set.
const moduleUrl = new URL('../src/human-time.ts', import.meta.url).href;
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

function formatIn(tz: string, time: number, options: { now?: number; zone?: boolean } = {}): string {
  const script = `import { formatHumanTime } from ${JSON.stringify(moduleUrl)}; process.stdout.write(formatHumanTime(${time}, ${JSON.stringify(options)}));`;
  return execFileSync(tsx, ['--eval', script], { env: { ...process.env, TZ: tz }, encoding: 'utf8' });
}

describe('formatHumanTime', () => {
  const at = Date.UTC(2026, 11, 5, 13, 4, 7); // 2026-12-05 13:04:07 UTC

  it('shows only the local clock for a time of today, in the process time zone', () => {
    expect(formatIn('UTC', at, { now: at + 60_000 })).toBe('13:04:07');
    expect(formatIn('Europe/Berlin', at, { now: at })).toBe('14:04:07');
    expect(formatIn('America/New_York', at, { now: at })).toBe('08:04:07');
  });

  it('adds the local date when the time is on another local day than now', () => {
    const nextDay = at + 24 * 3_600_000;
    expect(formatIn('UTC', at, { now: nextDay })).toBe('2026-12-05 13:04:07');
    // 23:30 UTC is already the next day in Tokyo; "today" is the local day of now.
    const lateUtc = Date.UTC(2026, 11, 5, 23, 30, 0);
    expect(formatIn('Asia/Tokyo', lateUtc, { now: Date.UTC(2026, 11, 6, 1, 0, 0) })).toBe('08:30:00');
    expect(formatIn('UTC', lateUtc, { now: Date.UTC(2026, 11, 6, 1, 0, 0) })).toBe('2026-12-05 23:30:00');
  });

  it('appends the UTC offset with zone, daylight saving included', () => {
    expect(formatIn('Europe/Berlin', at, { now: at, zone: true })).toBe('14:04:07 +01:00');
    const summer = Date.UTC(2026, 6, 1, 12, 0, 0);
    expect(formatIn('Europe/Berlin', summer, { now: summer, zone: true })).toBe('14:00:00 +02:00');
    expect(formatIn('America/St_Johns', at, { now: at, zone: true })).toBe('09:34:07 -03:30');
    expect(formatIn('UTC', at, { now: at + 86_400_000, zone: true })).toBe('2026-12-05 13:04:07 +00:00');
  });

  it('says so for a time that is not one, and defaults now to the clock', () => {
    expect(formatHumanTime(Number.NaN)).toBe(UNKNOWN_HUMAN_TIME);
    expect(formatHumanTime(Date.now())).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(formatHumanTime(Date.now() - 3 * 86_400_000)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });
});
