/** Milliseconds per unit of a duration as people type it (`30s`, `10m`, `2h`, `1d`). */
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** An ISO 8601 date, or date and time (to the minute, second or fraction), with an optional `Z` or offset. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * A duration such as `30s`, `10m`, `2h`, `1d` or `1h30m`, in milliseconds;
 * undefined when `text` is not one (a bare number has no unit and is refused).
 *
 * @example
 * ```ts
 * parseDuration('1h30m'); // 5_400_000
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (!/^(?:\d+[smhd])+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, count, unit] of trimmed.matchAll(/(\d+)([smhd])/g)) total += Number(count) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return total;
}

/**
 * `--since`: a duration back from `now` (`10m`) or an ISO 8601 date or date
 * and time (`2026-12-06`, `2026-12-06T14:30`, `2026-12-06T14:30:00Z`), as ms
 * since the epoch; undefined when it is neither. Without `Z` or an offset the
 * time is local, and a date alone is local midnight (JavaScript would read it
 * as UTC, which nobody typing a date means).
 *
 * @example
 * ```ts
 * parseSince('10m', Date.parse('2026-12-06T12:00:00Z')); // Date.parse('2026-12-06T11:50:00Z')
 * ```
 */
export function parseSince(text: string, now: number = Date.now()): number | undefined {
  const duration = parseDuration(text);
  if (duration !== undefined) return now - duration;
  const trimmed = text.trim();
  if (!ISO_DATE_TIME.test(trimmed)) return undefined;
  const time = Date.parse(trimmed.length === 10 ? `${trimmed}T00:00` : trimmed.replace(' ', 'T'));
  return Number.isNaN(time) ? undefined : time;
}

/**
 * How long something has run, to two units: `45s`, `5m 07s`, `2h 03m`, `3d 04h`.
 *
 * @example
 * ```ts
 * formatUptime(7_380); // '2h 03m'
 * ```
 */
export function formatUptime(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const [days, hours, minutes, secs] = [Math.floor(whole / 86_400), Math.floor(whole / 3_600) % 24, Math.floor(whole / 60) % 60, whole % 60];
  const two = (value: number) => String(value).padStart(2, '0');
  if (days > 0) return `${days}d ${two(hours)}h`;
  if (hours > 0) return `${hours}h ${two(minutes)}m`;
  if (minutes > 0) return `${minutes}m ${two(secs)}s`;
  return `${secs}s`;
}
