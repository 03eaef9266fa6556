import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'packages/*/test/**/*.test.tsx', 'test/**/*.test.ts'],
    // Browser end-to-end suites start Chromium; two cores do not take more in parallel.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['./scripts/vitest-global-setup.ts'],
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
