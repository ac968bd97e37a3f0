/**
 * Several Repka processes on one PostgreSQL database, one Redis and one QUEUE_PREFIX, behind a
 * test load balancer, against the strict fakes run in the test process (see harness.ts): what
 * tests/e2e/multi-instance.test.ts drives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { FakeSlack, nextTs, sendSlackEvent } from '../fakes/fake-slack.js';
import { FakeTelegram, postTelegramUpdate, type Update } from '../fakes/fake-telegram.js';
import { slackWireMessage } from '../fakes/slack-wire.js';
import { addStaff, fakesEnv, pause, redisUrl, registerChannels, signingSecret, supportChannel, telegramToken, webhookSecret } from './harness.js';
import { openTestDb, type TestDb } from './test-db.js';
import { createTestDatabase } from '../support/test-storage.js';
import { builtRepka } from '../support/built-repka.js';


/** The PostgreSQL server the databases are created on. */
export const postgresServerUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** Deletes every key of `prefix` (SCAN + DEL `${prefix}:*`), and only those: other tests share the Redis. Returns how many are left. */
export async function flushPrefix(prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  try {
    const scanAll = async () => {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      return keys;
    };
    const keys = await scanAll();
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    return (await scanAll()).length;
  } finally {
    await redis.quit();
  }
}

/** One Repka process (one slot of the cluster: the same port across restarts). */
export interface Instance {
  readonly slot: number;
  readonly pid: number;
  readonly url: string;
  readonly startedAt: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
}

/** Load balancer figures. */
export interface BalancerStats {
  /** Requests answered by an instance, by slot. */
  readonly forwarded: number[];
  /** Connections an instance refused (retried on another). */
  refused: number;
  /** Requests answered 502 (the instance died with it, or none was up in time). */
  badGateway: number;
}

/**
 * A test load balancer: each request goes to a random instance of the pool (an instance joins it
 * once healthy, as a health-checked pool); a refused connection is retried on another one (for up
 * to 10 s, when none is up); a request that reached an instance which then failed answers 502.
 */
export class LoadBalancer {
  readonly stats: BalancerStats;
  private readonly pool = new Set<number>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly portOf: (slot: number) => number,
    slots: number,
  ) {
    this.stats = { forwarded: Array.from({ length: slots }, () => 0), refused: 0, badGateway: 0 };
  }

  static async start(slots: number, portOf: (slot: number) => number): Promise<LoadBalancer> {
    const ref: { lb?: LoadBalancer } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void (ref.lb as LoadBalancer).forward(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks)).then((answer) => {
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body);
        });
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const lb = new LoadBalancer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, portOf, slots);
    ref.lb = lb;
    return lb;
  }

  /** The instance in `slot` is healthy: it takes traffic. */
  join(slot: number): void {
    this.pool.add(slot);
  }

  /** The instance in `slot` is being replaced: no new traffic until it joins again. */
  leave(slot: number): void {
    this.pool.delete(slot);
  }

  private async forward(method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer | string }> {
    const giveUpAt = Date.now() + 10_000;
    const forwarded: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || name === 'connection' || name === 'keep-alive' || name === 'host') continue;
      forwarded[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    forwarded['content-length'] = String(body.length);
    for (;;) {
      const candidates = [...this.pool].sort(() => Math.random() - 0.5);
      for (const slot of candidates) {
        const answer = await this.once(this.portOf(slot), method, path, forwarded, body);
        if (answer === 'refused') {
          this.stats.refused += 1;
          continue;
        }
        if (answer === 'failed') {
          this.stats.badGateway += 1;
          return { status: 502, headers: { 'content-type': 'text/plain' }, body: 'bad gateway' };
        }
        this.stats.forwarded[slot] = (this.stats.forwarded[slot] ?? 0) + 1;
        return answer;
      }
      if (Date.now() > giveUpAt) {
        this.stats.badGateway += 1;
        return { status: 502, headers: { 'content-type': 'text/plain' }, body: 'no instance up' };
      }
      await pause(50);
    }
  }

  private once(port: number, method: string, path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer } | 'refused' | 'failed'> {
    return new Promise((resolve) => {
      let connected = false;
      const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const out: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value === undefined || name === 'connection' || name === 'keep-alive' || name === 'transfer-encoding' || name === 'content-length') continue;
            out[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
        });
        res.on('error', () => resolve('failed'));
      });
      req.on('socket', (socket) => socket.on('connect', () => (connected = true)));
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(!connected && error.code === 'ECONNREFUSED' ? 'refused' : 'failed'));
      req.end(body);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

export interface ClusterOptions {
  readonly instances: number;
  readonly departments?: unknown;
  /** Extra environment for every instance. */
  readonly env?: Record<string, string>;
}

/** The fakes, the database, the queue prefix, N instance slots and the load balancer of one test. */
export class Cluster {
  readonly instances: (Instance | undefined)[];
  /** Every process ever started, for the teardown. */
  private readonly started: { instance: Instance; child: ChildProcess }[] = [];
  private closed = false;

  private constructor(
    readonly slack: FakeSlack,
    readonly telegram: FakeTelegram,
    readonly dir: string,
    readonly prefix: string,
    readonly database: { url: string; drop: () => Promise<void> },
    readonly db: TestDb,
    readonly lb: LoadBalancer,
    private readonly ports: number[],
    private readonly env: Record<string, string>,
  ) {
    this.instances = ports.map(() => undefined);
  }

  static async create(options: ClusterOptions): Promise<Cluster> {
    const departments = options.departments ?? { departments: [] };
    const slack = await FakeSlack.start();
    const telegram = await FakeTelegram.start({ token: telegramToken });
    addStaff(slack);
    registerChannels(slack, departments);
    const dir = mkdtempSync(join(tmpdir(), 'repka-mi-'));
    writeFileSync(join(dir, 'departments.json'), JSON.stringify(departments));
    const prefix = `mi-${randomUUID().slice(0, 8)}`;
    const database = await createTestDatabase(postgresServerUrl);
    const db = openTestDb({ databaseUrl: database.url, databasePath: '' });
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const ports = Array.from({ length: options.instances }, (_, i) => base + i * 7);
    const lb = await LoadBalancer.start(options.instances, (slot) => ports[slot] as number);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      ...fakesEnv(slack, telegram, dir, prefix, database.url),
      LOG_LEVEL: 'info',
      // One support channel holds every case thread: Repka's pace for it would only lengthen the test.
      SLACK_CHANNEL_POSTS_PER_SECOND: '0',
      ...options.env,
    };
    return new Cluster(slack, telegram, dir, prefix, database, db, lb, ports, env);
  }

  /** The stderr (LOG_LEVEL=info) of slot `slot`, every run of it appended. */
  logFile(slot: number): string {
    return join(this.dir, `instance-${slot}.log`);
  }

  log(slot: number): string {
    try {
      return readFileSync(this.logFile(slot), 'utf8');
    } catch {
      return '';
    }
  }

  /** Starts slot `slot` (its port, the shared database and prefix) and resolves once /healthz answers 200; it then joins the balancer. */
  async start(slot: number): Promise<Instance> {
    if (this.instances[slot]?.alive()) throw new Error(`instance ${slot} is running`);
    const port = this.ports[slot] as number;
    const fd = openSync(this.logFile(slot), 'a');
    writeFileSync(fd, `--- start ${new Date().toISOString()}\n`);
    const [command, args] = builtRepka('main');
    const child = spawn(command, args, { cwd: this.dir, env: { ...this.env, PORT: String(port) }, stdio: ['ignore', 'ignore', fd] });
    closeSync(fd);
    let alive = true;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => {
        alive = false;
        resolve({ code, signal });
      }),
    );
    const instance: Instance = { slot, pid: child.pid as number, url: `http://127.0.0.1:${port}`, startedAt: Date.now(), exited, alive: () => alive };
    this.started.push({ instance, child });
    this.instances[slot] = instance;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (!alive) throw new Error(`instance ${slot} exited before it was healthy:\n${this.log(slot).slice(-3000)}`);
      const ok = await fetch(`${instance.url}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`instance ${slot} not healthy within 60 s:\n${this.log(slot).slice(-3000)}`);
      await pause(50);
    }
    this.lb.join(slot);
    return instance;
  }

  /** SIGKILL: the instance dies at once; the balancer still tries it (refused: another one takes the request). */
  async kill9(slot: number): Promise<number> {
    const instance = this.instances[slot];
    if (instance === undefined || !instance.alive()) throw new Error(`instance ${slot} is not running`);
    process.kill(instance.pid, 'SIGKILL');
    const killedAt = Date.now();
    await instance.exited;
    return killedAt;
  }

  /** SIGTERM: resolves with the exit once the process is gone (a stuck stop fails after 30 s). */
  async stop(slot: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const instance = this.instances[slot];
    if (instance === undefined || !instance.alive()) throw new Error(`instance ${slot} is not running`);
    process.kill(instance.pid, 'SIGTERM');
    const exit = await Promise.race([instance.exited, pause(30_000).then(() => undefined)]);
    if (exit === undefined) throw new Error(`instance ${slot} did not exit within 30 s of SIGTERM:\n${this.log(slot).slice(-3000)}`);
    return exit;
  }

  /** Kills what still runs, closes the fakes and the balancer, drops the database and this prefix's keys, removes the folder unless `keepDir`. */
  async close(keepDir = false): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const { instance } of this.started) {
      if (instance.alive()) {
        process.kill(instance.pid, 'SIGKILL');
        await instance.exited;
      }
    }
    await this.lb.close();
    await this.slack.close();
    await this.telegram.close();
    await this.db.close();
    await this.database.drop();
    await flushPrefix(this.prefix);
    if (!keepDir) rmSync(this.dir, { recursive: true, force: true });
  }

  // --- The platforms' senders, through the balancer -----------------------------------------

  /**
   * Telegram delivers `update` to the webhook (through the balancer) until it answers 200, retrying
   * with the same update_id as Telegram does. Returns the number of attempts.
   */
  async deliverUpdate(update: Update, timeoutMs = 60_000): Promise<number> {
    const giveUpAt = Date.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      const answer = await postTelegramUpdate(this.lb.url, webhookSecret, update).catch(() => ({ status: 0, body: '' }));
      if (answer.status === 200) return attempt;
      if (Date.now() > giveUpAt) throw new Error(`update ${update.update_id} not accepted within ${timeoutMs} ms (last ${answer.status} ${answer.body})`);
      await pause(100 * Math.min(attempt, 5));
    }
  }

  /**
   * Slack delivers a human's message event (through the balancer) until it answers 200, retrying
   * with the same event_id and x-slack-retry-num as Slack does. Returns the message ts.
   */
  async humanSays(threadTs: string | undefined, user: string, text: string, channel = supportChannel, timeoutMs = 60_000): Promise<{ ts: string; attempts: number }> {
    const ts = nextTs();
    const wire = slackWireMessage(text, this.slack.userIdsByName());
    const event: Record<string, unknown> = { type: 'message', channel, user, text: wire.text, blocks: wire.blocks, client_msg_id: randomUUID(), ts, event_ts: ts, channel_type: 'channel' };
    if (threadTs !== undefined) event.thread_ts = threadTs;
    const eventId = `Ev${randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase()}`;
    const giveUpAt = Date.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      const answer = await sendSlackEvent(this.lb.url, signingSecret, event, { eventId, ...(attempt > 1 ? { retryNum: attempt - 1, retryReason: 'http_error' } : {}) }).catch(() => ({ status: 0, body: '' }));
      if (answer.status === 200) return { ts, attempts: attempt };
      if (Date.now() > giveUpAt) throw new Error(`event ${eventId} not accepted within ${timeoutMs} ms (last ${answer.status} ${answer.body})`);
      await pause(100 * Math.min(attempt, 5));
    }
  }
}
