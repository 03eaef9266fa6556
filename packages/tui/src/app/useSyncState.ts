import { useRef, useState } from 'react';

/**
 * State whose latest value is readable at once through `current()`. Key
 * handlers need it: two keys can arrive before React re-renders (a fast
 * typist, a paste, tmux in tests), and a handler reading render-time state
 * would treat the second key as if the first had not happened.
 *
 * @example
 * ```ts
 * const [palette, setPalette, currentPalette] = useSyncState<PaletteState | undefined>(undefined);
 * ```
 */
export function useSyncState<T>(initial: T | (() => T)): [T, (next: T | ((previous: T) => T)) => void, () => T] {
  const [state, setState] = useState(initial);
  const ref = useRef(state);
  const set = useRef((next: T | ((previous: T) => T)) => {
    ref.current = typeof next === 'function' ? (next as (previous: T) => T)(ref.current) : next;
    setState(ref.current);
  }).current;
  const current = useRef(() => ref.current).current;
  return [state, set, current];
}
