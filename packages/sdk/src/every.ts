import type { BackgroundTask } from './types.js';

/** What {@link startEvery} needs besides the task. */
export interface EveryDependencies {
  /** The loop ends when this aborts; it is also passed to each run. */
  signal: AbortSignal;
  /** Run right away too, not only after the first interval. */
  immediate: boolean;
  /** A run threw or rejected; the loop goes on. */
  onError: (err: unknown) => void;
  /** A tick came while the previous run was still going; this tick is skipped. */
  onSkip: () => void;
  /** Each run's promise, so stopping can wait for the one in flight. */
  onRun: (run: Promise<void>) => void;
}

/**
 * Runs `task` every `intervalMs` until `signal` aborts or the returned
 * function is called. A run never overlaps the previous one (a tick that
 * finds it still running is skipped rather than queued, so a slow API cannot
 * pile up work), and a failing run is reported, never fatal.
 *
 * @example
 * ```ts
 * const stop = startEvery(60_000, poll, { signal, immediate: false, onError: log, onSkip: () => {}, onRun: () => {} });
 * ```
 */
export function startEvery(intervalMs: number, task: BackgroundTask, deps: EveryDependencies): () => void {
  if (deps.signal.aborted) return () => {};
  let running = false;
  const tick = () => {
    if (deps.signal.aborted) return;
    if (running) {
      deps.onSkip();
      return;
    }
    running = true;
    const run = (async () => {
      try {
        await task(deps.signal);
      } catch (err) {
        deps.onError(err);
      } finally {
        running = false;
      }
    })();
    deps.onRun(run);
  };
  const timer = setInterval(tick, intervalMs);
  // The agent's life is held by its stdin and ended by the runtime; a loop alone must not keep the process up.
  timer.unref();
  const stop = () => {
    clearInterval(timer);
    deps.signal.removeEventListener('abort', stop);
  };
  deps.signal.addEventListener('abort', stop, { once: true });
  if (deps.immediate) queueMicrotask(tick);
  return stop;
}
