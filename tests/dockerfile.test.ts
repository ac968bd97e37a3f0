/**
 * The Dockerfile read against the build (no Docker here: .ci/check-image-recipe.sh replays the
 * recipe in CI): the image runs the compiled entry point the build makes, as `npm start` does.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';

const root = new URL('../', import.meta.url).pathname;

interface Instruction {
  readonly op: string;
  readonly rest: string;
}

/** The Dockerfile's stages, each a list of instructions (comments dropped, continuations joined). */
function stages(): Instruction[][] {
  const instructions = readFileSync(join(root, 'Dockerfile'), 'utf8')
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [, op = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
      return { op: op.toUpperCase(), rest };
    });
  const result: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.op === 'FROM') result.push([]);
    result.at(-1)?.push(instruction);
  }
  return result;
}

const [build = [], final = []] = stages();
const cmd = JSON.parse(final.filter((i) => i.op === 'CMD').at(-1)?.rest ?? '[]') as string[];
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

describe('Dockerfile', () => {
  it('has a build stage and a final stage', () => {
    expect(stages()).toHaveLength(2);
    expect(build[0]?.rest).toMatch(/\sAS\s+build$/i);
  });

  it('runs plain Node on an entry point the build makes', () => {
    expect(cmd[0]).toBe('node');
    const entry = cmd.find((arg) => !arg.startsWith('-') && arg !== 'node');
    expect(entry).toMatch(/^dist\/.+\.js$/);
    // The test run's build (tests/support/build-once.ts) is what `npm run build` writes to dist/.
    expect(existsSync(join(inject('repkaBuild'), (entry ?? '').replace(/^dist\//, '')))).toBe(true);
  });

  it('runs what `npm start` runs', () => {
    expect(cmd.join(' ')).toBe(packageJson.scripts.start);
  });

  it('builds in the build stage and copies the build into the image', () => {
    const runs = build.filter((i) => i.op === 'RUN').map((i) => i.rest);
    expect(runs.some((run) => /\bnpm run build\b/.test(run))).toBe(true);
    expect(packageJson.scripts.build).toBe('node scripts/build.mjs');
    expect(final.map((i) => `${i.op} ${i.rest}`)).toContain('COPY --from=build /app/dist ./dist');
  });

  it('copies every folder the build compiles into the build stage', () => {
    const copied = build.filter((i) => i.op === 'COPY').map((i) => i.rest.split(/\s+/)[0]);
    const compiled = readdirSync(inject('repkaBuild'), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    expect(compiled.length).toBeGreaterThan(0);
    for (const folder of compiled) expect(copied).toContain(folder);
    expect(copied).toEqual(expect.arrayContaining(['tsconfig.json', 'scripts/build.mjs']));
  });
});
