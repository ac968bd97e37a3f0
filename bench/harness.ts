import { spawn } from 'node:child_process';
import { request, type Agent } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import Database from 'better-sqlite3';
import type { FakeSlack } from '../tests/fakes/fake-slack.js';
import { compileRepka } from '../tests/support/compile-repka.js';
import type { FakeTelegram } from '../tests/fakes/fake-telegram.js';

export interface BenchContext {
  readonly root: string;
  readonly redisUrl: string;
  readonly signingSecret: string;
  readonly webhookSecret: string;
  readonly telegramToken: string;
  readonly supportChannel: string;
  /** Set by startRepkaProcess: the SQLite file of the running instance (unused on PostgreSQL). */
  databasePath: string;
  /** Set by startRepkaProcess: the PostgreSQL database of the running instance, or undefined on SQLite. */
  databaseUrl: string | undefined;
}

/** Where a benchmark's Repka keeps its data. */
export type BenchStorage = 'sqlite' | 'postgres';

export const storageName = (storage: BenchStorage): string => (storage === 'postgres' ? 'PostgreSQL' : 'SQLite');

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
    databaseUrl: undefined,
  };
}

/** The PostgreSQL server the benchmark creates its databases on (a maintenance database on it). */
const postgresAdminUrl = () => process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A fresh PostgreSQL database, `repka_bench_<random>`, shared by the instances started on it and
 * dropped once the last of them stopped (`release` per instance; `drop` at once).
 */
export class BenchDatabase {
  private users = 0;
  private dropped = false;

  get isDropped(): boolean {
    return this.dropped;
  }

  private constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(): Promise<BenchDatabase> {
    const name = `repka_bench_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresAdminUrl() });
    await admin.connect();
    try {
      await admin.query(`create database ${name}`);
    } finally {
      await admin.end();
    }
    const url = new URL(postgresAdminUrl());
    url.pathname = `/${name}`;
    return new BenchDatabase(name, url.href);
  }

  acquire(): void {
    this.users += 1;
  }

  async release(): Promise<void> {
    this.users -= 1;
    if (this.users <= 0) await this.drop();
  }

  async drop(): Promise<void> {
    if (this.dropped) return;
    this.dropped = true;
    const admin = new pg.Client({ connectionString: postgresAdminUrl() });
    await admin.connect();
    try {
      await admin.query(`drop database if exists ${this.name} with (force)`);
    } finally {
      await admin.end();
    }
  }
}

/**
 * One read of the running instance's database, SQLite or PostgreSQL as the context says; `sql`
 * takes `?` placeholders on both (written for both dialects). Counts come back as numbers on both.
 */
export async function queryDatabase<Row extends Record<string, unknown>>(ctx: BenchContext, sql: string, params: readonly unknown[] = []): Promise<Row[]> {
  if (ctx.databaseUrl === undefined) {
    const db = new Database(ctx.databasePath, { readonly: true });
    try {
      return db.prepare(sql).all(...params) as Row[];
    } finally {
      db.close();
    }
  }
  let n = 0;
  // bigint (int8: counts, epoch-ms times, Telegram ids) read as numbers, as Repka reads them: all below 2^53.
  const types = { getTypeParser: (oid: number, format?: string) => (oid === 20 ? Number : (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format)) };
  const client = new pg.Client({ connectionString: ctx.databaseUrl, types: types as pg.CustomTypesConfig });
  await client.connect();
  try {
    const result = await client.query<Row>(
      sql.replace(/\?/g, () => `$${(n += 1)}`),
      [...params],
    );
    return result.rows;
  } finally {
    await client.end();
  }
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
  /** On a network error (status 0): its code or message. */
  readonly error?: string;
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
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, ms: Date.now() - sentAt, error: error.code ?? error.message }));
    req.end(body);
  });
}

/** Resident set size of a process, bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** CPU time a process has used so far, user and system, µs (Linux /proc: clock ticks of 10 ms). */
export function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which may hold spaces) start at its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** CPU time every PostgreSQL server process has used so far, µs (their command lines start "postgres"). */
export function postgresCpu(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').startsWith('postgres')) continue;
      total += cpuOf(Number(entry));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}

export interface RepkaProcess {
  readonly url: string;
  readonly dir: string;
  readonly queuePrefix: string;
  readonly pid: number;
  /** Spawn to the first 200 from /healthz, ms. */
  readonly startupMs: number;
  readonly storage: BenchStorage;
  /** The PostgreSQL database the instance runs on (shared with the instances started alongside it). */
  readonly database: BenchDatabase | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Restart on an earlier run's data folder (SQLite) instead of a fresh one. */
  readonly dir?: string;
  /** Restart on an earlier run's queue prefix instead of a fresh one. */
  readonly queuePrefix?: string;
  /** SQLite (default: a fresh file in the data folder) or PostgreSQL (a fresh `repka_bench_<random>` database, dropped after). */
  readonly storage?: BenchStorage;
  /**
   * Start another instance beside a running one, as an operator scales out: the same database
   * (PostgreSQL only) and queue prefix, its own port and folder. The database is dropped once the
   * last instance on it stopped.
   */
  readonly alongside?: RepkaProcess;
}

/** Databases not dropped yet: dropped on Ctrl-C too, so that an interrupted run leaves none behind. */
const liveDatabases = new Set<BenchDatabase>();
let interruptHandled = false;
function dropOnInterrupt(): void {
  if (interruptHandled) return;
  interruptHandled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void Promise.allSettled([...liveDatabases].map((d) => d.drop())).then(() => process.exit(130));
    });
  }
}

/**
 * Starts Repka as `npm start` does (bots/main.ts in its own Node process) against the fakes, with
 * a fresh SQLite file or PostgreSQL database and a fresh queue prefix, and resolves once /healthz
 * answers.
 */
export async function startRepkaProcess(
  ctx: BenchContext,
  slack: FakeSlack,
  telegram: FakeTelegram,
  departments: unknown,
  extraEnv: Record<string, string> = {},
  options: StartOptions = {},
): Promise<RepkaProcess> {
  const alongside = options.alongside;
  const storage = alongside?.storage ?? options.storage ?? 'sqlite';
  if (alongside !== undefined && storage === 'sqlite') throw new Error('a second instance needs PostgreSQL: instances cannot share a SQLite file');
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'repka-bench-'));
  const queuePrefix = alongside?.queuePrefix ?? options.queuePrefix ?? `bench-${randomUUID().slice(0, 8)}`;
  writeFileSync(join(dir, 'departments.json'), JSON.stringify(departments));
  // The channels Repka uses must exist in the fake workspace, with the bot in them, as in Slack.
  const listed = (departments as { departments?: { slackChannel?: string }[] }).departments ?? [];
  for (const channel of [ctx.supportChannel, ...listed.flatMap((d) => (d.slackChannel ? [d.slackChannel] : []))]) {
    if (slack.botIsMember(channel) === undefined) slack.addChannel(channel);
  }
  let database: BenchDatabase | undefined;
  if (storage === 'postgres') {
    dropOnInterrupt();
    database = alongside?.database ?? (await BenchDatabase.create());
    liveDatabases.add(database);
    database.acquire();
  }
  ctx.databasePath = join(dir, 'repka.sqlite');
  ctx.databaseUrl = database?.url;
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  // BENCH_PROFILE=<dir>: Repka writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  // What `npm start` runs: plain Node on the compiled JavaScript (built once per bench run).
  // BENCH_NODE_FLAGS: Node flags in place of `npm start`'s, to try one (V8's heap sizes, say).
  const flags = process.env.BENCH_NODE_FLAGS !== undefined ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean) : ['--enable-source-maps'];
  const child = spawn(process.execPath, [...profile, ...flags, join(compiledRepka(ctx.root), 'bots', 'main.js')], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      DATABASE_PATH: ctx.databasePath,
      ...(database !== undefined ? { DATABASE_URL: database.url } : {}),
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
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      if (database !== undefined) {
        await database.release();
        if (database.isDropped) liveDatabases.delete(database);
      }
    })());
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`repka exited with ${child.exitCode}`);
      const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error('repka did not become healthy within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const startupMs = Date.now() - spawnedAt;
  return { url, dir, queuePrefix, startupMs, storage, database, pid: child.pid as number, stop };
}

let compiled: string | undefined;

/** Repka compiled as `npm ci` compiles it, once per bench run; removed when the bench exits. */
function compiledRepka(root: string): string {
  if (compiled !== undefined) return compiled;
  const outdir = compileRepka(root, 'repka-bench-build-');
  process.on('exit', () => rmSync(outdir, { recursive: true, force: true }));
  compiled = outdir;
  return outdir;
}
