import { createContext, useContext } from 'react';

/**
 * The spinner frame of the moment, for running tasks. The app's clock
 * provides it, so a tick re-renders the few components showing a spinner
 * rather than the whole screen; without a provider there is no spinner.
 *
 * @example
 * ```tsx
 * <SpinnerFrameContext.Provider value="⠋"><TasksPane tasks={tasks} width={60} height={10} /></SpinnerFrameContext.Provider>
 * ```
 */
export const SpinnerFrameContext = createContext<string | undefined>(undefined);

/**
 * The spinner frame to draw: the one passed in, else the clock's.
 *
 * @example
 * ```tsx
 * const frame = useSpinnerFrameOf(props.spinnerFrame);
 * ```
 */
export function useSpinnerFrameOf(explicit: string | undefined): string | undefined {
  const ticking = useContext(SpinnerFrameContext);
  return explicit ?? ticking;
}
