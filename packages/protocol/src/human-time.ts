/**
 * The one time format people read, everywhere Opperator shows a time: the
 * CLI's tables and log lines, the TUI, and the texts agents write (the
 * device-code expiry). Machines get ISO 8601 in `--json`; this is for eyes.
 *
 * - local time, 24-hour, seconds included: `14:03:07`
 * - a time on another local day than now carries its date: `2026-12-05 14:03:07`
 * - with `zone`, the UTC offset follows: `14:03:07 +01:00`. For a text
 *   written by one process and read in another (an agent's sign-in progress
 *   is formatted in the daemon's time zone and read in a TUI or CLI that may
 *   run elsewhere, over SSH), where the reader cannot assume their own zone.
 *
 * Local time comes from the process's time zone (`TZ`, else the system's).
 */

/** Options of {@link formatHumanTime}. */
export interface HumanTimeOptions {
  /** The current time in epoch ms, deciding whether the date is shown. Default `Date.now()`. */
  now?: number;
  /** Append the UTC offset (`+01:00`). Default false. */
  zone?: boolean;
}

/** What {@link formatHumanTime} shows for a time that is not one (NaN, out of range). */
export const UNKNOWN_HUMAN_TIME = '--:--:--';

/**
 * A time (epoch ms) for people: `HH:MM:SS` today, `YYYY-MM-DD HH:MM:SS` on
 * another day, local time, optionally with the UTC offset.
 *
 * @example
 * ```ts
 * formatHumanTime(Date.now()); // '14:03:07'
 * formatHumanTime(new Date(2026, 11, 5, 9, 5, 7).getTime(), { now: new Date(2026, 11, 6).getTime() }); // '2026-12-05 09:05:07'
 * formatHumanTime(expiresAt, { zone: true }); // '14:18:07 +01:00'
 * ```
 */
export function formatHumanTime(time: number, options: HumanTimeOptions = {}): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return UNKNOWN_HUMAN_TIME;
  const clock = [date.getHours(), date.getMinutes(), date.getSeconds()].map(twoDigits).join(':');
  const now = new Date(options.now ?? Date.now());
  const day = localDay(date);
  const text = Number.isNaN(now.getTime()) || day !== localDay(now) ? `${day} ${clock}` : clock;
  return options.zone ? `${text} ${utcOffset(date)}` : text;
}

/** `YYYY-MM-DD` of the local calendar day. */
function localDay(date: Date): string {
  return `${String(date.getFullYear()).padStart(4, '0')}-${twoDigits(date.getMonth() + 1)}-${twoDigits(date.getDate())}`;
}

/** `+HH:MM` / `-HH:MM`, the offset of local time from UTC at that moment (it changes with daylight saving). */
function utcOffset(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const absolute = Math.abs(minutes);
  return `${sign}${twoDigits(Math.floor(absolute / 60))}:${twoDigits(absolute % 60)}`;
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}
