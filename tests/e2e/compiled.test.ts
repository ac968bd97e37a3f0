import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../fakes/fake-slack.js';
import { FakeTelegram } from '../fakes/fake-telegram.js';
import { npmCheckout } from '../support/built-repka.js';
import { e2eDatabase, eventually, redisUrl, registerChannels, signingSecret, supportChannel, telegramToken } from './harness.js';

const probe = pathToFileURL(new URL('../fixtures/module-probe/probe.mjs', import.meta.url).pathname).href;

let slack: FakeSlack;
let telegram: FakeTelegram;
let dir: string;
let databaseUrl: string | undefined;

beforeAll(async () => {
  slack = await FakeSlack.start();
  telegram = await FakeTelegram.start({ token: telegramToken });
  registerChannels(slack);
  dir = mkdtempSync(join(tmpdir(), 'repka-compiled-'));
  databaseUrl = (await e2eDatabase())?.url;
});
afterAll(async () => {
  await slack.close();
  await telegram.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Npm {
  readonly pid: number;
  readonly exited: Promise<number | null>;
  readonly stderr: () => string;
}

/** `npm <args>` in `cwd` with only `env` (and PATH, HOME) as its environment; stderr collected. */
function npm(args: string[], cwd: string, env: Record<string, string> = {}): Npm {
  const child = spawn('npm', args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, stdio: ['ignore', 'ignore', 'pipe'], timeout: 50_000, killSignal: 'SIGKILL' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { pid: child.pid as number, exited, stderr: () => stderr };
}

interface ProbeRecord {
  readonly phase: 'started' | 'exited';
  readonly pid: number;
  readonly argv: string[];
  readonly execArgv: string[];
  readonly required: string[];
}

/** The probe's records in `folder` (tests/fixtures/module-probe): one per Node process. */
function records(folder: string): ProbeRecord[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(folder, name), 'utf8')) as ProbeRecord);
}

/** Repka's own process among them: the one whose main module is bots/main (compiled or not). */
const repkaOf = (all: ProbeRecord[]) => all.filter((r) => /\/bots\/main\.[cm]?[jt]s$/.test(r.argv[1] ?? ''));

/** What only TypeScript at run time would load: a .ts module, tsx, esbuild or the compiler. */
const typeScriptAtRunTime = /\.[cm]?ts$|\/node_modules\/(tsx|esbuild|typescript|@esbuild)\//;

describe('npm start runs the compiled JavaScript', () => {
  it('Repka is one plain Node process that loads no TypeScript, tsx or esbuild, and stops on SIGTERM', async () => {
    const checkout = npmCheckout(dir);
    const probed = mkdtempSync(join(dir, 'probe-'));
    const started = npm(['start'], checkout, {
      NODE_OPTIONS: `--import=${probe}`,
      MODULE_PROBE_DIR: probed,
      PORT: '0',
      DATABASE_PATH: join(dir, 'data', 'compiled.sqlite'),
      ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: `compiled-${process.pid}`,
      SLACK_BOT_TOKEN: 'xoxb-compiled-test',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.url,
      SLACK_SUPPORT_CHANNEL: supportChannel,
      TELEGRAM_BOT_TOKEN: telegramToken,
      TELEGRAM_API_ROOT: telegram.apiRoot,
    });
    const port = await eventually(() => /^(?=.*"msg":"repka started").*"port":(\d+)/m.exec(started.stderr())?.[1], 30_000, `"repka started" in:\n${started.stderr()}`);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const [repka] = repkaOf(records(probed));
    expect(repka, 'the probe saw the process running bots/main').toBeDefined();
    process.kill(repka!.pid, 'SIGTERM');
    expect(await started.exited, started.stderr()).toBe(0);

    const [exited, ...others] = repkaOf(records(probed));
    expect(others).toEqual([]);
    expect(exited?.phase).toBe('exited');
    expect(exited?.argv[1]).toBe(join(checkout, 'dist', 'bots', 'main.js'));
    // No loader flag (`--import tsx`, tsx's --require preflight): only the source maps.
    expect(exited?.execArgv).toEqual(['--enable-source-maps']);
    const imports = readFileSync(join(probed, `${exited?.pid}.imports`), 'utf8').trim().split('\n');
    // The probe saw the app's own modules and its packages, so an empty list cannot pass for clean.
    expect(imports).toContain(pathToFileURL(join(realpathSync(join(checkout, 'dist')), 'bots', 'main.js')).href);
    expect(exited?.required.some((path) => path.includes('/node_modules/better-sqlite3/'))).toBe(true);
    expect(imports.filter((url) => typeScriptAtRunTime.test(url))).toEqual([]);
    expect(exited?.required.filter((path) => typeScriptAtRunTime.test(path))).toEqual([]);
  }, 60_000);
});

describe('npm start without a current build', () => {
  it('says in one line that there is no build, and starts nothing', async () => {
    const checkout = npmCheckout(dir);
    rmSync(join(checkout, 'dist'));
    const run = npm(['start'], checkout);
    expect(await run.exited).toBe(1);
    const ours = run.stderr().split('\n').filter((line) => line.startsWith('repka'));
    // Not "repka: invalid configuration" (there is none here): the build check stopped it first.
    expect(ours).toEqual(['repka: no build in dist/: run `npm run build` (npm ci runs it too)']);
  });

  it('says in one line which source is newer than the build, and starts nothing', async () => {
    const checkout = npmCheckout(dir);
    mkdirSync(join(checkout, 'src'));
    const source = join(checkout, 'src', 'config.ts');
    writeFileSync(source, 'export {};\n');
    const built = join(checkout, 'dist', '.built');
    expect(existsSync(built)).toBe(true);
    const later = new Date(Date.now() + 60_000);
    utimesSync(source, later, later);
    const run = npm(['run', 'cli', '--', 'export', '1'], checkout);
    expect(await run.exited).toBe(1);
    const ours = run.stderr().split('\n').filter((line) => line.startsWith('repka'));
    expect(ours).toEqual(['repka: the build in dist/ is older than src/config.ts: run `npm run build`']);
  });

  it('takes a changed lockfile for a stale build too: the bundles hold the packages', async () => {
    const checkout = npmCheckout(dir);
    const lockfile = join(checkout, 'package-lock.json');
    writeFileSync(lockfile, '{}\n');
    const later = new Date(Date.now() + 60_000);
    utimesSync(lockfile, later, later);
    const run = npm(['start'], checkout);
    expect(await run.exited).toBe(1);
    const ours = run.stderr().split('\n').filter((line) => line.startsWith('repka'));
    expect(ours).toEqual(['repka: the build in dist/ is older than package-lock.json: run `npm run build`']);
  });
});
