import { useEffect, useState } from 'react';

/** Used when the output is not a terminal (or reports no size). */
export const FALLBACK_SIZE = { width: 80, height: 24 } as const;

/**
 * The terminal's size, following resizes.
 *
 * @example
 * ```ts
 * const { width, height } = useTerminalSize(useStdout().stdout);
 * ```
 */
export function useTerminalSize(stdout: NodeJS.WriteStream): { width: number; height: number } {
  const read = () => ({ width: stdout.columns || FALLBACK_SIZE.width, height: stdout.rows || FALLBACK_SIZE.height });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // read() only closes over stdout.
  }, [stdout]);
  return size;
}
