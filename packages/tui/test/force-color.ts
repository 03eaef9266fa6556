/**
 * Makes Ink's chalk emit true-colour escapes in a test file, whatever the
 * terminal running the tests. chalk reads the environment once, when it is
 * first imported, so call this from `vi.hoisted` (before any import runs)
 * and call the returned function in `afterAll` so other test files of the
 * same worker see the environment unchanged. FORCE_COLOR alone is not
 * enough: with TERM=xterm, supports-color settles on 16 colours, so
 * COLORTERM=truecolor is set as well.
 */
export function forceTrueColor(): () => void {
  const saved = { FORCE_COLOR: process.env.FORCE_COLOR, COLORTERM: process.env.COLORTERM };
  process.env.FORCE_COLOR = '3';
  process.env.COLORTERM = 'truecolor';
  return () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
