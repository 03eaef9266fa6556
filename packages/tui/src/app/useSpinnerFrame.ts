import { createElement, useEffect, useState, type ReactNode } from 'react';
import { SpinnerFrameContext } from '../views/spinner-context.js';

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

/**
 * Provides {@link SpinnerFrameContext} from a clock of its own. Its children
 * are an element made by the parent, so a tick re-renders only the context's
 * readers (the running tasks' spinners), not the screen around them.
 *
 * @example
 * ```tsx
 * <SpinnerClock active={tasks.some((t) => t.state === 'running')}><AppLayout {...props} /></SpinnerClock>
 * ```
 */
export function SpinnerClock({ active, children }: { active: boolean; children: ReactNode }): ReactNode {
  const frame = useSpinnerFrame(active);
  return createElement(SpinnerFrameContext.Provider, { value: frame }, children);
}
