import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;

/**
 * The command that runs Repka's compiled `entry` (`main`: what `npm start` runs, `cli`: what
 * `npm run cli` runs) from the test run's build (tests/support/build-once.ts), with `args`:
 * one plain Node process, no TypeScript loader, so its PID is Repka's own and a signal reaches it.
 */
export function builtRepka(entry: 'main' | 'cli', ...args: string[]): [command: string, args: string[]] {
  return [process.execPath, ['--enable-source-maps', join(inject('repkaBuild'), 'bots', `${entry}.js`), ...args]];
}

/**
 * A folder under `parent` where `npm start`, `npm run check` and `npm run cli` run exactly as in a
 * checkout after `npm ci`: this package.json and scripts/build.mjs, node_modules, and dist/ being
 * the test run's build (so they run the sources as they are now, not whatever dist/ holds).
 * It has no sources: the scripts' staleness check (build.mjs --verify) finds a build and nothing
 * newer. Returns the folder.
 */
export function npmCheckout(parent: string): string {
  const folder = mkdtempSync(join(parent, 'checkout-'));
  // With their modification times: a copy newer than the build would make the build look stale.
  for (const file of ['package.json', 'scripts/build.mjs']) cpSync(join(root, file), join(folder, file), { preserveTimestamps: true });
  symlinkSync(join(root, 'node_modules'), join(folder, 'node_modules'));
  symlinkSync(inject('repkaBuild'), join(folder, 'dist'));
  return folder;
}
