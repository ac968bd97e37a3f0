import { defineConfig } from 'vitest/config';

/**
 * The fast unit and use-case tests only (tests/src: in-memory SQLite, no Redis, no processes),
 * for mutation testing (stryker.config.json) and quick local runs: `npx vitest run -c vitest.unit.config.ts`.
 */
export default defineConfig({
  test: {
    include: ['tests/src/**/*.test.ts'],
    testTimeout: 20_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
