import { execFileSync } from 'node:child_process';

/**
 * Builds the CLI once before the tests that run it as a real process.
 * `OPPERATOR_TEST_SKIP_BUILD=1` skips it, for runs of tests that do not start
 * the CLI while someone else's half-finished change would not build.
 */
export default function setup(): void {
  if (process.env.OPPERATOR_TEST_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' });
}
