/** Units `since` accepts in a duration, in milliseconds. */
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `since` of the agent_logs tool as epoch ms: a duration back from `now`
 * (`30s`, `10m`, `2h`, `1d`) or an ISO 8601 date/time; undefined when it is
 * neither.
 *
 * @example
 * ```ts
 * parseSince('10m', Date.parse('2026-01-01T00:10:00Z')); // Date.parse('2026-01-01T00:00:00Z')
 * ```
 */
export function parseSince(text: string, now: number): number | undefined {
  const duration = /^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$/i.exec(text);
  if (duration) return Math.max(0, now - Number(duration[1]) * UNIT_MS[duration[2]!.toLowerCase()]!);
  // Only things that look like dates: Date.parse reads "1" as a year.
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return undefined;
  const time = Date.parse(text.trim());
  return Number.isNaN(time) ? undefined : time;
}
