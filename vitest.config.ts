import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two cores: files run two at a time; each e2e file has its own fakes, SQLite file and queue prefix.
    maxWorkers: 2,
  },
});
