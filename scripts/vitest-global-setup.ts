import { execFileSync } from 'node:child_process';

/** Builds the CLI once before the tests that run it as a real process. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' });
}
