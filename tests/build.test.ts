import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';

/** The test run's build (tests/support/build-once.ts): what `npm ci` writes to dist/. */
const build = inject('repkaBuild');

describe('the production build (scripts/build.mjs)', () => {
  it('writes bundles in ASCII only: V8 holds a source with one other character two bytes a character', () => {
    for (const bundle of ['bots/main.js', 'bots/cli.js']) {
      const text = readFileSync(join(build, bundle), 'utf8');
      expect(text.length, bundle).toBeGreaterThan(100_000);
      const others = [...text].filter((c) => (c.codePointAt(0) ?? 0) > 0x7f);
      expect(others.slice(0, 10), bundle).toEqual([]);
    }
  });

  it('says the bundles are ES modules wherever the build is (Node does not look for the type past a node_modules folder)', () => {
    expect(JSON.parse(readFileSync(join(build, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
  });
});
