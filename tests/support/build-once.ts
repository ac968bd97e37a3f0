/**
 * vitest globalSetup: compiles Repka once per test run, as `npm ci` does (scripts/build.mjs), into
 * a folder of its own, so the end-to-end tests start what production runs (plain Node on the
 * JavaScript) from the sources as they are now, and never touch dist/ that `npm start` runs.
 */
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { compileRepka } from './compile-repka.js';

const root = new URL('../../', import.meta.url).pathname;

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder the test run compiled Repka into (dist/'s layout: bots/main.js, bots/cli.js…). */
    repkaBuild: string;
  }
}

export default function setup(project: TestProject): () => void {
  const outdir = compileRepka(root, 'repka-test-build-');
  project.provide('repkaBuild', outdir);
  return () => rmSync(outdir, { recursive: true, force: true });
}
