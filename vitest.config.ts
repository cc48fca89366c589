import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Tests that start real peers (PostgreSQL, Prometheus, Chromium) need time to boot.
    testTimeout: 60_000,
    // End-to-end tests drive real peers and a real browser on a 2-core machine; a test that
    // fails is run once more before it counts (a consistent failure still fails).
    retry: 1,
    hookTimeout: 120_000,
    // Two cores: run files in parallel but not more than the machine can carry.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
