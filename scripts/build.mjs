#!/usr/bin/env node
/**
 * The production build: bundles the TypeScript of src/, bots/, jobs/ and db/ with the packages it
 * uses into one JavaScript file per command under dist/ (dist/bots/main.js for `npm start` and
 * `npm run check`, dist/bots/cli.js for `npm run cli`), each with its source map, and copies the
 * files the code reads beside itself at run time (the migrations) into dist/ at their places in
 * the source tree. `npm ci` runs it (the `prepare` script); those commands then run plain Node on
 * the bundles.
 *
 * Why a bundle: a process that loads some 1,200 files from node_modules one by one started in
 * about 700 ms and idled at about 130 MiB on the 2-core bench machine; bundled, it starts in about
 * 450 ms and idles some 15 MiB lower (docs/BENCHMARKS.md, start-up).
 *
 * Kept true in the bundle: each source module's `import.meta.url` is the URL its file has in the
 * mirrored tree under dist/ (see {@link mirroredUrls}), so db/sqlite/open-database.ts and
 * db/postgres/open-postgres-storage.ts still find `migrations/` beside themselves, and the
 * packages loaded by `createRequire(import.meta.url)` resolve from node_modules as before.
 * The PostgreSQL code stays a lazy import, evaluated only when DATABASE_URL is set.
 *
 *   node scripts/build.mjs [--outdir <dir>]   build (default dist/), replacing what was there
 *   node scripts/build.mjs --verify           exit 1 with one line when dist/ is missing or older
 *                                             than the sources (`npm start` runs this first)
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The folders compiled: the code `npm start` and the CLI run (tests, bench and the demo run from source with tsx). */
const sourceFolders = ['src', 'bots', 'jobs', 'db'];
/** The commands, bundled one file each; all in bots/, so one relative path reaches a module's place from both. */
const entryPoints = ['bots/main.ts', 'bots/cli.ts'];
/**
 * Packages left in node_modules and loaded from there at run time: native addons and their
 * optional parts (better-sqlite3, @resvg/resvg-js, pg-native, msgpackr-extract); packages Repka
 * loads only when needed through createRequire (yaml, pino-pretty, emojibase-data's JSON); Telegraf,
 * whose `debug` instance bots/telegram/telegraf-logs.ts reroutes in node_modules, and `debug` itself
 * (one instance for every package that logs through it, as before); and ioredis, which reads its own
 * package.json beside itself (its version for CLIENT SETINFO, built/utils).
 *
 * Bundled code has no `__dirname` (an ES module): the packages' paths that need one are not taken
 * by Repka (pino's worker transports: bots/logger.ts writes to its own stream; BullMQ's sandboxed
 * processors from a file: every worker in jobs/ is given a function).
 */
const external = ['better-sqlite3', '@resvg/resvg-js', 'pg-native', 'msgpackr-extract', 'yaml', 'pino-pretty', 'emojibase-data', 'telegraf', 'debug', 'ioredis'];
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

/**
 * An esbuild plugin: in each of Repka's own modules, `import.meta.url` (the bundle's URL once
 * bundled) becomes the URL of that module's place in the mirrored tree under `outdir`, relative
 * to the bundle, so what a module finds beside itself is where the build copies it.
 */
function mirroredUrls(outdir) {
  const bundleFolder = join(outdir, 'bots');
  return {
    name: 'mirrored-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const path = relative(root, args.path);
        if (path.startsWith('..') || path.split(/[\\/]/).includes('node_modules')) return undefined;
        const contents = readFileSync(args.path, 'utf8');
        if (!contents.includes('import.meta.url')) return { contents, loader: 'ts' };
        const place = relative(bundleFolder, join(outdir, path.replace(/\.ts$/, '.js'))).split('\\').join('/');
        return { contents: contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(place)}, import.meta.url).href`), loader: 'ts' };
      });
    },
  };
}

/** Bundles into `outdir` (emptied first, so no file of an earlier build lingers). */
async function build(outdir) {
  const esbuild = await loadEsbuild();
  const began = Date.now();
  rmSync(outdir, { recursive: true, force: true });
  const compiled = esbuild.build({
    absWorkingDir: root,
    // Named, not found by search: the compilation follows it (verbatimModuleSyntax keeps imports
    // as written) and fails if it is missing rather than quietly compiling otherwise.
    tsconfig: join(root, 'tsconfig.json'),
    entryPoints,
    outdir,
    outbase: '.',
    bundle: true,
    external,
    platform: 'node',
    format: 'esm',
    // Code escaped to ASCII (strings, template literals, regular expressions): see the comments below.
    charset: 'ascii',
    target: 'node20.12',
    // The CommonJS packages inside an ES module bundle still call require() for Node's own modules.
    banner: { js: "import { createRequire as __repkaCreateRequire } from 'node:module'; const require = __repkaCreateRequire(import.meta.url);" },
    plugins: [mirroredUrls(outdir)],
    metafile: true,
    // Stack traces name the .ts files (and packages' files) and lines with `node --enable-source-maps`.
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning',
  });
  // esbuild has printed the errors themselves, with file and line.
  const result = await compiled.then((r) => r, () => undefined);
  if (result === undefined) {
    process.stderr.write('repka build: failed, see the errors above\n');
    process.exit(1);
  }
  // esbuild escapes strings, untagged template literals, identifiers and JSX text (charset:
  // 'ascii'), but not comments, regular expression literals nor a tagged template's raw text: one dash
  // or Cyrillic letter there makes V8 hold the whole 6 MB source two bytes a character (12 MB instead
  // of 6 in every process). Written as \uXXXX, each still reads the same in a comment and matches the
  // same in a regular expression, unless it follows a backslash (an identity escape, `/\–/`, would
  // become a backslash and "u2013"): the build stops there. (None of the bundled code has a
  // non-ASCII character in a tagged template, where \uXXXX would be six characters: String.raw.)
  for (const bundle of Object.keys(result.metafile.outputs).filter((path) => path.endsWith('.js'))) {
    const path = join(root, bundle);
    const text = readFileSync(path, 'utf8');
    const escaped = /\\[\u0080-\uffff]/.exec(text);
    if (escaped !== null) {
      const line = text.slice(0, escaped.index).split('\n').length;
      process.stderr.write(`repka build: ${relative(root, path)}:${line} has a non-ASCII character after a backslash, which cannot be escaped as \\uXXXX without changing it\n`);
      process.exit(1);
    }
    if (/[\u0080-\uffff]/.test(text)) writeFileSync(path, text.replace(/[\u0080-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`));
  }
  for (const folder of assetFolders) cpSync(join(root, folder), join(outdir, folder), { recursive: true });
  // The bundles are ES modules wherever the build is: Node looks for the nearest package.json's
  // "type" but stops at a node_modules folder (the test and bench builds are under
  // node_modules/.cache), and a file it cannot place is compiled as CommonJS first, failing, then
  // again as an ES module (Node 20.19's syntax detection), with the 6 MB bundle's source held
  // twice more: 164 MiB idle instead of 120 there.
  writeFileSync(join(outdir, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
  writeFileSync(join(outdir, stampName), `${new Date().toISOString()}\n`);
  const inputs = Object.keys(result.metafile.inputs);
  const own = inputs.filter((path) => !path.includes('node_modules/')).length;
  process.stdout.write(`repka build: ${own} sources and ${inputs.length - own} package files bundled into ${entryPoints.map((e) => join(relative(process.cwd(), outdir) || '.', e.replace(/\.ts$/, '.js'))).join(' and ')} in ${Date.now() - began} ms\n`);
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
  // The lockfile too: the bundles hold the packages' code, so a changed dependency needs a build.
  const inputs = [...typeScriptSources(), ...assetFolders.flatMap(filesUnder), 'scripts/build.mjs', 'package-lock.json', 'tsconfig.json'];
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
