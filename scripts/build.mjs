#!/usr/bin/env node
/**
 * The production build: compiles the TypeScript of src/, bots/, jobs/ and db/ to JavaScript under
 * dist/, one .js file (and its source map) per .ts file in the same place of the tree, and copies
 * the files the code reads beside itself at run time (the migrations). `npm ci` runs it (the
 * `prepare` script); `npm start`, `npm run check` and `npm run cli` then run plain Node on
 * dist/bots/main.js and dist/bots/cli.js.
 *
 * Why a mirrored tree rather than one bundle: modules find their files from import.meta.url
 * (db/sqlite/open-database.ts and db/postgres/open-postgres-storage.ts read `migrations/` beside
 * themselves; slack-emoji.ts resolves emojibase-data from there), which only a mirrored tree keeps
 * true without changing the sources, and the PostgreSQL code stays a lazy import that a SQLite
 * Repka never loads. Packages stay in node_modules, as they are.
 *
 *   node scripts/build.mjs [--outdir <dir>]   build (default dist/), replacing what was there
 *   node scripts/build.mjs --verify           exit 1 with one line when dist/ is missing or older
 *                                             than the sources (`npm start` runs this first)
 */
import { cpSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The folders compiled: the code `npm start` and the CLI run (tests, bench and the demo run from source with tsx). */
const sourceFolders = ['src', 'bots', 'jobs', 'db'];
/** Files read at run time by path, relative to the module that reads them: copied as they are. */
const assetFolders = ['db/sqlite/migrations', 'db/postgres/migrations'];
/** Written last: its modification time is when the build finished. */
const stampName = '.built';

/** Every file under `folder` (relative to the root), depth first. */
function filesUnder(folder) {
  const here = join(root, folder);
  if (!existsSync(here)) return [];
  return readdirSync(here, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

const typeScriptSources = () => sourceFolders.flatMap(filesUnder).filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'));

/**
 * The esbuild that tsx (a devDependency) ships with, resolved through tsx rather than whichever
 * esbuild npm happened to hoist to node_modules/esbuild (drizzle-kit's, another version).
 */
async function loadEsbuild() {
  const require = createRequire(import.meta.url);
  let fromTsx;
  try {
    fromTsx = createRequire(require.resolve('tsx/package.json'));
  } catch {
    process.stderr.write('repka build: tsx (a devDependency) is not installed, so there is no esbuild to compile with: build after a full `npm ci`, then `npm prune --omit=dev` for production (docs/DEPLOYMENT.md)\n');
    process.exit(1);
  }
  return import(fromTsx.resolve('esbuild'));
}

/** Compiles into `outdir` (emptied first, so no file of a removed source lingers). */
async function build(outdir) {
  const esbuild = await loadEsbuild();
  const began = Date.now();
  rmSync(outdir, { recursive: true, force: true });
  const entryPoints = typeScriptSources();
  const compiled = esbuild.build({
    absWorkingDir: root,
    // Named, not found by search: the compilation follows it (verbatimModuleSyntax keeps imports
    // as written) and fails if it is missing rather than quietly compiling otherwise.
    tsconfig: join(root, 'tsconfig.json'),
    entryPoints,
    outdir,
    outbase: '.',
    bundle: false,
    platform: 'node',
    format: 'esm',
    target: 'node20.12',
    // Stack traces name the .ts files and lines with `node --enable-source-maps`.
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning',
  });
  // esbuild has printed the errors themselves, with file and line.
  if (!(await compiled.then(() => true, () => false))) {
    process.stderr.write('repka build: failed, see the errors above\n');
    process.exit(1);
  }
  for (const folder of assetFolders) cpSync(join(root, folder), join(outdir, folder), { recursive: true });
  writeFileSync(join(outdir, stampName), `${new Date().toISOString()}\n`);
  process.stdout.write(`repka build: ${entryPoints.length} files compiled to ${relative(process.cwd(), outdir) || '.'} in ${Date.now() - began} ms\n`);
}

/**
 * The first source (or migration, or this script) newer than the build, or "missing": what
 * makes the build in `outdir` stale; undefined when it is current. Without sources (a deployment
 * that ships dist/ alone) there is nothing to compare and the build is taken as it is.
 */
function staleness(outdir) {
  const stamp = join(outdir, stampName);
  if (!existsSync(stamp)) return 'missing';
  const builtAt = statSync(stamp).mtimeMs;
  const inputs = [...typeScriptSources(), ...assetFolders.flatMap(filesUnder), 'scripts/build.mjs'];
  return inputs.find((path) => existsSync(join(root, path)) && statSync(join(root, path)).mtimeMs > builtAt);
}

const args = process.argv.slice(2);
const outdirAt = args.indexOf('--outdir');
const outdir = outdirAt === -1 ? join(root, 'dist') : resolve(args[outdirAt + 1] ?? '');
if (outdirAt !== -1 && args[outdirAt + 1] === undefined) {
  process.stderr.write('repka build: --outdir needs a folder\n');
  process.exit(1);
}
const unknown = args.filter((arg, i) => arg !== '--verify' && arg !== '--outdir' && !(outdirAt !== -1 && i === outdirAt + 1));
if (unknown.length > 0) {
  process.stderr.write(`repka build: unknown argument ${unknown[0]}; usage: node scripts/build.mjs [--outdir <dir>] [--verify]\n`);
  process.exit(1);
}
if (args.includes('--verify')) {
  const stale = staleness(outdir);
  if (stale === 'missing') {
    process.stderr.write(`repka: no build in ${relative(process.cwd(), outdir)}/: run \`npm run build\` (npm ci runs it too)\n`);
    process.exit(1);
  }
  if (stale !== undefined) {
    process.stderr.write(`repka: the build in ${relative(process.cwd(), outdir)}/ is older than ${stale}: run \`npm run build\`\n`);
    process.exit(1);
  }
} else {
  await build(outdir);
}
