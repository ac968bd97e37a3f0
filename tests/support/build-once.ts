/**
 * vitest globalSetup: compiles Repka once per test run, as `npm ci` does (scripts/build.mjs), into
 * a folder of its own, so the end-to-end tests start what production runs (plain Node on the
 * JavaScript) from the sources as they are now, and never touch dist/ that `npm start` runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

const root = new URL('../../', import.meta.url).pathname;

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder the test run compiled Repka into (dist/'s layout: bots/main.js, bots/cli.js…). */
    repkaBuild: string;
  }
}

export default function setup(project: TestProject): () => void {
  // Under the repository, so Node finds its package.json ("type": "module") above the build.
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(join(cache, 'repka-test-build-'));
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--outdir', outdir], { stdio: ['ignore', 'ignore', 'inherit'] });
  project.provide('repkaBuild', outdir);
  return () => rmSync(outdir, { recursive: true, force: true });
}
