import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Compiles Repka once; the end-to-end tests start the compiled JavaScript, as production does.
    globalSetup: ['tests/support/build-once.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two cores: files run two at a time; each e2e file has its own fakes, SQLite file and queue prefix.
    maxWorkers: 2,
  },
});
