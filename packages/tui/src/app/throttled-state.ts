import { useEffect, useRef, useState } from 'react';

/**
 * At most this often the app's state follows a stream. Ink draws at most 30
 * frames a second on its own; a state interval as long as Ink's stacked two
 * waits (bench: screen age p95 112 ms at 33 ms, 91 ms at 16 ms, with the same
 * TUI CPU, since the extra React renders are cheap next to Ink's output).
 */
export const RENDER_INTERVAL_MS = 16;

/**
 * A value updated by a fast stream (1,000 section updates a second) but
 * rendered at most every {@link RENDER_INTERVAL_MS}: `set` only replaces the
 * latest value, and one timer publishes it. The latest value is always the
 * one shown, never later than one interval after it arrived.
 *
 * @example
 * ```ts
 * const [snapshot, setSnapshot, current] = useThrottledState(EMPTY_SNAPSHOT);
 * setSnapshot(applyWatchEvent(current(), event));
 * ```
 */
export function useThrottledState<T>(initial: T): [T, (next: T) => void, () => T] {
  const [shown, setShown] = useState(initial);
  const latest = useRef(initial);
  const timer = useRef<NodeJS.Timeout | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const set = useRef((next: T) => {
    latest.current = next;
    timer.current ??= setTimeout(() => {
      timer.current = undefined;
      setShown(latest.current);
    }, RENDER_INTERVAL_MS);
  }).current;
  const current = useRef(() => latest.current).current;
  return [shown, set, current];
}
