import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Imports that would make the domain depend on a platform or on storage. */
const outward = ['@slack/*', 'telegraf', 'telegraf/*', 'bullmq', 'ioredis', 'drizzle-orm', 'drizzle-orm/*', 'better-sqlite3'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'db/migrations/', 'artifacts/', '.stryker-tmp/', 'reports/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
  {
    // The playground page (demo/public) runs in the browser, without a build step.
    files: ['demo/public/**/*.js'],
    languageOptions: { globals: { document: 'readonly', fetch: 'readonly', setInterval: 'readonly', console: 'readonly' } },
  },
  {
    // The domain stays pure: imports point inward only (see STYLE.md).
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: outward, message: 'src/ is the domain: declare a port and implement it in bots/, jobs/ or db/.' },
            { group: ['**/bots/*', '**/jobs/*', '**/db/*', '../bots/**', '../jobs/**', '../db/**'], message: 'src/ must not import bots/, jobs/ or db/.' },
          ],
        },
      ],
    },
  },
);
