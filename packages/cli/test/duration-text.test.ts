import { describe, expect, it } from 'vitest';
import { formatUptime, parseDuration, parseSince } from '../src/duration-text.js';

describe('durations and --since', () => {
  it('parses durations with units, alone or combined; refuses bare numbers and words', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    for (const bad of ['10', 'm', '1x', 'ten minutes', '', '-5m']) expect(parseDuration(bad)).toBeUndefined();
  });

  it('reads --since as a duration back from now or an ISO date/time (local unless it says Z or an offset)', () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    expect(parseSince('10m', now)).toBe(Date.parse('2026-12-06T11:50:00Z'));
    expect(parseSince('2026-12-06T11:00:00Z', now)).toBe(Date.parse('2026-12-06T11:00:00Z'));
    expect(parseSince('2026-12-06T13:00+01:00', now)).toBe(Date.parse('2026-12-06T12:00:00Z'));
    expect(parseSince('2026-12-06T14:30', now)).toBe(new Date(2026, 11, 6, 14, 30).getTime());
    expect(parseSince('2026-12-06', now)).toBe(new Date(2026, 11, 6).getTime());
    for (const bad of ['nonsense', 'yesterday', '1', '2026-13-45', 'December 6']) expect(parseSince(bad, now)).toBeUndefined();
  });

  it('shows uptimes to two units', () => {
    expect(formatUptime(45)).toBe('45s');
    expect(formatUptime(307)).toBe('5m 07s');
    expect(formatUptime(7_380)).toBe('2h 03m');
    expect(formatUptime(3 * 86_400 + 4 * 3_600)).toBe('3d 04h');
    expect(formatUptime(-3)).toBe('0s');
  });
});
