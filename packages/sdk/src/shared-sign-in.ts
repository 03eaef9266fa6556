import type { Progress } from '@opperator/protocol';
import type { ProgressUpdate } from './types.js';

/** One caller waiting on the shared sign-in. */
interface Waiter {
  onProgress: (update: ProgressUpdate) => void;
}

/** The sign-in under way, and who waits on it. */
interface Pending<T> {
  result: Promise<T>;
  stop: AbortController;
  waiters: Set<Waiter>;
  /** The latest progress, shown to whoever joins later. */
  latest: Progress | undefined;
}

/** What a sign-in is given to run with: a signal that aborts when every caller has gone, and progress that reaches them all. */
export interface SharedSignInContext {
  signal: AbortSignal;
  onProgress: (update: ProgressUpdate) => void;
}

/**
 * One sign-in at a time inside an agent: a second `authorize_…` while one is
 * under way joins it (its progress, the page to open or the code to type,
 * and its result) instead of opening a second browser and racing it to the
 * token file. The sign-in is cancelled only when every caller has cancelled.
 *
 * @example
 * ```ts
 * const signIns = new SharedSignIn<Result>();
 * const result = await signIns.run({ signal: ctx.signal, onProgress: report }, ({ signal, onProgress }) => runAuthorize(client, { signal, onProgress }));
 * ```
 */
export class SharedSignIn<T> {
  #pending: Pending<T> | undefined;

  /** Runs `start`, or joins the sign-in already under way. */
  run(caller: { signal?: AbortSignal | undefined; onProgress: (update: ProgressUpdate) => void }, start: (context: SharedSignInContext) => Promise<T>): Promise<T> {
    const waiter: Waiter = { onProgress: caller.onProgress };
    const under = this.#pending;
    if (under) {
      caller.onProgress(joinedLine(under.latest));
      under.waiters.add(waiter);
    }
    const pending = under ?? this.#begin(start, waiter);
    return new Promise<T>((resolve, reject) => {
      const leave = () => {
        pending.waiters.delete(waiter);
        reject(caller.signal?.reason instanceof Error ? caller.signal.reason : new Error('The sign-in was cancelled.'));
        // The last one out stops the sign-in itself.
        if (pending.waiters.size === 0) pending.stop.abort(caller.signal?.reason);
      };
      if (caller.signal?.aborted) return leave();
      caller.signal?.addEventListener('abort', leave, { once: true });
      pending.result.then(resolve, reject).finally(() => caller.signal?.removeEventListener('abort', leave));
    });
  }

  #begin(start: (context: SharedSignInContext) => Promise<T>, first: Waiter): Pending<T> {
    const stop = new AbortController();
    // The first caller is in before the sign-in starts, so it sees every step.
    const waiters = new Set<Waiter>([first]);
    const pending: Pending<T> = { result: Promise.resolve() as Promise<T>, stop, waiters, latest: undefined };
    const onProgress = (update: ProgressUpdate) => {
      pending.latest = typeof update === 'string' ? { text: update } : update;
      for (const waiter of waiters) waiter.onProgress(update);
    };
    this.#pending = pending;
    pending.result = start({ signal: stop.signal, onProgress }).finally(() => {
      if (this.#pending === pending) this.#pending = undefined;
    });
    // Every caller gets the outcome through its own promise; this one only must not go unhandled.
    pending.result.catch(() => undefined);
    return pending;
  }
}

/**
 * What a caller who joins sees first: that it joined, then the latest step.
 * A page the first caller's client opened is given as a URL, not opened a
 * second time; a paste-back request stays, so this client can take the address too.
 */
function joinedLine(latest: Progress | undefined): Progress {
  const joined = 'A sign-in is already under way (an earlier authorize command); this one waits for it and shares its result.';
  if (!latest) return { text: joined };
  const { openUrl, text, ...rest } = latest;
  const step = openUrl ? `The sign-in page: ${openUrl}` : text;
  return { ...rest, text: step ? `${joined} ${step}` : joined };
}
