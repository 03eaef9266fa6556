import { formatHumanTime } from '@opperator/protocol';
import type { LogEntry } from '../state/types.js';
import { toCompactJson } from './task-text.js';
import { toOneLine } from './text-fit.js';

/** The levels a log filter can start at, least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;

/** A minimum level for the logs pane. */
export type LogLevelFilter = (typeof LOG_LEVELS)[number];

/**
 * How severe a log level is, 0 (debug) to 3 (error). `warn` is read as
 * `warning`; unknown levels (stdout/stderr lines, a newer agent) count as
 * `info`, so a filter never hides them more eagerly than ordinary lines.
 *
 * @example
 * ```ts
 * levelRank('warn');  // 2
 * levelRank('trace'); // 1
 * ```
 */
export function levelRank(level: string): number {
  const normalised = level.toLowerCase() === 'warn' ? 'warning' : level.toLowerCase();
  const rank = LOG_LEVELS.indexOf(normalised as LogLevelFilter);
  return rank === -1 ? 1 : rank;
}

/**
 * A log time in the one human time format (`formatHumanTime` of
 * @opperator/protocol): local `HH:MM:SS` today, with the date before it on
 * another day, so a line from yesterday never passes for one of today.
 *
 * @example
 * ```ts
 * formatLogTime(new Date(2024, 0, 1, 9, 5, 7).getTime(), new Date(2024, 0, 1, 12).getTime()); // '09:05:07'
 * formatLogTime(new Date(2024, 0, 1, 9, 5, 7).getTime(), new Date(2024, 0, 2).getTime()); // '2024-01-01 09:05:07'
 * ```
 */
export function formatLogTime(time: number, now = Date.now()): string {
  return formatHumanTime(time, { now });
}

/**
 * The searchable text of an entry after its time and level: the source when
 * it is not the agent's own logger, the message on one line, and the fields
 * as compact JSON.
 *
 * @example
 * ```ts
 * logText({ time: 0, level: 'info', source: 'agent', message: 'polling', fields: { folder: 'INBOX' } });
 * // 'polling {"folder":"INBOX"}'
 * ```
 */
export function logText(entry: LogEntry): string {
  const source = entry.source !== '' && entry.source !== 'agent' ? `[${entry.source}] ` : '';
  const fields = entry.fields !== undefined && Object.keys(entry.fields).length > 0 ? ` ${toCompactJson(entry.fields)}` : '';
  return `${source}${toOneLine(entry.message)}${fields}`;
}

/**
 * The entries the pane shows: at or above `minLevel`, and, with a search,
 * only those whose text holds it (case-insensitive).
 *
 * @example
 * ```ts
 * filterLogs(entries, 'warning', 'gmail'); // warnings and errors mentioning Gmail
 * ```
 */
export function filterLogs(entries: readonly LogEntry[], minLevel: LogLevelFilter, search = ''): LogEntry[] {
  const min = levelRank(minLevel);
  const needle = search.toLowerCase();
  return entries.filter((entry) => levelRank(entry.level) >= min && (needle === '' || logText(entry).toLowerCase().includes(needle)));
}

/**
 * A text cut into alternating plain and matching pieces for highlighting
 * (case-insensitive; pieces keep the text's own case).
 *
 * @example
 * ```ts
 * splitMatches('Gmail says gmail', 'GMAIL');
 * // [{ text: 'Gmail', match: true }, { text: ' says ', match: false }, { text: 'gmail', match: true }]
 * ```
 */
export function splitMatches(text: string, search: string): Array<{ text: string; match: boolean }> {
  if (search === '') return [{ text, match: false }];
  const lower = text.toLowerCase();
  const needle = search.toLowerCase();
  // A few characters change length when lower-cased (İ); offsets into the
  // lower-cased text would then be wrong, so such a line is not highlighted.
  if (lower.length !== text.length) return [{ text, match: false }];
  const pieces: Array<{ text: string; match: boolean }> = [];
  let from = 0;
  for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + needle.length)) {
    if (at > from) pieces.push({ text: text.slice(from, at), match: false });
    pieces.push({ text: text.slice(at, at + needle.length), match: true });
    from = at + needle.length;
  }
  if (from < text.length) pieces.push({ text: text.slice(from), match: false });
  return pieces;
}
