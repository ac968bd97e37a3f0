import { spawn } from 'node:child_process';
import { request, type Agent } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import type { FakeSlack } from '../tests/fakes/fake-slack.js';
import type { FakeTelegram } from '../tests/fakes/fake-telegram.js';

export interface BenchContext {
  readonly root: string;
  readonly redisUrl: string;
  readonly signingSecret: string;
  readonly webhookSecret: string;
  readonly telegramToken: string;
  readonly supportChannel: string;
  /** Set by startRepkaProcess: the SQLite file of the running instance. */
  databasePath: string;
}

export interface ScenarioResult {
  readonly name: string;
  readonly figures: Record<string, string | number>;
  readonly pass: boolean;
  readonly target: string;
}

export function benchContext(root: string): BenchContext {
  return {
    root,
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    signingSecret: 'bench-signing-secret',
    webhookSecret: 'bench_webhook_secret',
    telegramToken: '424242:BENCH-token',
    supportChannel: 'C0SUPPORT',
    databasePath: '',
  };
}

/** The value at fraction `p` (0..1) of a sorted list; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number;
}

/** An HTTP answer as the load generator sees it: the status (0 on a network error) and the answer time, ms. */
export interface PostAnswer {
  readonly status: number;
  readonly ms: number;
}

/**
 * POSTs a JSON `body` to `url` over node:http on `agent` (keep-alive connections, as the platforms
 * keep them; node:http rather than fetch, which costs several times more CPU per request and would
 * take it from Repka on a 2-core machine). Never rejects: a network error answers status 0.
 */
export function postOver(agent: Agent, url: string, body: string, headers: Record<string, string>): Promise<PostAnswer> {
  const sentAt = Date.now();
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Date.now() - sentAt }));
      res.on('error', () => resolve({ status: 0, ms: Date.now() - sentAt }));
    });
    req.on('error', () => resolve({ status: 0, ms: Date.now() - sentAt }));
    req.end(body);
  });
}

/** Resident set size of a process, bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

export interface RepkaProcess {
  readonly url: string;
  readonly dir: string;
  readonly queuePrefix: string;
  readonly pid: number;
  /** Spawn to the first 200 from /healthz, ms. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

/**
 * Starts Repka as `npm start` does (bots/main.ts in its own Node process) against the fakes, with
 * a fresh SQLite file and queue prefix, and resolves once /healthz answers.
 */
export async function startRepkaProcess(
  ctx: BenchContext,
  slack: FakeSlack,
  telegram: FakeTelegram,
  departments: unknown,
  extraEnv: Record<string, string> = {},
  /** Restart on an earlier run's data folder and queue prefix instead of fresh ones. */
  reuse?: { dir: string; queuePrefix: string },
): Promise<RepkaProcess> {
  const dir = reuse?.dir ?? mkdtempSync(join(tmpdir(), 'repka-bench-'));
  const queuePrefix = reuse?.queuePrefix ?? `bench-${randomUUID().slice(0, 8)}`;
  writeFileSync(join(dir, 'departments.json'), JSON.stringify(departments));
  // The channels Repka uses must exist in the fake workspace, with the bot in them, as in Slack.
  const listed = (departments as { departments?: { slackChannel?: string }[] }).departments ?? [];
  for (const channel of [ctx.supportChannel, ...listed.flatMap((d) => (d.slackChannel ? [d.slackChannel] : []))]) {
    if (slack.botIsMember(channel) === undefined) slack.addChannel(channel);
  }
  ctx.databasePath = join(dir, 'repka.sqlite');
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  // tsx as an import hook keeps Repka in this one process (the tsx CLI would add a parent process).
  const loader = pathToFileURL(join(ctx.root, 'node_modules/tsx/dist/loader.mjs')).href;
  // BENCH_PROFILE=<dir>: Repka writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', loader, join(ctx.root, 'bots/main.ts')], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      DATABASE_PATH: ctx.databasePath,
      REDIS_URL: ctx.redisUrl,
      QUEUE_PREFIX: queuePrefix,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: ctx.signingSecret,
      SLACK_API_URL: slack.url,
      SLACK_SUPPORT_CHANNEL: ctx.supportChannel,
      TELEGRAM_BOT_TOKEN: ctx.telegramToken,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_WEBHOOK_URL: 'https://bench.example/telegram/webhook',
      TELEGRAM_WEBHOOK_SECRET: ctx.webhookSecret,
      DEPARTMENTS_FILE: join(dir, 'departments.json'),
      LOG_LEVEL: 'warn',
      // The fakes answer at once and enforce no limits unless a scenario says so.
      SLACK_CHANNEL_POSTS_PER_SECOND: '0',
      TELEGRAM_CHAT_MESSAGES_PER_SECOND: '0',
      TELEGRAM_MESSAGES_PER_SECOND: '0',
      ...extraEnv,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const spawnedAt = Date.now();
  const deadline = spawnedAt + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`repka exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('repka did not become healthy within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const startupMs = Date.now() - spawnedAt;
  return {
    url,
    dir,
    queuePrefix,
    startupMs,
    pid: child.pid as number,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
