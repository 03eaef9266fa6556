import { useEffect, useState } from 'react';

/** The spinner's frames and how long each shows. */
export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;
export const SPINNER_INTERVAL_MS = 80;

/**
 * The current spinner frame while `active` (a task is running and animation
 * is allowed); `undefined` otherwise, so an idle screen does not redraw.
 *
 * @example
 * ```ts
 * const frame = useSpinnerFrame(tasks.some((t) => t.state === 'running'));
 * ```
 */
export function useSpinnerFrame(active: boolean): string | undefined {
  const [index, setIndex] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setIndex((i) => (i + 1) % SPINNER_FRAMES.length), SPINNER_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [active]);
  return active ? SPINNER_FRAMES[index] : undefined;
}
