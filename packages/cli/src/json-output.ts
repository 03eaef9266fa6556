// The wire protocol carries times as epoch milliseconds (cheap to compare,
// the same in every language); people and scripts reading `--json` get ISO
// 8601 in UTC, which every JSON consumer parses and which says its zone.
// The conversion happens here, at the CLI's edge, for each record it prints;
// what agents put in results and log fields is theirs and stays as it is.

/**
 * An epoch-ms time as ISO 8601 in UTC, for `--json`; a value that is not a
 * time is left as it is (a newer daemon's field is passed on, not broken).
 *
 * @example
 * ```ts
 * isoTime(0); // '1970-01-01T00:00:00.000Z'
 * ```
 */
export function isoTime(time: number): string;
export function isoTime(time: unknown): unknown;
export function isoTime(time: unknown): unknown {
  if (typeof time !== 'number' || !Number.isFinite(time)) return time;
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? time : date.toISOString();
}

/** `record` with each of `fields` that holds epoch ms as an ISO 8601 string. */
function withIsoTimes<T extends object, K extends keyof T>(record: T, fields: readonly K[]): Omit<T, K> & Record<K, string> {
  const copy = { ...record } as Record<string, unknown>;
  for (const field of fields) if (field in copy) copy[field as string] = isoTime(copy[field as string]);
  return copy as Omit<T, K> & Record<K, string>;
}

/**
 * A task record for `--json` (`task list`, `task get`): `createdAt` and `updatedAt` in ISO 8601.
 *
 * @example
 * ```ts
 * taskJson(task).createdAt; // '2026-12-06T03:24:43.120Z'
 * ```
 */
export function taskJson<T extends { createdAt: number; updatedAt: number }>(task: T) {
  return withIsoTimes(task, ['createdAt', 'updatedAt']);
}

/**
 * A log entry for `agent logs --json`: `time` in ISO 8601.
 *
 * @example
 * ```ts
 * logJson({ time: 0, level: 'info', source: 'agent', message: 'polling' }).time; // '1970-01-01T00:00:00.000Z'
 * ```
 */
export function logJson<T extends { time: number }>(entry: T) {
  return withIsoTimes(entry, ['time']);
}

/**
 * A section for `agent sections --json`: `updatedAt` in ISO 8601.
 *
 * @example
 * ```ts
 * sections.map(sectionJson);
 * ```
 */
export function sectionJson<T extends { updatedAt: number }>(section: T) {
  return withIsoTimes(section, ['updatedAt']);
}

/**
 * `daemon status --json`: `startedAt` in ISO 8601.
 *
 * @example
 * ```ts
 * daemonStatusJson(status).startedAt; // '2026-12-06T03:00:00.000Z'
 * ```
 */
export function daemonStatusJson<T extends { startedAt: number }>(status: T) {
  return withIsoTimes(status, ['startedAt']);
}
