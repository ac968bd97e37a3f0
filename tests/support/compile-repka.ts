/**
 * Compiles Repka as `npm ci` does (scripts/build.mjs) into a fresh folder of its own under
 * node_modules/.cache (the build writes a package.json saying "type": "module" into it), from the sources
 * as they are now, never touching dist/ that `npm start` runs. The test run (build-once.ts) and
 * the bench (bench/harness.ts) start what production runs from it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';

export function compileRepka(root: string, prefix: string): string {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(join(cache, prefix));
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--outdir', outdir], { stdio: ['ignore', 'ignore', 'inherit'] });
  return outdir;
}
